// PayStore behind the provider port, the part that is not wire: how a failed call reads for an
// intent's lifecycle, how an answer reads in our terms (card data stops at brand, BIN and last
// four), and the adapter that hands out the payment, reversal, refund and settlement ports.
import { CardView, ErrorCode, FailureView, PROVIDER_CAPABILITIES, ProviderCapabilities } from '@app/contracts';
import type { OperationEntity, OperationResult } from '@app/persistence';
import { CallFailure, IntentClass, IntentPort, IntentReading, ProviderAdapter, statusOfClass } from '@app/providers';
import { toWireAmount } from './paystore.amounts';
import type { PaystoreClient } from './paystore.client';
import { PaystoreError, PaystoreErrorCode } from './paystore.errors';
import { classifyPaymentStatus, classifyRefundStatus, classifyReversalStatus, classifySettlementStatus, UnknownEnumReporter } from './paystore.status';
import type {
  CreatePaymentInput,
  PaymentData,
  PaymentEnvelope,
  RefundData,
  RefundEnvelope,
  ReversalData,
  ReversalEnvelope,
  SettlementData,
  SettlementEnvelope,
} from './paystore.types';

/** A PayStore failure in the lifecycle's terms; anything that is not a PaystoreError may have been applied. */
export function paystoreFailureOf(err: unknown): CallFailure {
  if (!(err instanceof PaystoreError)) return 'unknown';
  if (err.code === PaystoreErrorCode.CircuitOpen) return 'circuit_open';
  if (err.outcome === 'unknown') return 'unknown';
  if (err.outcome === 'not_sent' || err.code === PaystoreErrorCode.Unavailable || err.code === PaystoreErrorCode.Unauthorized) {
    return 'not_taken';
  }
  return err.code === PaystoreErrorCode.Conflict ? 'conflict' : 'rejected';
}

export function paystoreMessageOf(err: unknown): string {
  if (!(err instanceof PaystoreError)) return err instanceof Error ? err.message : String(err);
  const first = err.providerErrors[0];
  return first?.acquirerMessage || first?.title || err.message;
}

/** The provider's own error code (`ALREADY_REVERSED`, `BRAND_NOT_ALLOWED`…), when it gave one. */
export function paystoreCodeOf(err: unknown): string | undefined {
  return err instanceof PaystoreError ? err.providerCode : undefined;
}

const BRANDS: Readonly<Record<string, string>> = Object.freeze({
  VI: 'visa',
  MC: 'mastercard',
  AM: 'amex',
  MA: 'maestro',
  CB: 'cabal',
  VISA: 'visa',
  MASTERCARD: 'mastercard',
  'AMERICAN EXPRESS': 'amex',
  AMEX: 'amex',
  CABAL: 'cabal',
  NARANJA: 'naranja',
  MAESTRO: 'maestro',
});

export function cardBrandOf(product?: string | null, name?: string | null): string | null {
  const key = (product ?? name ?? '').trim().toUpperCase();
  if (!key) return null;
  return BRANDS[key] ?? key.toLowerCase();
}

/** Reads a non-empty string field of a loosely typed wire object. */
export function wireText(data: object | null | undefined, key: string): string | null {
  const value = data ? (data as Record<string, unknown>)[key] : undefined;
  return typeof value === 'string' && value.length > 0 ? value : null;
}

/** The card as the API shows it, from the wire's card fields; null for QR or when no card is known. */
export function cardOf(data: object | null | undefined): CardView | null {
  if (wireText(data, 'card_type') === 'QR_CODE') return null;
  const brand = cardBrandOf(wireText(data, 'card_brand_product'), wireText(data, 'card_brand'));
  if (!brand) return null;
  const digits = wireText(data, 'last_four_digits')?.replace(/\D/g, '') ?? '';
  const entry = wireText(data, 'card_type');
  return { brand, bin: wireText(data, 'bin'), last4: digits.length >= 4 ? digits.slice(-4) : null, entryMode: entry ? entry.toLowerCase() : null };
}

export interface ReadingParts {
  providerStatus: string | null;
  /** The failure code of a decline (`PAYMENT.DECLINED`, `REVERSAL.DECLINED`…). */
  declinedCode: FailureView['code'];
  card?: () => CardView | null;
  receiptNumber?: string | null;
}

/**
 * A provider answer in our terms: status by class, failure for declines and terminal errors, and
 * once final the card, authorization, batch and receipt the terminal produced.
 */
export function paystoreReading(
  data: object,
  cls: IntentClass,
  providerId: string,
  cancelReason: 'requested' | 'expired' | null,
  parts: ReadingParts,
): IntentReading {
  const result: OperationResult = { providerStatus: parts.providerStatus };
  if (cls === 'declined') {
    result.failure = {
      code: parts.declinedCode,
      message: wireText(data, 'acquirer_additional_message') ?? wireText(data, 'acquirer_response_code') ?? 'declined by the acquirer',
    };
  } else if (cls === 'error') {
    result.failure = { code: ErrorCode.TerminalError, message: wireText(data, 'acquirer_additional_message') ?? 'the terminal reported an error' };
  }
  if (cls === 'approved' || cls === 'declined' || cls === 'error') {
    Object.assign(result, {
      card: parts.card?.() ?? null,
      authorizationCode: wireText(data, 'authorization_code'),
      batchNumber: wireText(data, 'batch_number'),
      receiptNumber: parts.receiptNumber ?? null,
    });
  }
  return { providerId, cls, status: statusOfClass(cls, cancelReason), terminalId: wireText(data, 'terminal_id'), result };
}

// ── Readings of each kind of intent ─────────────────────────────────────────────────────────────

type CancelReason = 'requested' | 'expired' | null;

/**
 * `cancelReason` decides what an undone intent means for us: the register's cancel (`cancelled`)
 * or our deadline (`expired`). An intent undone with no cancel of ours was cancelled on the terminal.
 */
export function readPayment(data: PaymentData, cancelReason: CancelReason, report?: UnknownEnumReporter): IntentReading {
  const cls = classifyPaymentStatus(data.payment_status, report);
  const reading = paystoreReading(data, cls, data.payment_id, cancelReason, {
    providerStatus: typeof data.payment_status === 'string' ? data.payment_status : null,
    declinedCode: ErrorCode.Declined,
    card: () => cardOf(data),
    receiptNumber: wireText(data, 'transaction_receipt'),
  });
  if (cls === 'approved' || cls === 'declined' || cls === 'error') {
    reading.result.qrCodeId = wireText(data, 'card_type') === 'QR_CODE' ? wireText(data, 'qr_code_id') : null;
  }
  return reading;
}

/** A reversal carries the original payment's card (or its QR id: a QR payment goes back to the same wallet). */
export function mapReversal(data: ReversalData, cancelReason: CancelReason, report?: UnknownEnumReporter): IntentReading {
  const cls = classifyReversalStatus(data.reversal_status, report);
  const reading = paystoreReading(data, cls, data.payment_id, cancelReason, {
    providerStatus: typeof data.reversal_status === 'string' ? data.reversal_status : null,
    declinedCode: ErrorCode.ReversalDeclined,
    card: () => cardOf(data.payment_data),
    receiptNumber: wireText(data, 'transaction_receipt'),
  });
  if ('card' in reading.result && wireText(data.payment_data, 'card_type') === 'QR_CODE') {
    reading.result.qrCodeId = wireText(data.payment_data, 'qr_code_id');
  }
  return reading;
}

/** The failure codes of a refund that ends declined. */
export interface RefundDeclineCodes {
  /** The acquirer or the terminal declined it. */
  declined: FailureView['code'];
  /** The terminal refused the card presented because it is not AMEX (see refundRefusedForBrand). */
  brandNotAllowed: FailureView['code'];
}

/** The codes of the provider's `refund_data.error`, whatever its shape: an item, a list of items, or a bare code. */
function errorCodesOf(error: unknown): string[] {
  const items = Array.isArray(error) ? error : [error];
  return items.flatMap((item) => {
    if (typeof item === 'string') return [item];
    const code = wireText(item as object, 'code');
    return code === null ? [] : [code];
  });
}

/** The text the provider gave with `refund_data.error`, if any. */
function errorMessageOf(error: unknown): string | null {
  const first = (Array.isArray(error) ? error[0] : error) as object | null | undefined;
  if (first === null || typeof first !== 'object') return null;
  return wireText(first, 'message') ?? wireText(first, 'acquirer_message') ?? wireText(first, 'title');
}

/**
 * Whether a declined refund was refused because the card presented is not AMEX (PayStore refunds
 * are AMEX only): its `error` carries the provider's `BRAND_NOT_ALLOWED`, or the card it read is
 * of another brand.
 */
export function refundRefusedForBrand(data: RefundData): boolean {
  if (errorCodesOf(data.error).includes('BRAND_NOT_ALLOWED')) return true;
  const brand = cardBrandOf(wireText(data, 'card_brand_product'), wireText(data, 'card_brand'));
  return brand !== null && brand !== 'amex';
}

/**
 * `codes`: an AMEX payment given back through Refunds is a reversal to the register
 * (`REVERSAL.DECLINED`); an unreferenced refund is a refund (`REFUND.DECLINED`, or
 * `REFUND.BRAND_NOT_ALLOWED` when the card presented is not AMEX).
 */
export function mapRefund(data: RefundData, cancelReason: CancelReason, codes: RefundDeclineCodes, report?: UnknownEnumReporter): IntentReading {
  const cls = classifyRefundStatus(data.refund_status, report);
  const reading = paystoreReading(data, cls, data.refund_id, cancelReason, {
    providerStatus: typeof data.refund_status === 'string' ? data.refund_status : null,
    declinedCode: codes.declined,
    card: () => cardOf(data),
    receiptNumber: wireText(data, 'refunds_transaction_receipt'),
  });
  if (cls === 'declined' && refundRefusedForBrand(data)) {
    const brand = cardBrandOf(wireText(data, 'card_brand_product'), wireText(data, 'card_brand'));
    reading.result.failure = {
      code: codes.brandNotAllowed,
      message: errorMessageOf(data.error) ?? `refunds are for AMEX cards only${brand && brand !== 'amex' ? `; the card presented is ${brand}` : ''}`,
    };
  }
  return reading;
}

/** CONFIRMED closes the batch named in `batch_number`, with the terminal's closing receipt. */
export function mapSettlement(data: SettlementData, report?: UnknownEnumReporter): IntentReading {
  const cls = classifySettlementStatus(data.settlement_status, report);
  // Settlements cannot be cancelled at the provider, so no cancel of ours is ever behind a status.
  const reading = paystoreReading(data, cls, data.settlement_id, null, {
    providerStatus: typeof data.settlement_status === 'string' ? data.settlement_status : null,
    declinedCode: ErrorCode.SettlementDeclined,
  });
  if (cls === 'approved') reading.result.receipt = wireText(data, 'merchant_receipt_detail');
  return reading;
}

// ── The adapter ─────────────────────────────────────────────────────────────────────────────────

const PRINT_COPIES = { both: 'BOTH', merchant: 'MERCHANT_ONLY', customer: 'CUSTOMER_ONLY', none: 'NONE' } as const;
/** Ahora plan codes as the Argentine acquirers number them. */
const AHORA_PLAN_IDS: Readonly<Record<string, string>> = Object.freeze({ ahora_3: '13', ahora_6: '16', ahora_12: '7', ahora_18: '8' });

/** Provider refusals that have a code of ours the register can act on. */
const REFUSALS: Readonly<Record<string, FailureView['code']>> = Object.freeze({
  ALREADY_REVERSED: ErrorCode.PaymentAlreadyReversed,
  INVALID_STATE: ErrorCode.PaymentNotApproved,
  BRAND_NOT_ALLOWED: ErrorCode.RefundBrandNotAllowed,
});

function rejection(err: unknown, message: string): FailureView {
  const code = paystoreCodeOf(err);
  return { code: (code && REFUSALS[code]) || ErrorCode.ProviderRejected, message };
}

function menuText(op: OperationEntity, fallback: string): string {
  return (op.description ?? op.reference ?? fallback).slice(0, 100);
}

export function toCreatePaymentInput(op: OperationEntity): CreatePaymentInput {
  const req = op.request ?? {};
  return {
    payment_amount: toWireAmount(op.amount ?? 0),
    ecr_transaction_id: op.id,
    terminals_list: op.terminalIds.map((terminal_id) => ({ terminal_id })),
    terminal_menu_text: menuText(op, 'Cobro'),
    installments_number: req.installments ?? 1,
    payment_plan_id: req.plan ? (AHORA_PLAN_IDS[req.plan] ?? null) : null,
    print_copies: PRINT_COPIES[req.printCopies ?? 'both'],
    terminal_operation_method: req.method === 'qr' ? 'QR_CODE' : 'CARD',
    card_holder_id: req.customerTaxId ?? null,
  };
}

/** PayStore gives AMEX card payments back through its (unreferenced) Refunds API; every other brand through Reversals. */
export function reversalRoute(cardBrand: string | null | undefined): 'reversal' | 'refund' {
  return cardBrand === 'amex' ? 'refund' : 'reversal';
}

/** The reversal's terminals; by default the terminal that took the payment. */
function terminalsOf(op: OperationEntity, payment: OperationEntity | null): string[] {
  if (op.terminalIds.length > 0) return op.terminalIds;
  return payment?.terminalId ? [payment.terminalId] : [];
}

/** The PayStore calls the adapter makes (PaystoreClient satisfies it; tests may pass a fake). */
export type PaystoreApi = Pick<
  PaystoreClient,
  | 'createPayment'
  | 'getPayment'
  | 'findPaymentByEcrTransactionId'
  | 'cancelPayment'
  | 'confirmPayment'
  | 'createReversal'
  | 'getReversal'
  | 'findReversalByEcrTransactionId'
  | 'cancelReversal'
  | 'createRefund'
  | 'getRefund'
  | 'findRefundByEcrTransactionId'
  | 'cancelRefund'
  | 'createSettlement'
  | 'getSettlement'
  | 'breakerStates'
  | 'shutdown'
>;

/** How PayStore's failures read, on every port it hands out. */
const FAILURES = { failureOf: paystoreFailureOf, messageOf: paystoreMessageOf } as const;

export class PaystoreAdapter implements ProviderAdapter {
  readonly name = 'paystore' as const;
  readonly capabilities: ProviderCapabilities = PROVIDER_CAPABILITIES.paystore;
  private readonly paymentPort: IntentPort<PaymentEnvelope>;
  private readonly refundPortOf: IntentPort<RefundEnvelope>;

  constructor(private readonly client: PaystoreApi) {
    this.paymentPort = {
      create: (cuit, op) => client.createPayment(cuit, toCreatePaymentInput(op)),
      get: (cuit, providerId) => client.getPayment(cuit, providerId),
      find: (cuit, op) => client.findPaymentByEcrTransactionId(cuit, op.id),
      cancel: (cuit, providerId) => client.cancelPayment(cuit, providerId),
      read: (envelope, op) => readPayment(envelope.payment_data, op.cancelReason),
      // The confirmation leg, where the provider asks for one and the register has confirmed.
      followUp: async (cuit, op, envelope) =>
        op.request?.confirmRequested && op.providerId && envelope.payment_data.payment_status === 'WAITING_CONFIRMATION'
          ? client.confirmPayment(cuit, op.providerId)
          : envelope,
      ...FAILURES,
    };
    this.refundPortOf = this.refundPort(null, { declined: ErrorCode.RefundDeclined, brandNotAllowed: ErrorCode.RefundBrandNotAllowed }, 'Devolucion');
  }

  payment(): IntentPort<PaymentEnvelope> {
    return this.paymentPort;
  }

  /**
   * Gives `payment` back: through Reversals, keyed by the payment's provider id, or, for AMEX
   * (which PayStore does not reverse), through Refunds with the payment's amount. The reversal's
   * `request.via` (set when it was accepted) decides; else the payment's card brand.
   */
  reversal(payment: OperationEntity | null, reversal?: OperationEntity): IntentPort<ReversalEnvelope> | IntentPort<RefundEnvelope> {
    const via = reversal?.request?.via ?? reversalRoute(payment?.result?.card?.brand);
    // The payment's own AMEX card gives it back; any refusal at the terminal is the reversal's decline.
    if (via === 'refund') return this.refundPort(payment, { declined: ErrorCode.ReversalDeclined, brandNotAllowed: ErrorCode.ReversalDeclined }, 'Anulacion');
    const client = this.client;
    const port: IntentPort<ReversalEnvelope> = {
      create: (cuit, op) =>
        client.createReversal(cuit, {
          payment_id: payment?.providerId ?? '',
          ecr_transaction_id: op.id,
          terminals_list: terminalsOf(op, payment).map((terminal_id) => ({ terminal_id })),
          terminal_menu_text: menuText(op, 'Anulacion'),
          print_copies: PRINT_COPIES[op.request?.printCopies ?? 'both'],
        }),
      get: (cuit, providerId) => client.getReversal(cuit, providerId),
      find: (cuit, op) => client.findReversalByEcrTransactionId(cuit, op.id),
      cancel: (cuit, providerId) => client.cancelReversal(cuit, providerId),
      read: (envelope, op) => mapReversal(envelope.reversal_data, op.cancelReason),
      rejection,
      ...FAILURES,
    };
    return port;
  }

  /** Unreferenced AMEX refunds. */
  refund(): IntentPort<RefundEnvelope> {
    return this.refundPortOf;
  }

  /**
   * Batch close. Settlements carry no reference of ours at the provider, so `find` answers
   * nothing here: the settlements worker looks a lost one up in the terminal's list itself.
   */
  settlement(): IntentPort<SettlementEnvelope> {
    const client = this.client;
    return {
      create: (cuit, op) => client.createSettlement(cuit, op.terminalId ?? op.terminalIds[0], op.request?.printReceipt ?? true),
      get: (cuit, providerId) => client.getSettlement(cuit, providerId),
      find: async () => null,
      read: (envelope) => mapSettlement(envelope.settlements_data),
      ...FAILURES,
    };
  }

  breakerStates(): Record<string, string> {
    return this.client.breakerStates();
  }

  shutdown(): void {
    this.client.shutdown();
  }

  /** An AMEX card given back (`card_brand_product: 'AM'`): the operation's amount, else the payment's. */
  private refundPort(payment: OperationEntity | null, codes: RefundDeclineCodes, menuFallback: string): IntentPort<RefundEnvelope> {
    const client = this.client;
    return {
      create: (cuit, op) =>
        client.createRefund(cuit, {
          refund_amount: toWireAmount(op.amount ?? payment?.amount ?? 0),
          ecr_transaction_id: op.id,
          terminals_list: terminalsOf(op, payment).map((terminal_id) => ({ terminal_id })),
          terminal_menu_text: menuText(op, menuFallback),
          print_copies: PRINT_COPIES[op.request?.printCopies ?? 'both'],
          card_brand_product: 'AM',
        }),
      get: (cuit, providerId) => client.getRefund(cuit, providerId),
      find: (cuit, op) => client.findRefundByEcrTransactionId(cuit, op.id),
      cancel: (cuit, providerId) => client.cancelRefund(cuit, providerId),
      read: (envelope, op) => mapRefund(envelope.refund_data, op.cancelReason, codes),
      rejection,
      ...FAILURES,
    };
  }
}
