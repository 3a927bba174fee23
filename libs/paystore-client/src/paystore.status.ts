// Pure mappings from PayStore's status enums to the few classes a worker acts on. An unknown value
// is never thrown: it classifies as 'unknown' and is reported, so a new provider status cannot
// crash a poll loop.
import {
  KnownPaymentStatus,
  KnownRefundStatus,
  KnownReversalStatus,
  KnownSettlementStatus,
  PaymentStatus,
  RefundStatus,
  ReversalStatus,
  SettlementStatus,
} from './paystore.types';

export type PaystoreStatusClass =
  | 'requested'
  | 'processing'
  | 'approved'
  | 'declined'
  | 'cancelling'
  | 'cancelled'
  | 'error'
  | 'unknown';

/** Classes after which the provider will not change the operation any more. */
export const FINAL_STATUS_CLASSES: ReadonlySet<PaystoreStatusClass> = new Set<PaystoreStatusClass>([
  'approved',
  'declined',
  'cancelled',
  'error',
]);

export type UnknownEnumReporter = (field: string, value: string) => void;

const PAYMENT_CLASSES: Readonly<Record<KnownPaymentStatus, PaystoreStatusClass>> = Object.freeze({
  PAYMENT_REQUEST: 'requested',
  PROCESSING_PAYMENT: 'processing',
  // The confirmation leg: the card was approved, the payment is not final until confirmed.
  WAITING_CONFIRMATION: 'processing',
  CONFIRM_REQUEST: 'processing',
  PROCESSING_CONFIRMATION: 'processing',
  CONFIRMED: 'approved',
  DECLINED: 'declined',
  UNDO_REQUEST: 'cancelling',
  PROCESSING_UNDO: 'cancelling',
  UNDONE: 'cancelled',
  ERROR: 'error',
});

const REVERSAL_CLASSES: Readonly<Record<KnownReversalStatus, PaystoreStatusClass>> = Object.freeze({
  REVERSAL_REQUEST: 'requested',
  PROCESSING_REVERSAL: 'processing',
  REVERSED: 'approved',
  REVERSAL_DECLINED: 'declined',
  REVERSAL_ERROR: 'error',
  UNDO_REVERSAL_REQUEST: 'cancelling',
  PROCESSING_UNDO_REVERSAL: 'cancelling',
  REVERSAL_UNDONE: 'cancelled',
  // The cancel was refused, so the reversal itself goes on: keep polling it.
  UNDO_REVERSAL_DECLINED: 'processing',
});

const REFUND_CLASSES: Readonly<Record<KnownRefundStatus, PaystoreStatusClass>> = Object.freeze({
  REFUND_REQUEST: 'requested',
  PROCESSING_REFUND: 'processing',
  CONFIRMED: 'approved',
  UNDO_REQUEST: 'cancelling',
  DECLINED: 'declined',
  UNDONE: 'cancelled',
  ERROR: 'error',
});

const SETTLEMENT_CLASSES: Readonly<Record<KnownSettlementStatus, PaystoreStatusClass>> = Object.freeze({
  SETTLEMENT_REQUEST: 'requested',
  PROCESSING_SETTLEMENT: 'processing',
  CONFIRMED: 'approved',
  DECLINED: 'declined',
  ERROR: 'error',
});

function classify(
  table: Readonly<Record<string, PaystoreStatusClass>>,
  field: string,
  value: string | null | undefined,
  report: UnknownEnumReporter | undefined,
): PaystoreStatusClass {
  if (typeof value === 'string' && Object.prototype.hasOwnProperty.call(table, value)) {
    return table[value] as PaystoreStatusClass;
  }
  report?.(field, String(value));
  return 'unknown';
}

export function classifyPaymentStatus(status: PaymentStatus | null | undefined, report?: UnknownEnumReporter): PaystoreStatusClass {
  return classify(PAYMENT_CLASSES, 'payment_status', status, report);
}

export function classifyReversalStatus(status: ReversalStatus | null | undefined, report?: UnknownEnumReporter): PaystoreStatusClass {
  return classify(REVERSAL_CLASSES, 'reversal_status', status, report);
}

export function classifyRefundStatus(status: RefundStatus | null | undefined, report?: UnknownEnumReporter): PaystoreStatusClass {
  return classify(REFUND_CLASSES, 'refund_status', status, report);
}

export function classifySettlementStatus(
  status: SettlementStatus | null | undefined,
  report?: UnknownEnumReporter,
): PaystoreStatusClass {
  return classify(SETTLEMENT_CLASSES, 'settlement_status', status, report);
}

export function isFinalStatusClass(cls: PaystoreStatusClass): boolean {
  return FINAL_STATUS_CLASSES.has(cls);
}

/** The approved payment waits for `confirmPayment` (only when the confirmation leg is on). */
export function isAwaitingConfirmation(status: PaymentStatus | null | undefined): boolean {
  return status === 'WAITING_CONFIRMATION';
}
