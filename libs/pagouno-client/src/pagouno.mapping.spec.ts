import { groupDataSchema, PurchaseGroupData } from './pagouno.wire';
import { readPurchaseGroup, readReversal } from './pagouno.mapping';

// Answers as pagoUno's documentation shows them (trimmed to what the mapping reads).
const approvedTx = (id: string, amount: number, extra: Record<string, unknown> = {}) => ({
  result_code: 0,
  result_code_identifier: 'SUCCESS',
  id,
  success: true,
  seller_descriptor: 'P1*TEST 202006301148     ',
  message: 'APROBADA  (authno) Operación aprobada',
  merchant_code: '10000007',
  authorization: '000011',
  ticket_number: '0001',
  batch_number: '038',
  transaction_amount: amount,
  bin: '454545',
  last_4_digits: '8745',
  primary_account_token: 'XXXXXXXX-XXXX-XXXX-XXXX-6XXF56C3E4XX',
  ...extra,
});
const requestItem = (id: string, amount: number, extra: Record<string, unknown> = {}) => ({
  id,
  transaction_amount: amount,
  card: 'Visa',
  bin: '454545',
  last_4_digits: '8745',
  result_code: 0,
  result_code_identifier: 'SUCCESS',
  ...extra,
});
const group = (data: unknown): PurchaseGroupData => groupDataSchema.parse(data);

describe('readPurchaseGroup', () => {
  it('reads an approved split: approved, one transaction per purchase, card as brand, BIN and last four', () => {
    const data = group({
      success: true,
      pending: false,
      request: [requestItem('A', 1000), requestItem('B', 2000, { card: 'Mastercard', bin: '540100', last_4_digits: '0004' })],
      response: [approvedTx('A', 1000), approvedTx('B', 2000, { bin: '540100', last_4_digits: '0004', authorization: '000012' })],
    });
    const reading = readPurchaseGroup(data, [{ merchantCode: 'MG-1', amount: 1000 }, { merchantCode: 'MG-2', amount: 2000 }], 'op-1', 'acct');
    expect(reading).toMatchObject({ providerId: 'A', cls: 'approved', status: 'approved', terminalId: 'acct' });
    expect(reading.result).toMatchObject({
      providerStatus: 'APPROVED',
      authorizationCode: '000011',
      card: { brand: 'visa', bin: '454545', last4: '8745', entryMode: 'card_not_present' },
    });
    expect(reading.result.failure).toBeUndefined();
    expect(reading.result.transactions).toEqual([
      expect.objectContaining({ id: 'A', merchantCode: 'MG-1', amount: 1000, status: 'approved', authorizationCode: '000011' }),
      expect.objectContaining({ id: 'B', merchantCode: 'MG-2', amount: 2000, status: 'approved', card: expect.objectContaining({ brand: 'mastercard', last4: '0004' }) }),
    ]);
    expect(JSON.stringify(reading)).not.toContain('XXXXXXXX');
  });

  it('reads a declined purchase as a rejected charge whose approved transactions pagoUno reversed', () => {
    // The documentation's own "Denegada" example: the response id differs from the request id.
    const data = group({
      success: false,
      pending: false,
      request: [requestItem('A', 1000), requestItem('123F6F45-59D6-4313-A448-2EE40CAB9ACD', 1005)],
      response: [approvedTx('A', 1000), approvedTx('123F6123-59D6-4313-A448-2EE40CAB9ACD', 1005, { success: false, message: 'DENEGADA ', authorization: '' })],
    });
    const reading = readPurchaseGroup(data, [{ merchantCode: 'MG-1', amount: 1000 }, { merchantCode: 'MG-2', amount: 1005 }], 'op-1', null);
    expect(reading).toMatchObject({ cls: 'declined', status: 'rejected' });
    expect(reading.result.failure).toEqual({ code: 'PAYMENT.DECLINED', message: 'DENEGADA' });
    expect(reading.result.transactions?.map((t) => [t.id, t.status])).toEqual([
      ['A', 'reversed'],
      ['123F6123-59D6-4313-A448-2EE40CAB9ACD', 'declined'],
    ]);
    // The reversed transaction's authorization is not the charge's: the operation shows none.
    expect(reading.result.transactions?.[0]?.authorizationCode).toBe('000011');
    expect(reading.result).toMatchObject({ authorizationCode: null, batchNumber: null, receiptNumber: null });
  });

  it('reads MONTO INVALIDO as a decline with its message', () => {
    const data = group({
      success: false,
      request: [requestItem('X', 0)],
      response: [approvedTx('X', 0, { success: false, message: 'MONTO INVALIDO Verificar el sistema, error en el formato del campo importe ', authorization: '' })],
    });
    const reading = readPurchaseGroup(data, [], 'op-2', null);
    expect(reading.status).toBe('rejected');
    expect(reading.result.failure?.message).toMatch(/^MONTO INVALIDO/);
  });

  it('reads TERMINAL_NOT_AVAILABLE (-100, no transaction) as failed, providerId our reference', () => {
    const data = group({ success: false, pending: false, request: [requestItem('', 100, { result_code: -100, result_code_identifier: 'TERMINAL_NOT_AVAILABLE' })], response: [] });
    const reading = readPurchaseGroup(data, [{ merchantCode: 'MG-1', amount: 1000 }], 'op-3', null);
    expect(reading).toMatchObject({ providerId: 'op-3', cls: 'error', status: 'failed' });
    expect(reading.result.failure).toEqual({ code: 'PROVIDER.REJECTED', message: 'pagoUno did not process the charge: TERMINAL_NOT_AVAILABLE' });
    expect(reading.result.transactions).toEqual([expect.objectContaining({ id: null, merchantCode: 'MG-1', amount: 1000, status: 'failed' })]);
  });

  it('marks the approved ones reversed next to one with no terminal', () => {
    const data = group({
      success: false,
      request: [requestItem('A', 1000), requestItem('', 1007, { result_code: -100, result_code_identifier: 'TERMINAL_NOT_AVAILABLE' })],
      response: [approvedTx('A', 1000)],
    });
    const reading = readPurchaseGroup(data, [], 'op-4', null);
    expect(reading.result.transactions?.map((t) => t.status)).toEqual(['reversed', 'failed']);
    expect(reading.providerId).toBe('A');
  });

  it('reads a pending group as in progress', () => {
    const data = group({ success: false, pending: true, request: [requestItem('A', 1000)], response: [approvedTx('A', 1000)] });
    expect(readPurchaseGroup(data, [], 'op-5', null)).toMatchObject({ cls: 'processing', status: 'in_progress' });
  });
});

describe('readReversal', () => {
  const txs = [
    { id: 'A', merchantCode: 'MG-1', amount: 1000, status: 'approved' as const },
    { id: 'B', merchantCode: 'MG-2', amount: 2000, status: 'approved' as const },
  ];
  const adj = (transaction_id: string, success = true) => ({ id: `adj-${transaction_id}`, transaction_id, adjustment_type: 'annulment', success, message: success ? 'APROBADA' : 'DENEGADA' });

  it('is approved when every transaction is annulled', () => {
    const reading = readReversal({ reference: 'rev-1', adjustments: [adj('A'), adj('B')], failures: [] }, txs, 'acct');
    expect(reading).toMatchObject({ providerId: 'rev-1', cls: 'approved', status: 'approved', terminalId: 'acct' });
    expect(reading.result.transactions?.map((t) => t.status)).toEqual(['reversed', 'reversed']);
  });

  it('is in progress while a transaction has no answer yet', () => {
    expect(readReversal({ reference: 'rev-1', adjustments: [adj('A')], failures: [] }, txs, null)).toMatchObject({ cls: 'processing', status: 'in_progress' });
  });

  it('is rejected when all are answered and one annulment was declined or refused', () => {
    const declined = readReversal({ reference: 'rev-1', adjustments: [adj('A'), adj('B', false)], failures: [] }, txs, null);
    expect(declined).toMatchObject({ cls: 'declined', status: 'rejected' });
    expect(declined.result.failure).toEqual({ code: 'REVERSAL.DECLINED', message: 'DENEGADA' });
    const refused = readReversal({ reference: 'rev-1', adjustments: [adj('A')], failures: [{ transactionId: 'B', message: 'not approved' }] }, txs, null);
    expect(refused.result.transactions?.map((t) => t.status)).toEqual(['reversed', 'failed']);
  });
});
