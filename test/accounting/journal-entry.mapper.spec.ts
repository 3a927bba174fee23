import { CloudEvent } from '@app/contracts';
import { UnrecoverableEventError } from '@app/transport';
import { journalEntryOf, sectionOf, settlementOf } from '../../examples/accounting/src/journal-entry.mapper';

function event(type: string, data: Record<string, unknown>): CloudEvent {
  return {
    specversion: '1.0',
    id: 'evt_1',
    source: 'urn:ecr-bridge',
    type,
    time: '2025-03-01T12:00:00.000Z',
    subject: String(data.id),
    datacontenttype: 'application/json',
    data,
  };
}

const card = (brand: string) => ({ brand, bin: '450799', last4: '4905', entryMode: 'chip' });
const approved = (fields: Record<string, unknown>) => ({
  status: 'approved',
  merchantId: 'mer_1',
  terminalId: '38011128',
  amount: 150000,
  currency: 'ARS',
  card: card('visa'),
  qrCodeId: null,
  batchNumber: '12',
  paymentId: null,
  ...fields,
});

describe('journal entries of outcome events', () => {
  it('books an approved payment as a positive amount with its terminal, brand and batch', () => {
    expect(journalEntryOf(event('payment.approved', approved({ id: 'pay_1', type: 'payment' })))).toEqual({
      eventId: 'evt_1',
      operationId: 'pay_1',
      kind: 'payment',
      section: 'payments',
      merchantId: 'mer_1',
      terminalId: '38011128',
      brand: 'visa',
      amount: 150000,
      currency: 'ARS',
      batchNumber: '12',
      paymentId: null,
      occurredAt: new Date('2025-03-01T12:00:00.000Z'),
    });
  });

  it('books reversals and refunds as negative amounts, a reversal linked to its payment', () => {
    const reversal = journalEntryOf(event('reversal.approved', approved({ id: 'rev_1', type: 'reversal', paymentId: 'pay_1' })));
    expect(reversal).toMatchObject({ kind: 'reversal', section: 'reversals', amount: -150000, paymentId: 'pay_1' });
    const refund = journalEntryOf(event('refund.approved', approved({ id: 'ref_1', type: 'refund', card: card('amex'), amount: 50000 })));
    expect(refund).toMatchObject({ kind: 'refund', section: 'refunds', amount: -50000, brand: 'amex' });
  });

  it('counts the reversal of an AMEX payment as a refund, as the provider’s batch does', () => {
    expect(sectionOf('reversal', 'amex')).toBe('refunds');
    expect(sectionOf('reversal', 'visa')).toBe('reversals');
    expect(sectionOf('refund', 'visa')).toBe('refunds');
    expect(sectionOf('payment', 'amex')).toBe('payments');
  });

  it('puts a wallet payment under qr', () => {
    expect(journalEntryOf(event('payment.approved', approved({ id: 'pay_2', type: 'payment', card: null, qrCodeId: 'QR1' }))).brand).toBe('qr');
  });

  it.each([
    ['an event that is not approved', 'payment.rejected', { id: 'pay_1', type: 'payment', status: 'rejected' }],
    ['an approved payment without an amount', 'payment.approved', { id: 'pay_1', type: 'payment', amount: null }],
    ['an approved payment without its terminal', 'payment.approved', { id: 'pay_1', type: 'payment', terminalId: null }],
  ])('refuses for good %s', (_what, type, fields) => {
    expect(() => journalEntryOf(event(type, approved(fields)))).toThrow(UnrecoverableEventError);
  });

  it('refuses for good an event whose subject is not the operation it carries', () => {
    const e = { ...event('payment.approved', approved({ id: 'pay_1', type: 'payment' })), subject: 'pay_2' };
    expect(() => journalEntryOf(e)).toThrow(/about pay_2 but carries payment pay_1/);
  });

  it('records an approved settlement with its batch and totals', () => {
    const totals = [{ brand: 'visa', payments: { count: 1, amount: 100 }, reversals: { count: 0, amount: 0 }, refunds: { count: 0, amount: 0 } }];
    const data = approved({ id: 'set_1', type: 'settlement', amount: null, currency: null, card: null, totals });
    expect(settlementOf(event('settlement.approved', data))).toEqual({
      eventId: 'evt_1',
      operationId: 'set_1',
      merchantId: 'mer_1',
      terminalId: '38011128',
      batchNumber: '12',
      totals,
      occurredAt: new Date('2025-03-01T12:00:00.000Z'),
    });
  });
});
