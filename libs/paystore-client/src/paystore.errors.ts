// Every failure of a PayStore call becomes one PaystoreError with a stable dotted code and, most
// important for payments, an outcome: was the request not sent, sent and not applied, or is it
// unknown whether the provider applied it. An unknown create must be looked up by its
// ecr_transaction_id, never sent again.
import {
  classifyFetchFailure,
  clipProviderText,
  CONNECT_FAILURE_CODES,
  describeFetchFailure,
  FetchFailureRules,
  networkErrorCode as sharedNetworkErrorCode,
  Redact,
  textOf,
} from '@app/provider-http';
import { MUTATING_OPERATIONS, PaystoreOperation } from './paystore.options';

export const PaystoreErrorCode = Object.freeze({
  CircuitOpen: 'PAYSTORE.CIRCUIT_OPEN',
  Unauthorized: 'PAYSTORE.UNAUTHORIZED',
  BadRequest: 'PAYSTORE.BAD_REQUEST',
  NotFound: 'PAYSTORE.NOT_FOUND',
  Conflict: 'PAYSTORE.CONFLICT',
  Unavailable: 'PAYSTORE.UNAVAILABLE',
  Timeout: 'PAYSTORE.TIMEOUT',
  Network: 'PAYSTORE.NETWORK',
  ServerError: 'PAYSTORE.SERVER_ERROR',
  Protocol: 'PAYSTORE.PROTOCOL',
} as const);
export type PaystoreErrorCode = (typeof PaystoreErrorCode)[keyof typeof PaystoreErrorCode];

/**
 * - `not_sent`: the request never reached the provider (breaker open, connection refused, no token).
 * - `not_applied`: the provider answered that it did not process it (4xx, 503).
 * - `unknown`: it may have been applied (no answer in time, connection lost after sending, 5xx,
 *   an answer that cannot be read).
 */
export type PaystoreOutcome = 'not_sent' | 'not_applied' | 'unknown';

export interface PaystoreProviderError {
  status?: string;
  code?: string;
  title?: string;
  acquirerMessage?: string;
}

export interface PaystoreErrorInit {
  code: PaystoreErrorCode;
  outcome: PaystoreOutcome;
  operation: PaystoreOperation;
  message: string;
  httpStatus?: number;
  providerErrors?: PaystoreProviderError[];
  cause?: unknown;
}

/** Failures that say the provider is unwell; only these count against a breaker. */
const BREAKER_FAILURES: ReadonlySet<PaystoreErrorCode> = new Set<PaystoreErrorCode>([
  PaystoreErrorCode.Timeout,
  PaystoreErrorCode.Network,
  PaystoreErrorCode.ServerError,
  PaystoreErrorCode.Unavailable,
]);

export class PaystoreError extends Error {
  override readonly name = 'PaystoreError';
  readonly code: PaystoreErrorCode;
  readonly outcome: PaystoreOutcome;
  readonly httpStatus?: number;
  readonly operation: PaystoreOperation;
  readonly providerErrors: PaystoreProviderError[];

  constructor(init: PaystoreErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.code = init.code;
    this.outcome = init.outcome;
    this.operation = init.operation;
    this.providerErrors = init.providerErrors ?? [];
    if (init.httpStatus !== undefined) this.httpStatus = init.httpStatus;
  }

  /** True when this failure says the provider is unwell (timeouts, network errors, 5xx). */
  get tripsBreaker(): boolean {
    return BREAKER_FAILURES.has(this.code);
  }

  /** The first provider error code (`INVALID_STATE`, `BRAND_NOT_ALLOWED`…), when the body had one. */
  get providerCode(): string | undefined {
    return this.providerErrors.find((e) => e.code)?.code;
  }

  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      code: this.code,
      outcome: this.outcome,
      operation: this.operation,
      httpStatus: this.httpStatus,
      message: this.message,
      providerErrors: this.providerErrors,
    };
  }
}

export function isPaystoreError(err: unknown): err is PaystoreError {
  return err instanceof PaystoreError;
}

/** True when the failed call may have been applied at the provider: look it up, never resend. */
export function isOutcomeUnknown(err: unknown): boolean {
  return err instanceof PaystoreError && err.outcome === 'unknown';
}

/** Provider text can end up in logs; never let it carry more than a line. */
const keep: Redact = (text) => text;
const MAX_TEXT = 300;

function clip(text: string, redact: Redact): string {
  return clipProviderText(text, redact, MAX_TEXT);
}

function providerErrorOf(item: unknown, redact: Redact): PaystoreProviderError | undefined {
  if (item === null || typeof item !== 'object') return undefined;
  const o = item as Record<string, unknown>;
  const status = textOf(o['status']);
  const code = textOf(o['code']) ?? textOf(o['error']);
  const title = textOf(o['title']) ?? textOf(o['message']) ?? textOf(o['error_description']) ?? textOf(o['detail']);
  const acquirer = textOf(o['acquirer_message']) ?? textOf(o['acquirerMessage']);
  if (status === undefined && code === undefined && title === undefined && acquirer === undefined) return undefined;
  const out: PaystoreProviderError = {};
  if (status !== undefined) out.status = clip(status, redact);
  if (code !== undefined) out.code = clip(code, redact);
  if (title !== undefined) out.title = clip(title, redact);
  if (acquirer !== undefined) out.acquirerMessage = clip(acquirer, redact);
  return out;
}

/**
 * Reads an error body defensively: `{ errors: [ { status, code, title, acquirer_message } ] }`,
 * `{ errors: [ { code, message } ] }`, a single `{ code, message }` object, an OAuth style
 * `{ error, error_description }`, or anything else (then no provider errors).
 */
export function parseProviderErrors(body: unknown, redact: Redact = keep): PaystoreProviderError[] {
  if (body === null || typeof body !== 'object') return [];
  const errors = (body as Record<string, unknown>)['errors'];
  if (Array.isArray(errors)) {
    return errors.map((e) => providerErrorOf(e, redact)).filter((e): e is PaystoreProviderError => e !== undefined);
  }
  if (errors !== null && typeof errors === 'object') {
    const one = providerErrorOf(errors, redact);
    return one ? [one] : [];
  }
  const one = providerErrorOf(body, redact);
  return one ? [one] : [];
}

function describe(operation: PaystoreOperation, status: number, errors: PaystoreProviderError[]): string {
  const first = errors[0];
  const code = first?.code ? ` ${first.code}` : '';
  const title = first?.title ? `: ${first.title}` : '';
  return `PayStore ${operation} answered HTTP ${status}${code}${title}`;
}

/** Maps a non-2xx answer to an error. The body is whatever JSON (or nothing) came with it. */
export function errorFromResponse(
  operation: PaystoreOperation,
  httpStatus: number,
  body: unknown,
  redact: Redact = keep,
): PaystoreError {
  const providerErrors = parseProviderErrors(body, redact);
  const message = describe(operation, httpStatus, providerErrors);
  const base = { operation, httpStatus, providerErrors, message };
  if (httpStatus === 401 || httpStatus === 403) {
    return new PaystoreError({ ...base, code: PaystoreErrorCode.Unauthorized, outcome: 'not_applied' });
  }
  if (httpStatus === 404) return new PaystoreError({ ...base, code: PaystoreErrorCode.NotFound, outcome: 'not_applied' });
  if (httpStatus === 409) return new PaystoreError({ ...base, code: PaystoreErrorCode.Conflict, outcome: 'not_applied' });
  // 429 and 503: the provider says it did not take the request in.
  if (httpStatus === 429 || httpStatus === 503) {
    return new PaystoreError({ ...base, code: PaystoreErrorCode.Unavailable, outcome: 'not_applied' });
  }
  if (httpStatus >= 400 && httpStatus < 500) {
    return new PaystoreError({ ...base, code: PaystoreErrorCode.BadRequest, outcome: 'not_applied' });
  }
  if (httpStatus >= 500 && httpStatus < 600) {
    return new PaystoreError({ ...base, code: PaystoreErrorCode.ServerError, outcome: 'unknown' });
  }
  return new PaystoreError({
    ...base,
    code: PaystoreErrorCode.Protocol,
    outcome: 'unknown',
    message: `PayStore ${operation} answered an unexpected HTTP ${httpStatus}`,
  });
}

/**
 * Errors raised before any byte left: the connection was never made (refused, unresolvable,
 * unreachable, or a TLS certificate refused before the request was written).
 */
const NOT_SENT_NETWORK_CODES: ReadonlySet<string> = new Set([
  ...CONNECT_FAILURE_CODES,
  'EAI_NONAME',
  'EHOSTDOWN',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
]);

/** Also reads happy-eyeballs' AggregateError: not sent when every address refused. */
const FETCH_FAILURE_RULES: FetchFailureRules = { notSentCodes: NOT_SENT_NETWORK_CODES, readAggregateErrors: true };

/** The first `code` along an error's cause chain (undici wraps the socket error in `cause`). */
export function networkErrorCode(err: unknown): string | undefined {
  return sharedNetworkErrorCode(err, FETCH_FAILURE_RULES);
}

/** Maps a failed `fetch` (no HTTP answer at all). */
export function errorFromFetchFailure(
  operation: PaystoreOperation,
  err: unknown,
  timedOutAfterMs: number | undefined,
): PaystoreError {
  const failure = classifyFetchFailure(err, timedOutAfterMs, FETCH_FAILURE_RULES);
  const message = describeFetchFailure('PayStore', operation, failure);
  if (failure.kind === 'timeout') return new PaystoreError({ code: PaystoreErrorCode.Timeout, outcome: 'unknown', operation, message, cause: err });
  return new PaystoreError({ code: PaystoreErrorCode.Network, outcome: failure.kind === 'not_connected' ? 'not_sent' : 'unknown', operation, message, cause: err });
}

/** An answer that came but cannot be read as what the operation answers. */
export function protocolError(operation: PaystoreOperation, httpStatus: number, detail: string, cause?: unknown): PaystoreError {
  return new PaystoreError({
    code: PaystoreErrorCode.Protocol,
    outcome: 'unknown',
    operation,
    httpStatus,
    message: `PayStore ${operation} answered HTTP ${httpStatus} with an unreadable body: ${detail}`,
    cause,
  });
}

/** Rejected by an open (or shut down) breaker: nothing was sent. */
export function circuitOpenError(operation: PaystoreOperation, reason: 'open' | 'shutdown'): PaystoreError {
  return new PaystoreError({
    code: PaystoreErrorCode.CircuitOpen,
    outcome: 'not_sent',
    operation,
    message:
      reason === 'open'
        ? `PayStore ${operation} breaker is open: the call was not sent`
        : `PayStore client is shut down: ${operation} was not sent`,
  });
}

/**
 * A token could not be had, so the API request for `operation` never left. The code is the token
 * failure's; the outcome is `not_sent` whatever the token call's own outcome was.
 */
export function tokenFailureError(requested: PaystoreOperation, tokenError: PaystoreError): PaystoreError {
  return new PaystoreError({
    code: tokenError.code,
    outcome: 'not_sent',
    operation: 'token',
    message: `${tokenError.message} (so ${requested} was not sent)`,
    providerErrors: tokenError.providerErrors,
    ...(tokenError.httpStatus !== undefined ? { httpStatus: tokenError.httpStatus } : {}),
    cause: tokenError,
  });
}

export function isMutating(operation: PaystoreOperation): boolean {
  return MUTATING_OPERATIONS.has(operation);
}
