import { canTransition, FINAL_STATUSES, OPERATION_STATUSES, TRANSITIONS } from './operation';
import { EVENT_TYPES, eventTypeOf } from './events';
import { amountSchema, formatMoney } from './money';
import { createPaymentCommandSchema } from './commands';

describe('operation state machine', () => {
  it('allows no transition out of a final status', () => {
    for (const status of FINAL_STATUSES) expect(TRANSITIONS[status]).toEqual([]);
  });

  it('lets a cancelling payment still end approved', () => {
    expect(canTransition('cancelling', 'approved')).toBe(true);
  });

  it('never goes back to accepted', () => {
    for (const status of OPERATION_STATUSES) expect(canTransition(status, 'accepted')).toBe(false);
  });

  it('names every event <type>.<status>', () => {
    expect(eventTypeOf('payment', 'approved')).toBe('payment.approved');
    expect(EVENT_TYPES).toContain('settlement.approved');
    expect(EVENT_TYPES).toHaveLength(4 * OPERATION_STATUSES.length);
  });
});

describe('money', () => {
  it.each([0, -1, 1.5, '100', Number.NaN, 1e15])('rejects %p as an amount', (value) => {
    expect(amountSchema.safeParse(value).success).toBe(false);
  });

  it('formats minor units for people', () => {
    expect(formatMoney({ amount: 150000, currency: 'ARS' })).toBe('$ 1.500,00');
  });
});

describe('create payment command', () => {
  it('fills the documented defaults', () => {
    const cmd = createPaymentCommandSchema.parse({ terminalIds: ['38011128'], amount: 1500, currency: 'ARS' });
    expect(cmd).toMatchObject({ installments: 1, plan: null, method: 'card', print: { copies: 'both' }, expiresInSeconds: 120 });
  });

  it('refuses unknown fields and repeated terminals', () => {
    expect(createPaymentCommandSchema.safeParse({ terminalIds: ['1'], amount: 1, currency: 'ARS', extra: 1 }).success).toBe(false);
    expect(createPaymentCommandSchema.safeParse({ terminalIds: ['1', '1'], amount: 1, currency: 'ARS' }).success).toBe(false);
  });
});
