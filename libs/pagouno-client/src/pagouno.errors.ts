// Every failed pagoUno call becomes one PagounoError with a stable code and an outcome that says
// what is known of the request: never sent, refused by the provider (nothing applied), or unknown
// (it may have been applied: look it up by external reference, never send it again). pagoUno
// answers HTTP 200 with its own `status`; that status is read like an HTTP one.
import { classifyFetchFailure, clipProviderText, describeFetchFailure } from '@app/provider-http';
import { PAGOUNO_MUTATING, PagounoOperation } from './pagouno.options';

export const PagounoErrorCode = Object.freeze({
  CircuitOpen: 'PAGOUNO.CIRCUIT_OPEN',
  InvalidRequest: 'PAGOUNO.INVALID_REQUEST',
  BadRequest: 'PAGOUNO.BAD_REQUEST',
  Unauthorized: 'PAGOUNO.UNAUTHORIZED',
  NotFound: 'PAGOUNO.NOT_FOUND',
  Conflict: 'PAGOUNO.CONFLICT',
  Unavailable: 'PAGOUNO.UNAVAILABLE',
  Timeout: 'PAGOUNO.TIMEOUT',
  Network: 'PAGOUNO.NETWORK',
  ServerError: 'PAGOUNO.SERVER_ERROR',
  Protocol: 'PAGOUNO.PROTOCOL',
} as const);
export type PagounoErrorCode = (typeof PagounoErrorCode)[keyof typeof PagounoErrorCode];

/**
 * - `not_sent`: nothing left (breaker open, invalid input, connection refused);
 * - `rejected`: pagoUno answered that it did not apply it (bad token, bad key, 4xx, 503);
 * - `unknown`: it may have been applied (no answer in time, connection lost, 5xx, unreadable answer).
 */
export type PagounoOutcome = 'not_sent' | 'rejected' | 'unknown';

export interface PagounoErrorInit {
  code: PagounoErrorCode;
  outcome: PagounoOutcome;
  operation: PagounoOperation;
  message: string;
  /** pagoUno's `status` (or the HTTP status when the answer had none). */
  status?: number;
  cause?: unknown;
}

/** Only these say the provider is unwell and count against a breaker. */
const BREAKER_FAILURES: ReadonlySet<PagounoErrorCode> = new Set<PagounoErrorCode>([
  PagounoErrorCode.Timeout,
  PagounoErrorCode.Network,
  PagounoErrorCode.ServerError,
  PagounoErrorCode.Unavailable,
]);

export class PagounoError extends Error {
  override readonly name = 'PagounoError';
  readonly code: PagounoErrorCode;
  readonly outcome: PagounoOutcome;
  readonly operation: PagounoOperation;
  readonly status?: number;

  constructor(init: PagounoErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.code = init.code;
    this.outcome = init.outcome;
    this.operation = init.operation;
    if (init.status !== undefined) this.status = init.status;
  }

  get tripsBreaker(): boolean {
    return BREAKER_FAILURES.has(this.code);
  }

  toJSON(): Record<string, unknown> {
    return { name: this.name, code: this.code, outcome: this.outcome, operation: this.operation, status: this.status, message: this.message };
  }
}

export function isPagounoError(err: unknown): err is PagounoError {
  return err instanceof PagounoError;
}

/** The failed call may have been applied: look it up, never resend. */
export function isPagounoOutcomeUnknown(err: unknown): boolean {
  return err instanceof PagounoError && err.outcome === 'unknown';
}

const MAX_TEXT = 200;

/** Provider text for a message: one line, bounded, with the caller's secrets taken out. */
export function clipText(text: string, redact: (t: string) => string = (t) => t): string {
  return clipProviderText(text, redact, MAX_TEXT);
}

/**
 * A refusal in pagoUno's own `status` (or an HTTP status when the answer is not pagoUno's):
 * 400 bad request (a bad or used token, a malformed body), 401/403 not authorized (a bad key),
 * 404, 409, 429/503 not taken, 5xx unknown.
 */
export function errorFromStatus(operation: PagounoOperation, status: number, providerMessage: string | undefined): PagounoError {
  const said = providerMessage ? `: ${providerMessage}` : '';
  const message = `pagoUno ${operation} answered status ${status}${said}`;
  const base = { operation, status, message };
  if (status === 401 || status === 403) return new PagounoError({ ...base, code: PagounoErrorCode.Unauthorized, outcome: 'rejected' });
  if (status === 404) return new PagounoError({ ...base, code: PagounoErrorCode.NotFound, outcome: 'rejected' });
  if (status === 409) return new PagounoError({ ...base, code: PagounoErrorCode.Conflict, outcome: 'rejected' });
  if (status === 429 || status === 503) return new PagounoError({ ...base, code: PagounoErrorCode.Unavailable, outcome: 'rejected' });
  if (status >= 400 && status < 500) return new PagounoError({ ...base, code: PagounoErrorCode.BadRequest, outcome: 'rejected' });
  if (status >= 500 && status < 600) {
    return new PagounoError({ ...base, code: PagounoErrorCode.ServerError, outcome: mutatingOutcome(operation) });
  }
  return new PagounoError({ ...base, code: PagounoErrorCode.Protocol, outcome: mutatingOutcome(operation) });
}

/** A failed read changed nothing; a failed charge or adjustment may have. */
function mutatingOutcome(operation: PagounoOperation): PagounoOutcome {
  return PAGOUNO_MUTATING.has(operation) ? 'unknown' : 'rejected';
}

/** A `fetch` that got no answer: a timeout or a lost connection may have been applied. */
export function errorFromFetchFailure(operation: PagounoOperation, err: unknown, timedOutAfterMs: number | undefined): PagounoError {
  const failure = classifyFetchFailure(err, timedOutAfterMs);
  const message = describeFetchFailure('pagoUno', operation, failure);
  if (failure.kind === 'timeout') return new PagounoError({ code: PagounoErrorCode.Timeout, outcome: 'unknown', operation, message, cause: err });
  return new PagounoError({ code: PagounoErrorCode.Network, outcome: failure.kind === 'not_connected' ? 'not_sent' : 'unknown', operation, message, cause: err });
}

export function protocolError(operation: PagounoOperation, status: number, detail: string): PagounoError {
  return new PagounoError({
    code: PagounoErrorCode.Protocol,
    outcome: mutatingOutcome(operation),
    operation,
    status,
    message: `pagoUno ${operation} answered HTTP ${status} with an unreadable body: ${detail}`,
  });
}

export function circuitOpenError(operation: PagounoOperation, reason: 'open' | 'shutdown'): PagounoError {
  return new PagounoError({
    code: PagounoErrorCode.CircuitOpen,
    outcome: 'not_sent',
    operation,
    message: reason === 'open' ? `pagoUno ${operation} breaker is open: the call was not sent` : `pagoUno client is shut down: ${operation} was not sent`,
  });
}

export function invalidRequestError(operation: PagounoOperation, detail: string): PagounoError {
  return new PagounoError({ code: PagounoErrorCode.InvalidRequest, outcome: 'not_sent', operation, message: `pagoUno ${operation} not sent: ${detail}` });
}
