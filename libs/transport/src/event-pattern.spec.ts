import { handlersFor, matchesPattern } from './event-pattern';

describe('event patterns', () => {
  it('lets * stand for exactly one segment', () => {
    expect(matchesPattern('payment.*', 'payment.approved')).toBe(true);
    expect(matchesPattern('*.approved', 'refund.approved')).toBe(true);
    expect(matchesPattern('payment.*', 'reversal.approved')).toBe(false);
    expect(matchesPattern('*', 'payment.approved')).toBe(false);
    expect(matchesPattern('payment.*.x', 'payment.approved')).toBe(false);
  });

  it('reaches the exact handler first, then every matching wildcard in registration order', () => {
    const handlers = new Map([
      ['*.approved', 'any approved'],
      ['payment.approved', 'exact'],
      ['payment.*', 'any payment'],
      ['refund.*', 'any refund'],
    ]);
    expect(handlersFor(handlers, 'payment.approved')).toEqual(['exact', 'any approved', 'any payment']);
    expect(handlersFor(handlers, 'payment.rejected')).toEqual(['any payment']);
    expect(handlersFor(handlers, 'settlement.pending')).toEqual([]);
  });
});
