import { makeCard, makeQr, seedOf } from './completion-data';
import { BRANDS } from './outcome.rules';
import { formatCents, operationReceipt } from './receipt-text';

describe('makeCard', () => {
  it('gives a BIN of the chosen brand and four last digits, the same for the same seed', () => {
    const card = makeCard(seedOf('payment:abc'), 'AM', 'CHIP_CONTACTLESS', null);
    expect(BRANDS.AM.bins).toContain(card.bin);
    expect(card.lastFour).toMatch(/^\d{4}$/);
    expect(card).toEqual(makeCard(seedOf('payment:abc'), 'AM', 'CHIP_CONTACTLESS', null));
    expect(card.paymentType).toBe('CREDIT');
    expect(makeCard(seedOf('payment:abc'), 'MA', 'CHIP', null).paymentType).toBe('DEBIT');
  });
});

describe('makeQr', () => {
  it('gives a QR code id and a wallet, no card data', () => {
    const qr = makeQr(seedOf('payment:qr'));
    expect(qr.qrCodeId).toMatch(/^QR\d{12}$/);
    expect(qr).not.toHaveProperty('bin');
  });
});

describe('operationReceipt', () => {
  it('never prints more than the last four digits of the card', () => {
    const card = makeCard(seedOf('payment:receipt'), 'VI', 'CHIP', null);
    const text = operationReceipt({
      operation: 'COMPRA',
      copy: 'CLIENTE',
      approved: true,
      merchantName: 'COMERCIO',
      cuit: '30-71234567-8',
      terminalId: '38011128',
      batchNumber: 1,
      receiptNumber: 7,
      instrument: card,
      amountCents: '150000',
      installments: 3,
      authorizationCode: '123456',
      at: Date.UTC(2025, 0, 2, 15, 4),
    });
    expect(text).toContain(`**** ${card.lastFour}`);
    expect(text).not.toContain(card.bin);
    expect(text).toContain('$ 1.500,00');
    expect(text).toContain('02/01/2025 12:04');
  });
});

describe('formatCents', () => {
  it('formats cents the Argentine way', () => {
    expect(formatCents('5')).toBe('$ 0,05');
    expect(formatCents(123456789)).toBe('$ 1.234.567,89');
  });
});
