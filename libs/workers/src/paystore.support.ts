// What every PayStore worker needs around the client: the client built from configuration with
// its breakers reported as metrics, how a failed call reads for an intent's lifecycle, and the
// small readers that turn wire fields into what the API shows (card data stops at brand, BIN and
// last four).
import { AppConfig, Logger } from '@app/common';
import { CardView, ErrorCode, FailureView, OperationStatus } from '@app/contracts';
import type { OperationResult } from '@app/persistence';
import { PaystoreClient, PaystoreError, PaystoreErrorCode } from '@app/paystore-client';
import { CallFailure, IntentClass, IntentReading } from './intent.lifecycle';
import { WorkerMetrics } from './worker.metrics';

export function createPaystoreClient(config: AppConfig, logger: Logger, metrics: WorkerMetrics): PaystoreClient {
  return new PaystoreClient({
    baseUrl: config.PAYSTORE_BASE_URL,
    clientId: config.PAYSTORE_CLIENT_ID,
    clientSecret: config.PAYSTORE_CLIENT_SECRET,
    subnetAcquirerId: config.PAYSTORE_SUBNET_ACQUIRER_ID,
    timeoutMs: config.PAYSTORE_TIMEOUT_MS,
    onUnknownEnum: (field, value) => logger.warn({ field, value }, 'PayStore sent a value this client does not know'),
    onCall: (e) => {
      metrics.observeProviderCall('paystore', e.operation, e.outcome, e.durationMs);
      logger.debug({ provider: 'paystore', operation: e.operation, outcome: e.outcome, httpStatus: e.httpStatus, ms: Math.round(e.durationMs) }, 'provider call');
    },
    onBreakerStateChange: (operation, state) => {
      metrics.breakerState.set({ provider: 'paystore', operation }, state === 'open' ? 1 : state === 'half_open' ? 0.5 : 0);
      logger.warn({ provider: 'paystore', operation, state }, 'breaker state changed');
    },
  });
}

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

/** Our status for a provider status class; null when the class tells us nothing new. */
export function statusOfClass(cls: IntentClass, cancelReason: 'requested' | 'expired' | null): OperationStatus | null {
  switch (cls) {
    case 'requested':
      return 'pending';
    case 'processing':
      return 'in_progress';
    case 'approved':
      return 'approved';
    case 'declined':
      return 'rejected';
    case 'error':
      return 'failed';
    case 'cancelled':
      // Undone with no cancel of ours: someone cancelled it on the terminal.
      return cancelReason === 'expired' ? 'expired' : 'cancelled';
    case 'cancelling':
    case 'unknown':
      return null;
  }
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
