// Pure translation between our operations and Klio tasks: what a payment or an annulment sends,
// how a task answer reads in our terms (docs/klio-wire.md has the tables), and what a failed call
// means for the intent's lifecycle.
import { CardView, ErrorCode, FailureView } from '@app/contracts';
import type { OperationEntity, OperationResult } from '@app/persistence';
import { CallFailure, IntentClass, IntentReading, statusOfClass } from '@app/providers';
import { invalidRequest, KlioError, KlioErrorCode } from './klio.errors';
import { KlioCardPaymentData, KlioQrPaymentData, KlioTask, KlioTaskPayment, toKlioAmount } from './klio.wire';

/** Klio annuls only vouchers collected in the last 30 days. */
export const KLIO_ANNULMENT_MAX_AGE_DAYS = 30;
const DAY_MS = 86_400_000;

export interface KlioTaskOptions {
  /** KLIO_CALLBACK_URL: where Klio also posts the task when its status changes. */
  callbackUrl?: string | undefined;
}

/** The device a task goes to: the operation's Klio request, else its only terminal. */
export function deviceIdOf(op: OperationEntity, payment?: OperationEntity | null): string {
  const id = op.request?.klio?.deviceId ?? payment?.request?.klio?.deviceId ?? op.terminalIds[0] ?? payment?.terminalId ?? payment?.terminalIds[0];
  if (!id) throw invalidRequest('task.submit', `operation ${op.id} names no Klio device`);
  return id;
}

/** A DNI or CUIT as Klio's numeric `taxNumber`; undefined when it is not one. */
export function taxNumberOf(customerTaxId: string | undefined): number | undefined {
  const digits = customerTaxId?.replace(/[-\s.]/g, '') ?? '';
  return /^\d{7,11}$/.test(digits) ? Number(digits) : undefined;
}

function base(op: OperationEntity, options: KlioTaskOptions): Pick<KlioTaskPayment, 'originID' | 'executionOrder' | 'printTicket' | 'callbackURL' | 'originalAmount'> {
  return {
    originID: op.id,
    executionOrder: 1,
    printTicket: op.request?.klio?.printTicket ?? (op.request?.printReceipt === false ? 'none' : 'auto'),
    callbackURL: options.callbackUrl ?? null,
    originalAmount: { amount: toKlioAmount(op.amount ?? 0), currency: 'ARS' },
  };
}

/** The PAYMENT task of a payment operation (its originID is the operation id). */
export function paymentTaskOf(op: OperationEntity, options: KlioTaskOptions = {}): { deviceId: string; payment: KlioTaskPayment } {
  const req = op.request ?? {};
  const klio = req.klio;
  const qr = req.method === 'qr';
  const chooses = klio?.customerChoosesInstallments === true;
  const installments = req.installments ?? 1;
  const payment: KlioTaskPayment = {
    ...base(op, options),
    operationType: 'PAYMENT',
    sourceOriginID: '',
    qrMethod: { accountMoney: qr },
    cardMethod: qr
      ? { credit: false, debit: false }
      : {
          credit: true,
          creditInterestPayer: klio?.interestPayer ?? 'client',
          creditInstallmentsOption: chooses || installments > 1,
          creditInstallments: chooses ? null : installments,
          // Installments are a credit thing; a fixed plan of several leaves debit out.
          debit: chooses || installments <= 1,
        },
  };
  if (klio?.collectAccount) payment.collectAccountData = { portfolioId: klio.collectAccount.portfolioId, personId: klio.collectAccount.personId };
  const taxNumber = taxNumberOf(req.customerTaxId);
  if (taxNumber !== undefined) payment.buyerData = { taxNumber };
  return { deviceId: deviceIdOf(op), payment };
}

/**
 * The tasks of several payments for one device, as one multi-task request: `executionOrder` 1, 2,
 * … in the order given (a batch's members in their order, whichever of them are sent). Refused
 * before sending when they name different devices.
 */
export function paymentTasksOf(ops: readonly OperationEntity[], options: KlioTaskOptions = {}): { deviceId: string; payments: KlioTaskPayment[] } {
  const tasks = ops.map((op) => paymentTaskOf(op, options));
  const deviceId = tasks[0]?.deviceId;
  if (!deviceId) throw invalidRequest('task.submit', 'a multi-task request needs at least one task');
  if (tasks.some((t) => t.deviceId !== deviceId)) throw invalidRequest('task.submit', 'the tasks of one request must go to one device');
  return { deviceId, payments: tasks.map((t, i) => ({ ...t.payment, executionOrder: i + 1 })) };
}

/** The originID a reversal annuls: the payment's Klio originID, else the payment's id. */
export function sourceOriginIdOf(op: OperationEntity, payment: OperationEntity | null): string {
  return op.request?.klio?.sourceOriginId ?? payment?.request?.klio?.sourceOriginId ?? payment?.id ?? op.paymentId ?? '';
}

/**
 * The ANNULMENT task of a reversal for `amount` centavos (the reversal's, which may be part of the
 * payment). What Klio refuses for sure (older than 30 days, more than the payment) is refused here
 * before anything is sent, with Klio's codes; the rest (earlier annulments) Klio decides.
 */
export function annulmentTaskOf(
  op: OperationEntity,
  payment: OperationEntity | null,
  options: KlioTaskOptions & { now?: number } = {},
): { deviceId: string; payment: KlioTaskPayment } {
  const sourceOriginID = sourceOriginIdOf(op, payment);
  if (!sourceOriginID) throw invalidRequest('task.submit', 'the annulment names no payment', 'SOURCE_NOT_FOUND');
  const amount = op.amount ?? payment?.amount ?? 0;
  if (payment) {
    const collectedAt = (payment.finalAt ?? payment.createdAt)?.getTime();
    const now = options.now ?? Date.now();
    if (collectedAt !== undefined && now - collectedAt > KLIO_ANNULMENT_MAX_AGE_DAYS * DAY_MS) {
      throw invalidRequest('task.submit', `Klio annuls only vouchers of the last ${KLIO_ANNULMENT_MAX_AGE_DAYS} days`, 'ANNULMENT_PERIOD_EXPIRED');
    }
    if (payment.amount !== null && amount > payment.amount) {
      throw invalidRequest('task.submit', 'the annulment is larger than the payment', 'ANNULMENT_AMOUNT_EXCEEDED');
    }
  }
  const task: KlioTaskPayment = {
    ...base({ ...op, amount } as OperationEntity, options),
    operationType: 'ANNULMENT',
    sourceOriginID,
  };
  return { deviceId: deviceIdOf(op, payment), payment: task };
}

// ---------------------------------------------------------------------------------------------
// Reading a task
// ---------------------------------------------------------------------------------------------

const BRANDS: Readonly<Record<string, string>> = Object.freeze({
  VISA: 'visa',
  VI: 'visa',
  MASTERCARD: 'mastercard',
  MC: 'mastercard',
  'AMERICAN EXPRESS': 'amex',
  AMEX: 'amex',
  AM: 'amex',
  MAESTRO: 'maestro',
  CABAL: 'cabal',
  NARANJA: 'naranja',
});

/** The card as the API shows it: brand, BIN and last four only. */
export function cardViewOf(card: KlioCardPaymentData | null | undefined): CardView | null {
  const key = card?.cardBrand?.trim().toUpperCase();
  if (!card || !key) return null;
  const digits = card.lastFourDigits?.replace(/\D/g, '') ?? '';
  return {
    brand: BRANDS[key] ?? key.toLowerCase(),
    bin: card.bin ?? null,
    last4: digits.length >= 4 ? digits.slice(-4) : null,
    entryMode: card.entryMode ? card.entryMode.toLowerCase() : null,
  };
}

const QR_UNPAID = new Set(['EXPIRED', 'NOTFOUND', 'UNDEFINED']);

/**
 * The class of a task, for a PAYMENT (see docs/klio-wire.md):
 * Created → requested; InProgress → processing; Canceled → cancelled; a QR COLLECTED → approved
 * and EXPIRED/NOTFOUND/UNDEFINED → declined, whatever the task status; a card REJECTED, FAILED or
 * REVERSED → declined; Completed + APPROVED → approved (Processed + APPROVED waits for the
 * voucher); Completed with no usable voucher → error; Failed → error.
 */
export function classifyTask(task: KlioTask): IntentClass {
  const card = task.paymentaData?.cardPaymentaData ?? null;
  const qr = task.paymentaData?.qrPaymentaData ?? null;
  if (task.status === 'Canceled') return 'cancelled';
  if (qr?.status === 'COLLECTED') return 'approved';
  if (qr && QR_UNPAID.has(qr.status)) return 'declined';
  if (card && (card.status === 'REJECTED' || card.status === 'FAILED' || card.status === 'REVERSED')) return 'declined';
  switch (task.status) {
    case 'Created':
      return 'requested';
    case 'InProgress':
    case 'Processed':
      return 'processing';
    case 'Completed':
      return card?.status === 'APPROVED' ? 'approved' : 'error';
    case 'Failed':
      return 'error';
    default:
      return 'unknown';
  }
}

/**
 * The class of an ANNULMENT task: Completed → approved (the voucher was annulled; a QR annulment
 * is Completed at once) unless its card voucher says REJECTED/FAILED → declined; Failed → error.
 */
export function classifyAnnulmentTask(task: KlioTask): IntentClass {
  const card = task.paymentaData?.cardPaymentaData ?? null;
  if (task.status === 'Canceled') return 'cancelled';
  if (card && (card.status === 'REJECTED' || card.status === 'FAILED')) return 'declined';
  switch (task.status) {
    case 'Created':
      return 'requested';
    case 'InProgress':
    case 'Processed':
      return 'processing';
    case 'Completed':
      return 'approved';
    case 'Failed':
      return 'error';
    default:
      return 'unknown';
  }
}

function providerStatusOf(task: KlioTask): string {
  const card = task.paymentaData?.cardPaymentaData?.status;
  const qr = task.paymentaData?.qrPaymentaData?.status;
  return [task.status, card ?? qr].filter(Boolean).join('/');
}

function reading(task: KlioTask, op: OperationEntity, cls: IntentClass, declinedCode: FailureView['code']): IntentReading {
  const card = task.paymentaData?.cardPaymentaData ?? null;
  const qr: KlioQrPaymentData | null = task.paymentaData?.qrPaymentaData ?? null;
  const result: OperationResult = { providerStatus: providerStatusOf(task) };
  if (cls === 'declined') {
    const why = card?.message ?? qr?.message ?? (qr ? `QR ${qr.status}` : card ? `card ${card.status}` : 'declined');
    result.failure = { code: declinedCode, message: why };
  } else if (cls === 'error') {
    result.failure = { code: ErrorCode.TerminalError, message: card?.message ?? `Klio task ${task.status}${card ? ` with card ${card.status}` : ''}` };
  }
  if (cls === 'approved' || cls === 'declined' || cls === 'error') {
    Object.assign(result, {
      card: cardViewOf(card),
      qrCodeId: qr?.qrId ?? null,
      authorizationCode: card?.authorizationCode ?? qr?.transactionId ?? null,
      batchNumber: card?.batchNumber ?? null,
      receiptNumber: card?.ticketNumber ?? null,
    });
  }
  const started = task.status !== 'Created';
  return {
    providerId: task.taskId,
    cls,
    status: statusOfClass(cls, op.cancelReason),
    terminalId: started ? (op.terminalIds[0] ?? null) : null,
    result,
  };
}

export function readPaymentTask(task: KlioTask, op: OperationEntity): IntentReading {
  return reading(task, op, classifyTask(task), ErrorCode.Declined);
}

export function readAnnulmentTask(task: KlioTask, op: OperationEntity): IntentReading {
  return reading(task, op, classifyAnnulmentTask(task), ErrorCode.ReversalDeclined);
}

// ---------------------------------------------------------------------------------------------
// Failures
// ---------------------------------------------------------------------------------------------

/** A Klio failure in the lifecycle's terms; anything that is not a KlioError may have been applied. */
export function klioFailureOf(err: unknown): CallFailure {
  if (!(err instanceof KlioError)) return 'unknown';
  if (err.code === KlioErrorCode.CircuitOpen) return 'circuit_open';
  switch (err.outcome) {
    case 'unknown':
      return 'unknown';
    case 'not_sent':
    case 'not_applied':
      return 'not_taken';
    case 'conflict':
      return 'conflict';
    case 'rejected':
      return 'rejected';
  }
}

export function klioMessageOf(err: unknown): string {
  if (err instanceof KlioError) return err.providerMessage ?? err.message;
  return err instanceof Error ? err.message : String(err);
}

/** Klio's refusals of an annulment, in codes the register can act on. */
const ANNULMENT_REFUSALS: Readonly<Record<string, FailureView['code']>> = Object.freeze({
  SOURCE_NOT_FOUND: ErrorCode.PaymentNotFound,
  SOURCE_NOT_APPROVED: ErrorCode.PaymentNotApproved,
  ALREADY_ANNULLED: ErrorCode.PaymentAlreadyReversed,
  ANNULMENT_PERIOD_EXPIRED: ErrorCode.ReversalDeclined,
  ANNULMENT_AMOUNT_EXCEEDED: ErrorCode.ReversalDeclined,
});

const PAYMENT_REFUSALS: Readonly<Record<string, FailureView['code']>> = Object.freeze({
  DEVICE_NOT_FOUND: ErrorCode.TerminalNotFound,
});

export function annulmentRejection(err: unknown, message: string): FailureView {
  const code = err instanceof KlioError ? err.providerCode : undefined;
  return { code: (code && ANNULMENT_REFUSALS[code]) || ErrorCode.ProviderRejected, message: klioMessageOf(err) || message };
}

export function paymentRejection(err: unknown, message: string): FailureView {
  const code = err instanceof KlioError ? err.providerCode : undefined;
  return { code: (code && PAYMENT_REFUSALS[code]) || ErrorCode.ProviderRejected, message: klioMessageOf(err) || message };
}
