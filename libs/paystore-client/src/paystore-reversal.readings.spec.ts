import { refundDataSchema, reversalDataSchema } from './paystore.types';
import { mapRefund, mapReversal } from './paystore.adapter';

const visaPayment = {
  payment_id: 'p-1',
  payment_status: 'CONFIRMED',
  card_brand_product: 'VI',
  card_brand: 'VISA',
  card_type: 'CHIP',
  bin: '450799',
  last_four_digits: '1234',
};

function reversal(status: string, extra: Record<string, unknown> = {}) {
  return reversalDataSchema.parse({ payment_id: 'p-1', reversal_status: status, payment_data: visaPayment, ...extra });
}

const REFUND_CODES = { declined: 'REFUND.DECLINED', brandNotAllowed: 'REFUND.BRAND_NOT_ALLOWED' } as const;
const REVERSAL_CODES = { declined: 'REVERSAL.DECLINED', brandNotAllowed: 'REVERSAL.DECLINED' } as const;

function refund(status: string, extra: Record<string, unknown> = {}) {
  return refundDataSchema.parse({ refund_id: 'r-1', refund_status: status, ...extra });
}

describe('mapReversal', () => {
  it.each([
    ['REVERSAL_REQUEST', 'pending'],
    ['PROCESSING_REVERSAL', 'in_progress'],
    ['UNDO_REVERSAL_DECLINED', 'in_progress'],
    ['REVERSED', 'approved'],
    ['REVERSAL_DECLINED', 'rejected'],
    ['REVERSAL_ERROR', 'failed'],
    ['REVERSAL_UNDONE', 'cancelled'],
  ])('maps %s to %s', (status, expected) => {
    expect(mapReversal(reversal(status), 'requested').status).toBe(expected);
  });

  it('leaves the status alone while an undo is under way or the value is unknown', () => {
    expect(mapReversal(reversal('UNDO_REVERSAL_REQUEST'), 'requested')).toMatchObject({ status: null, cls: 'cancelling' });
    const report = jest.fn();
    expect(mapReversal(reversal('SOMETHING_NEW'), null, report)).toMatchObject({ status: null, cls: 'unknown' });
    expect(report).toHaveBeenCalledWith('reversal_status', 'SOMETHING_NEW');
  });

  it('calls an undone reversal expired when our deadline cancelled it', () => {
    expect(mapReversal(reversal('REVERSAL_UNDONE'), 'expired').status).toBe('expired');
  });

  it('is keyed by the payment id and records the original card with the reversal’s own receipt data', () => {
    const mapped = mapReversal(
      reversal('REVERSED', { terminal_id: '38011128', batch_number: '3', transaction_receipt: '41', authorization_code: '654321' }),
      null,
    );
    expect(mapped).toMatchObject({ providerId: 'p-1', terminalId: '38011128' });
    expect(mapped.result).toMatchObject({
      providerStatus: 'REVERSED',
      card: { brand: 'visa', bin: '450799', last4: '1234', entryMode: 'chip' },
      authorizationCode: '654321',
      batchNumber: '3',
      receiptNumber: '41',
    });
  });

  it('fails a declined reversal with REVERSAL.DECLINED and the acquirer’s message', () => {
    const mapped = mapReversal(reversal('REVERSAL_DECLINED', { acquirer_additional_message: 'DENEGADA' }), null);
    expect(mapped.result.failure).toEqual({ code: 'REVERSAL.DECLINED', message: 'DENEGADA' });
  });

  it('records a terminal error as TERMINAL.ERROR', () => {
    expect(mapReversal(reversal('REVERSAL_ERROR'), null).result.failure?.code).toBe('TERMINAL.ERROR');
  });

  it('gives a QR payment back with its QR id and no card', () => {
    const qr = { payment_id: 'p-1', payment_status: 'CONFIRMED', card_type: 'QR_CODE', card_brand: 'MODO', qr_code_id: 'QR123' };
    const mapped = mapReversal(reversal('REVERSED', { payment_data: qr }), null);
    expect(mapped.result).toMatchObject({ card: null, qrCodeId: 'QR123' });
  });

  it('records no card data before the reversal is final', () => {
    expect(mapReversal(reversal('PROCESSING_REVERSAL'), null).result).toEqual({ providerStatus: 'PROCESSING_REVERSAL' });
  });
});

describe('mapRefund', () => {
  it.each([
    ['REFUND_REQUEST', 'pending'],
    ['PROCESSING_REFUND', 'in_progress'],
    ['CONFIRMED', 'approved'],
    ['DECLINED', 'rejected'],
    ['ERROR', 'failed'],
    ['UNDONE', 'cancelled'],
  ])('maps %s to %s', (status, expected) => {
    expect(mapRefund(refund(status), 'requested', REFUND_CODES).status).toBe(expected);
  });

  it('records the refund’s own AMEX card, receipt and batch', () => {
    const mapped = mapRefund(
      refund('CONFIRMED', {
        terminal_id: '38011128',
        card_brand_product: 'AM',
        card_brand: 'AMERICAN EXPRESS',
        card_type: 'CHIP',
        bin: '376411',
        last_four_digits: '0005',
        refunds_transaction_receipt: '12',
        batch_number: '1',
        authorization_code: '111111',
      }),
      null,
      REFUND_CODES,
    );
    expect(mapped).toMatchObject({ providerId: 'r-1', terminalId: '38011128' });
    expect(mapped.result).toMatchObject({
      card: { brand: 'amex', bin: '376411', last4: '0005', entryMode: 'chip' },
      receiptNumber: '12',
      batchNumber: '1',
      authorizationCode: '111111',
    });
  });

  it('declines with the code the caller names: a refund, or a reversal given back through refunds', () => {
    expect(mapRefund(refund('DECLINED'), null, REFUND_CODES).result.failure?.code).toBe('REFUND.DECLINED');
    expect(mapRefund(refund('DECLINED'), null, REVERSAL_CODES).result.failure?.code).toBe('REVERSAL.DECLINED');
  });

  it('keeps a plain decline of an AMEX card REFUND.DECLINED, with the acquirer’s message', () => {
    const declined = refund('DECLINED', { card_brand_product: 'AM', card_brand: 'AMERICAN EXPRESS', acquirer_additional_message: 'DENEGADA', error: null });
    expect(mapRefund(declined, null, REFUND_CODES).result.failure).toEqual({ code: 'REFUND.DECLINED', message: 'DENEGADA' });
  });

  it('reads a card that is not AMEX, refused by the terminal, as REFUND.BRAND_NOT_ALLOWED', () => {
    const refused = refund('DECLINED', {
      card_brand_product: 'VI',
      card_brand: 'VISA',
      acquirer_additional_message: 'TARJETA NO ADMITIDA',
      error: { code: 'BRAND_NOT_ALLOWED', message: 'refunds are for AMEX (AM) only; the card presented is VISA' },
    });
    const mapped = mapRefund(refused, null, REFUND_CODES);
    expect(mapped.status).toBe('rejected');
    expect(mapped.result.failure).toEqual({ code: 'REFUND.BRAND_NOT_ALLOWED', message: 'refunds are for AMEX (AM) only; the card presented is VISA' });
    expect(mapped.result.card).toMatchObject({ brand: 'visa' });
    // A reversal given back through refunds keeps its own decline code.
    expect(mapRefund(refused, null, REVERSAL_CODES).result.failure?.code).toBe('REVERSAL.DECLINED');
  });

  it.each([
    ['the error code alone, as one item', { error: { code: 'BRAND_NOT_ALLOWED', title: 'AMEX only' } }, 'AMEX only'],
    ['the error code alone, in a list', { error: [{ code: 'BRAND_NOT_ALLOWED', acquirer_message: 'SOLO AMEX' }] }, 'SOLO AMEX'],
    ['the error code alone, bare', { error: 'BRAND_NOT_ALLOWED' }, 'refunds are for AMEX cards only'],
    ['a Mastercard read, with no error', { card_brand_product: 'MC', card_brand: 'MASTERCARD' }, 'refunds are for AMEX cards only; the card presented is mastercard'],
  ])('tells a brand refusal from %s', (_what, extra, message) => {
    expect(mapRefund(refund('DECLINED', extra), null, REFUND_CODES).result.failure).toEqual({ code: 'REFUND.BRAND_NOT_ALLOWED', message });
  });

  it('reads the brand error only on a declined refund', () => {
    const approved = refund('CONFIRMED', { card_brand_product: 'AM', error: { code: 'BRAND_NOT_ALLOWED' } });
    expect(mapRefund(approved, null, REFUND_CODES).result.failure).toBeUndefined();
    const failed = refund('ERROR', { error: { code: '96', message: 'ERROR EN TERMINAL' } });
    expect(mapRefund(failed, null, REFUND_CODES).result.failure?.code).toBe('TERMINAL.ERROR');
  });
});
