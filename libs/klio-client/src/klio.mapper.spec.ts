import { ErrorCode } from '@app/contracts';
import type { OperationEntity } from '@app/persistence';
import { operationFixture } from '@app/testing';
import { KlioError, KlioErrorCode } from './klio.errors';
import {
  annulmentRejection,
  annulmentTaskOf,
  classifyAnnulmentTask,
  classifyTask,
  klioFailureOf,
  paymentTaskOf,
  paymentTasksOf,
  readAnnulmentTask,
  readPaymentTask,
  taxNumberOf,
} from './klio.mapper';
import type { KlioTask } from './klio.wire';

const DEVICE = 'E44E3A25-57B8-43E5-B093-65AAD4C01C45';

function op(partial: Partial<OperationEntity> = {}): OperationEntity {
  return operationFixture({
    id: 'op_1',
    merchantId: 'm_1',
    provider: 'klio',
    terminalIds: ['T-1'],
    amount: 150_005,
    request: { klio: { deviceId: DEVICE } },
    createdAt: new Date('2026-01-01T00:00:00Z'),
    updatedAt: new Date('2026-01-01T00:00:00Z'),
    ...partial,
  });
}

function task(partial: Partial<KlioTask> = {}): KlioTask {
  return { taskId: '15', originID: 'op_1', generationDate: '2026-01-01T00:00:00.000', status: 'Created', statusDate: null, paymentaData: null, ...partial };
}

const card = (status: string, extra: Record<string, unknown> = {}) => ({
  paymentaData: {
    cardPaymentaData: {
      status,
      cardBrand: 'VISA',
      bin: '450799',
      lastFourDigits: '1234',
      authorizationCode: '123456',
      ticketNumber: '000123',
      batchNumber: '007',
      entryMode: 'CHIP',
      ...extra,
    },
  },
});
const qr = (status: string) => ({ paymentaData: { qrPaymentaData: { status, qrId: 'QR1', wallet: 'MODO', transactionId: '99' } } });

describe('paymentTaskOf', () => {
  it('a card payment: originID is our id, pesos with decimals, one fixed installment, debit allowed', () => {
    const { deviceId, payment } = paymentTaskOf(op({ request: { klio: { deviceId: DEVICE }, customerTaxId: '20-26267162-3' } }), { callbackUrl: 'http://pos.local/cb' });
    expect(deviceId).toBe(DEVICE);
    expect(payment).toEqual({
      originID: 'op_1',
      operationType: 'PAYMENT',
      sourceOriginID: '',
      executionOrder: 1,
      printTicket: 'auto',
      callbackURL: 'http://pos.local/cb',
      qrMethod: { accountMoney: false },
      cardMethod: { credit: true, creditInterestPayer: 'client', creditInstallmentsOption: false, creditInstallments: 1, debit: true },
      originalAmount: { amount: 1500.05, currency: 'ARS' },
      buyerData: { taxNumber: 20262671623 },
    });
  });

  it('installments fixed by the register leave debit out; the buyer choosing sends null', () => {
    expect(paymentTaskOf(op({ request: { installments: 6, klio: { deviceId: DEVICE, interestPayer: 'merchant' } } })).payment.cardMethod).toEqual({
      credit: true,
      creditInterestPayer: 'merchant',
      creditInstallmentsOption: true,
      creditInstallments: 6,
      debit: false,
    });
    expect(paymentTaskOf(op({ request: { klio: { deviceId: DEVICE, customerChoosesInstallments: true } } })).payment.cardMethod).toMatchObject({
      creditInstallmentsOption: true,
      creditInstallments: null,
      debit: true,
    });
  });

  it('a QR payment offers account money only; print and collect account pass through; no callback is null', () => {
    const { payment } = paymentTaskOf(
      op({ request: { method: 'qr', klio: { deviceId: DEVICE, printTicket: 'offer', collectAccount: { portfolioId: 6127, personId: 6346958 } } } }),
    );
    expect(payment).toMatchObject({
      qrMethod: { accountMoney: true },
      cardMethod: { credit: false, debit: false },
      printTicket: 'offer',
      callbackURL: null,
      collectAccountData: { portfolioId: 6127, personId: 6346958 },
    });
    expect(payment.buyerData).toBeUndefined();
  });

  it('with no Klio device named, falls back to the only terminal, else refuses unsent', () => {
    expect(paymentTaskOf(op({ request: {}, terminalIds: ['DEV-9'] })).deviceId).toBe('DEV-9');
    expect(() => paymentTaskOf(op({ request: {}, terminalIds: [] }))).toThrow(KlioError);
  });

  it('taxNumberOf takes DNI or CUIT digits only', () => {
    expect(taxNumberOf('26.267.162')).toBe(26267162);
    expect(taxNumberOf('abc')).toBeUndefined();
    expect(taxNumberOf(undefined)).toBeUndefined();
  });
});

describe('paymentTasksOf', () => {
  const member = (id: string, order: number, deviceId = DEVICE) =>
    op({ id, request: { klio: { deviceId }, batch: { id: 'bat_1', order, size: 3 } } });

  it('sends a batch to its one device, executionOrder 1, 2, … in the order given', () => {
    const { deviceId, payments } = paymentTasksOf([member('op_a', 1), member('op_c', 3)]);
    expect(deviceId).toBe(DEVICE);
    expect(payments.map((p) => [p.originID, p.executionOrder, p.operationType])).toEqual([
      ['op_a', 1, 'PAYMENT'],
      ['op_c', 2, 'PAYMENT'],
    ]);
  });

  it('runs a payment sent alone first', () => {
    expect(paymentTaskOf(op()).payment.executionOrder).toBe(1);
  });

  it('refuses tasks for different devices, or none, before sending', () => {
    expect(() => paymentTasksOf([member('op_a', 1), member('op_b', 2, 'OTHER')])).toThrow(KlioError);
    expect(() => paymentTasksOf([])).toThrow(KlioError);
  });
});

describe('annulmentTaskOf', () => {
  const payment = op({ id: 'pay_1', status: 'approved', amount: 10_000, finalAt: new Date('2026-01-10T00:00:00Z') });
  const now = new Date('2026-01-20T00:00:00Z').getTime();

  it('annuls the payment by its originID for the reversal amount (partial allowed)', () => {
    const { payment: task } = annulmentTaskOf(op({ id: 'rev_1', type: 'reversal', amount: 2_550, request: {}, terminalIds: [] }), payment, { now });
    expect(task).toMatchObject({ originID: 'rev_1', operationType: 'ANNULMENT', sourceOriginID: 'pay_1', originalAmount: { amount: 25.5, currency: 'ARS' } });
  });

  it('a Klio sourceOriginId wins over the payment id; no amount means the whole payment', () => {
    const { payment: task } = annulmentTaskOf(op({ id: 'rev_1', amount: null, request: { klio: { deviceId: DEVICE, sourceOriginId: 'legacy-7' } } }), payment, { now });
    expect(task).toMatchObject({ sourceOriginID: 'legacy-7', originalAmount: { amount: 100 } });
  });

  it('refuses unsent what Klio would refuse for sure: older than 30 days, more than the payment', () => {
    const late = new Date('2026-02-10T00:00:01Z').getTime();
    expect(() => annulmentTaskOf(op({ id: 'rev_1', amount: 100 }), payment, { now: late })).toThrow(
      expect.objectContaining({ outcome: 'rejected', providerCode: 'ANNULMENT_PERIOD_EXPIRED' }),
    );
    expect(() => annulmentTaskOf(op({ id: 'rev_1', amount: 10_001 }), payment, { now })).toThrow(expect.objectContaining({ providerCode: 'ANNULMENT_AMOUNT_EXCEEDED' }));
  });
});

describe('classifyTask (payments)', () => {
  it.each([
    [task({ status: 'Created' }), 'requested'],
    [task({ status: 'InProgress' }), 'processing'],
    [task({ status: 'Processed' }), 'processing'],
    [task({ status: 'Processed', ...card('APPROVED') }), 'processing'],
    [task({ status: 'Completed', ...card('APPROVED') }), 'approved'],
    [task({ status: 'Completed', ...card('REJECTED') }), 'declined'],
    [task({ status: 'Completed', ...card('FAILED') }), 'declined'],
    [task({ status: 'Completed', ...card('REVERSED') }), 'declined'],
    [task({ status: 'Completed', ...card('PENDING') }), 'error'],
    [task({ status: 'Completed' }), 'error'],
    [task({ status: 'Failed' }), 'error'],
    [task({ status: 'Canceled' }), 'cancelled'],
    [task({ status: 'Processed', ...qr('COLLECTED') }), 'approved'],
    [task({ status: 'Completed', ...qr('COLLECTED') }), 'approved'],
    [task({ status: 'Completed', ...qr('EXPIRED') }), 'declined'],
    [task({ status: 'InProgress', ...qr('PENDING') }), 'processing'],
    [task({ status: 'InProgress', ...qr('ACTIVE') }), 'processing'],
    [task({ status: 'Teleported' }), 'unknown'],
  ])('%#: %j → %s', (t, cls) => {
    expect(classifyTask(t)).toBe(cls);
  });
});

describe('classifyAnnulmentTask', () => {
  it.each([
    [task({ status: 'Created' }), 'requested'],
    [task({ status: 'InProgress' }), 'processing'],
    [task({ status: 'Completed', ...card('APPROVED') }), 'approved'],
    [task({ status: 'Completed', ...qr('COLLECTED') }), 'approved'],
    [task({ status: 'Completed', ...card('REJECTED') }), 'declined'],
    [task({ status: 'Failed' }), 'error'],
    [task({ status: 'Canceled' }), 'cancelled'],
  ])('%#: → %s', (t, cls) => {
    expect(classifyAnnulmentTask(t)).toBe(cls);
  });
});

describe('readPaymentTask', () => {
  it('an approved card: status, card (brand, BIN, last four), authorization, batch, receipt, terminal', () => {
    expect(readPaymentTask(task({ status: 'Completed', ...card('APPROVED') }), op())).toEqual({
      providerId: '15',
      cls: 'approved',
      status: 'approved',
      terminalId: 'T-1',
      result: {
        providerStatus: 'Completed/APPROVED',
        card: { brand: 'visa', bin: '450799', last4: '1234', entryMode: 'chip' },
        qrCodeId: null,
        authorizationCode: '123456',
        batchNumber: '007',
        receiptNumber: '000123',
      },
    });
  });

  it('a rejection carries PAYMENT.DECLINED with the issuer message', () => {
    const reading = readPaymentTask(task({ status: 'Completed', ...card('REJECTED', { message: 'DENEGADA', authorizationCode: null }) }), op());
    expect(reading).toMatchObject({ status: 'rejected', result: { failure: { code: ErrorCode.Declined, message: 'DENEGADA' } } });
  });

  it('a QR collected: the QR id and no card; an expired QR is declined', () => {
    expect(readPaymentTask(task({ status: 'Completed', ...qr('COLLECTED') }), op()).result).toMatchObject({ card: null, qrCodeId: 'QR1', authorizationCode: '99' });
    expect(readPaymentTask(task({ status: 'Completed', ...qr('EXPIRED') }), op()).result.failure).toEqual({ code: ErrorCode.Declined, message: 'QR EXPIRED' });
  });

  it('a failed task is a terminal error; a cancelled one reads by our cancel reason; a new one has no terminal yet', () => {
    expect(readPaymentTask(task({ status: 'Failed' }), op()).result.failure?.code).toBe(ErrorCode.TerminalError);
    expect(readPaymentTask(task({ status: 'Canceled' }), op({ cancelReason: 'expired' })).status).toBe('expired');
    expect(readPaymentTask(task({ status: 'Canceled' }), op({ cancelReason: 'requested' })).status).toBe('cancelled');
    expect(readPaymentTask(task(), op()).terminalId).toBeNull();
    expect(readPaymentTask(task({ status: 'Teleported' }), op()).status).toBeNull();
  });
});

describe('readAnnulmentTask', () => {
  it('a rejected annulment is REVERSAL.DECLINED', () => {
    const reading = readAnnulmentTask(task({ status: 'Completed', ...card('REJECTED', { message: 'ANULACION RECHAZADA' }) }), op());
    expect(reading).toMatchObject({ cls: 'declined', status: 'rejected', result: { failure: { code: ErrorCode.ReversalDeclined, message: 'ANULACION RECHAZADA' } } });
  });
});

describe('failures', () => {
  const err = (code: KlioErrorCode, outcome: KlioError['outcome'], providerCode?: string) =>
    new KlioError({ code, outcome, operation: 'task.submit', message: 'm', ...(providerCode ? { providerCode, providerMessage: `why ${providerCode}` } : {}) });

  it('klioFailureOf reads outcomes in the lifecycle terms', () => {
    expect(klioFailureOf(err(KlioErrorCode.CircuitOpen, 'not_sent'))).toBe('circuit_open');
    expect(klioFailureOf(err(KlioErrorCode.Timeout, 'unknown'))).toBe('unknown');
    expect(klioFailureOf(err(KlioErrorCode.Unavailable, 'not_applied'))).toBe('not_taken');
    expect(klioFailureOf(err(KlioErrorCode.Network, 'not_sent'))).toBe('not_taken');
    expect(klioFailureOf(err(KlioErrorCode.Conflict, 'conflict'))).toBe('conflict');
    expect(klioFailureOf(err(KlioErrorCode.Refused, 'rejected'))).toBe('rejected');
    expect(klioFailureOf(new Error('boom'))).toBe('unknown');
  });

  it('annulment refusals become codes the register can act on, with Klio reason', () => {
    expect(annulmentRejection(err(KlioErrorCode.Refused, 'rejected', 'ANNULMENT_AMOUNT_EXCEEDED'), 'x')).toEqual({
      code: ErrorCode.ReversalDeclined,
      message: 'why ANNULMENT_AMOUNT_EXCEEDED',
    });
    expect(annulmentRejection(err(KlioErrorCode.Refused, 'rejected', 'SOURCE_NOT_APPROVED'), 'x').code).toBe(ErrorCode.PaymentNotApproved);
    expect(annulmentRejection(err(KlioErrorCode.Refused, 'rejected', 'ALREADY_ANNULLED'), 'x').code).toBe(ErrorCode.PaymentAlreadyReversed);
    expect(annulmentRejection(err(KlioErrorCode.BadRequest, 'rejected'), 'x').code).toBe(ErrorCode.ProviderRejected);
  });
});
