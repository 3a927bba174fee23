// Every failure of a Klio call becomes one KlioError with a stable code and an outcome that says
// what is known of the request's effect. An `unknown` submit must be looked up by its originID,
// never sent again.
import { classifyFetchFailure, clipProviderText, describeFetchFailure, Redact, textOf } from '@app/provider-http';
import { KLIO_MUTATING, KlioOperation } from './klio.options';

export const KlioErrorCode = Object.freeze({
  CircuitOpen: 'KLIO.CIRCUIT_OPEN',
  Unauthorized: 'KLIO.UNAUTHORIZED',
  Invalid: 'KLIO.INVALID_REQUEST',
  BadRequest: 'KLIO.BAD_REQUEST',
  /** A business refusal (an annulment over the remaining amount or older than 30 days…). */
  Refused: 'KLIO.REFUSED',
  NotFound: 'KLIO.NOT_FOUND',
  Conflict: 'KLIO.CONFLICT',
  Unavailable: 'KLIO.UNAVAILABLE',
  Timeout: 'KLIO.TIMEOUT',
  Network: 'KLIO.NETWORK',
  ServerError: 'KLIO.SERVER_ERROR',
  Protocol: 'KLIO.PROTOCOL',
} as const);
export type KlioErrorCode = (typeof KlioErrorCode)[keyof typeof KlioErrorCode];

/**
 * - `not_sent`: nothing reached Klio (breaker open, connection refused, no token);
 * - `not_applied`: Klio said it did not take it in and may later (503, 429, a stale token);
 * - `unknown`: it may have been applied (no answer in time, connection lost, 5xx, unreadable answer);
 * - `rejected`: refused for good (validation, business refusal, 404) — sending it again is pointless;
 * - `conflict`: the task's state does not allow it (cancel of a processed task, a reused originID).
 */
export type KlioOutcome = 'not_sent' | 'not_applied' | 'unknown' | 'rejected' | 'conflict';

export interface KlioErrorInit {
  code: KlioErrorCode;
  outcome: KlioOutcome;
  operation: KlioOperation;
  message: string;
  httpStatus?: number;
  /** Klio's own code from the error body (`ANNULMENT_AMOUNT_EXCEEDED`…). */
  providerCode?: string;
  /** Klio's own reason, one line. */
  providerMessage?: string;
  cause?: unknown;
}

/** Failures that say Klio is unwell; only these count against a breaker. */
const BREAKER_FAILURES: ReadonlySet<KlioErrorCode> = new Set<KlioErrorCode>([
  KlioErrorCode.Timeout,
  KlioErrorCode.Network,
  KlioErrorCode.ServerError,
  KlioErrorCode.Unavailable,
]);

export class KlioError extends Error {
  override readonly name = 'KlioError';
  readonly code: KlioErrorCode;
  readonly outcome: KlioOutcome;
  readonly operation: KlioOperation;
  readonly httpStatus?: number;
  readonly providerCode?: string;
  readonly providerMessage?: string;

  constructor(init: KlioErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.code = init.code;
    this.outcome = init.outcome;
    this.operation = init.operation;
    if (init.httpStatus !== undefined) this.httpStatus = init.httpStatus;
    if (init.providerCode !== undefined) this.providerCode = init.providerCode;
    if (init.providerMessage !== undefined) this.providerMessage = init.providerMessage;
  }

  /** True when this failure says Klio is unwell (timeouts, network errors, 5xx, 503). */
  get tripsBreaker(): boolean {
    return BREAKER_FAILURES.has(this.code);
  }

  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      code: this.code,
      outcome: this.outcome,
      operation: this.operation,
      httpStatus: this.httpStatus,
      providerCode: this.providerCode,
      providerMessage: this.providerMessage,
      message: this.message,
    };
  }
}

export function isKlioError(err: unknown): err is KlioError {
  return err instanceof KlioError;
}

const MAX_TEXT = 300;

function clip(text: string, redact: Redact): string {
  return clipProviderText(text, redact, MAX_TEXT);
}

/**
 * Reads an error body defensively: Klio's `{ code, message }` (sandbox-defined), a list of them in
 * `errors`, or anything else (then neither is known).
 */
export function providerErrorOf(body: unknown, redact: Redact = (t) => t): { code?: string; message?: string } {
  if (body === null || typeof body !== 'object') return {};
  let o = body as Record<string, unknown>;
  const errors = o['errors'];
  if (Array.isArray(errors) && errors[0] !== null && typeof errors[0] === 'object') o = errors[0] as Record<string, unknown>;
  const code = textOf(o['code']) ?? textOf(o['error']);
  const message = textOf(o['message']) ?? textOf(o['title']) ?? textOf(o['detail']) ?? textOf(o['error_description']);
  return {
    ...(code !== undefined ? { code: clip(code, redact) } : {}),
    ...(message !== undefined ? { message: clip(message, redact) } : {}),
  };
}

/** Maps a non-2xx answer to an error. */
export function errorFromResponse(operation: KlioOperation, httpStatus: number, body: unknown, redact?: Redact): KlioError {
  const { code: providerCode, message: providerMessage } = providerErrorOf(body, redact);
  const base = {
    operation,
    httpStatus,
    ...(providerCode !== undefined ? { providerCode } : {}),
    ...(providerMessage !== undefined ? { providerMessage } : {}),
    message: `Klio ${operation} answered HTTP ${httpStatus}${providerCode ? ` ${providerCode}` : ''}${providerMessage ? `: ${providerMessage}` : ''}`,
  };
  if (httpStatus === 401 || httpStatus === 403) return new KlioError({ ...base, code: KlioErrorCode.Unauthorized, outcome: 'not_applied' });
  if (httpStatus === 404) return new KlioError({ ...base, code: KlioErrorCode.NotFound, outcome: 'rejected' });
  if (httpStatus === 409) return new KlioError({ ...base, code: KlioErrorCode.Conflict, outcome: 'conflict' });
  if (httpStatus === 422) return new KlioError({ ...base, code: KlioErrorCode.Refused, outcome: 'rejected' });
  if (httpStatus === 429 || httpStatus === 503) return new KlioError({ ...base, code: KlioErrorCode.Unavailable, outcome: 'not_applied' });
  if (httpStatus >= 400 && httpStatus < 500) return new KlioError({ ...base, code: KlioErrorCode.BadRequest, outcome: 'rejected' });
  if (httpStatus >= 500 && httpStatus < 600) return new KlioError({ ...base, code: KlioErrorCode.ServerError, outcome: 'unknown' });
  return new KlioError({ ...base, code: KlioErrorCode.Protocol, outcome: 'unknown', message: `Klio ${operation} answered an unexpected HTTP ${httpStatus}` });
}

/** Maps a failed `fetch` (no HTTP answer at all). */
export function errorFromFetchFailure(operation: KlioOperation, err: unknown, timedOutAfterMs: number | undefined): KlioError {
  const failure = classifyFetchFailure(err, timedOutAfterMs);
  const message = describeFetchFailure('Klio', operation, failure);
  if (failure.kind === 'timeout') return new KlioError({ code: KlioErrorCode.Timeout, outcome: 'unknown', operation, message, cause: err });
  return new KlioError({
    code: KlioErrorCode.Network,
    // A read-only call that was lost changed nothing; still `unknown` is the honest answer for a write.
    outcome: failure.kind === 'not_connected' ? 'not_sent' : KLIO_MUTATING.has(operation) ? 'unknown' : 'not_applied',
    operation,
    message,
    cause: err,
  });
}

export function protocolError(operation: KlioOperation, httpStatus: number, detail: string): KlioError {
  return new KlioError({
    code: KlioErrorCode.Protocol,
    outcome: 'unknown',
    operation,
    httpStatus,
    message: `Klio ${operation} answered HTTP ${httpStatus} with a body this client cannot read: ${detail}`,
  });
}

export function circuitOpenError(operation: KlioOperation, reason: 'open' | 'shutdown'): KlioError {
  return new KlioError({
    code: KlioErrorCode.CircuitOpen,
    outcome: 'not_sent',
    operation,
    message: reason === 'open' ? `Klio ${operation} breaker is open: the call was not sent` : `Klio client is shut down: ${operation} was not sent`,
  });
}

/** A request this client refuses to send (it could never succeed). */
export function invalidRequest(operation: KlioOperation, message: string, providerCode?: string): KlioError {
  return new KlioError({
    code: KlioErrorCode.Invalid,
    outcome: 'rejected',
    operation,
    message: `Klio ${operation} not sent: ${message}`,
    providerMessage: message,
    ...(providerCode !== undefined ? { providerCode } : {}),
  });
}

/** No token could be had, so `requested` never left. */
export function tokenFailureError(requested: KlioOperation, tokenError: KlioError): KlioError {
  return new KlioError({
    code: tokenError.code,
    outcome: 'not_sent',
    operation: 'token',
    message: `${tokenError.message} (so ${requested} was not sent)`,
    ...(tokenError.httpStatus !== undefined ? { httpStatus: tokenError.httpStatus } : {}),
    ...(tokenError.providerCode !== undefined ? { providerCode: tokenError.providerCode } : {}),
    cause: tokenError,
  });
}
