import { BatchCandidate, inBatch, sectionOf, totalsOf } from './settlement.totals';

const at = (iso: string) => new Date(iso);

function candidate(fields: Partial<BatchCandidate>): BatchCandidate {
  return { type: 'payment', via: null, amount: 1000, brand: 'visa', qrCodeId: null, batchNumber: '1', finalAt: at('2025-01-01T12:00:00Z'), ...fields };
}

describe('settlement totals', () => {
  it('adds up each brand’s payments, reversals and refunds separately, brands sorted', () => {
    const totals = totalsOf([
      candidate({ amount: 100000 }),
      candidate({ amount: 120000 }),
      candidate({ type: 'reversal', via: 'reversal', amount: 120000 }),
      candidate({ brand: 'amex', amount: 175000 }),
      candidate({ brand: 'amex', type: 'refund', amount: 50000 }),
    ]);
    expect(totals).toEqual([
      { brand: 'amex', payments: { count: 1, amount: 175000 }, reversals: { count: 0, amount: 0 }, refunds: { count: 1, amount: 50000 } },
      { brand: 'visa', payments: { count: 2, amount: 220000 }, reversals: { count: 1, amount: 120000 }, refunds: { count: 0, amount: 0 } },
    ]);
  });

  it('is empty for a batch with nothing in it', () => {
    expect(totalsOf([])).toEqual([]);
  });

  it('counts an AMEX payment given back through Refunds as a refund, as the provider’s batch does', () => {
    expect(sectionOf({ type: 'reversal', via: 'refund', brand: 'amex' })).toBe('refunds');
    expect(sectionOf({ type: 'reversal', via: null, brand: 'amex' })).toBe('refunds');
    expect(sectionOf({ type: 'reversal', via: 'reversal', brand: 'visa' })).toBe('reversals');
    expect(sectionOf({ type: 'reversal', via: null, brand: 'visa' })).toBe('reversals');
  });

  it('puts wallet payments under qr', () => {
    expect(totalsOf([candidate({ brand: null, qrCodeId: 'QR1' })])[0].brand).toBe('qr');
  });

  describe('batch membership', () => {
    const window = { after: at('2025-01-01T10:00:00Z'), until: at('2025-01-01T14:00:00Z') };

    it('goes by the batch number the provider recorded, whenever our worker noticed it', () => {
      expect(inBatch(candidate({ batchNumber: '7', finalAt: at('2025-01-01T15:00:00Z') }), '7', window)).toBe(true);
      expect(inBatch(candidate({ batchNumber: '6', finalAt: at('2025-01-01T12:00:00Z') }), '7', window)).toBe(false);
    });

    it('falls back to the time since the previous settlement for an operation without a batch number', () => {
      expect(inBatch(candidate({ batchNumber: null, finalAt: at('2025-01-01T12:00:00Z') }), '7', window)).toBe(true);
      expect(inBatch(candidate({ batchNumber: null, finalAt: at('2025-01-01T10:00:00Z') }), '7', window)).toBe(false);
      expect(inBatch(candidate({ batchNumber: null, finalAt: at('2025-01-01T14:00:01Z') }), '7', window)).toBe(false);
      expect(inBatch(candidate({ batchNumber: null }), '7', { after: null, until: window.until })).toBe(true);
    });

    it('goes by time alone when the provider gave the close no batch number', () => {
      expect(inBatch(candidate({ batchNumber: '3', finalAt: at('2025-01-01T12:00:00Z') }), null, window)).toBe(true);
      expect(inBatch(candidate({ batchNumber: '3', finalAt: at('2025-01-01T09:00:00Z') }), null, window)).toBe(false);
    });
  });
});
