// Client configuration: the operations the client performs, where each lives on the wire, and
// every knob with its default. Only the charge and the query by id are public (docs/pagouno-wire.md);
// the query by external reference and the adjustments are defined by the sandbox, so every path
// is configurable.
import type { PagounoErrorCode } from './pagouno.errors';

/** One breaker each: the charge, the adjustments, and each kind of read apart. */
export const PAGOUNO_OPERATIONS = Object.freeze(['charge', 'transaction.get', 'group.find', 'adjustment.create', 'adjustment.find'] as const);
export type PagounoOperation = (typeof PAGOUNO_OPERATIONS)[number];

/** Operations that change something at the provider: a failure after sending may have applied them. */
export const PAGOUNO_MUTATING: ReadonlySet<PagounoOperation> = new Set<PagounoOperation>(['charge', 'adjustment.create']);

/** Which key authorizes the operation: the private key charges and adjusts, the public key reads. */
export const PAGOUNO_KEY_OF: Readonly<Record<PagounoOperation, 'private' | 'public'>> = Object.freeze({
  charge: 'private',
  'transaction.get': 'public',
  'group.find': 'public',
  'adjustment.create': 'private',
  'adjustment.find': 'public',
});

export type PagounoBreakerState = 'closed' | 'open' | 'half_open';

/** One path per operation, relative to `baseUrl`; `{id}` stands for the transaction id. */
export type PagounoPaths = Record<PagounoOperation, string>;

export const DEFAULT_PAGOUNO_PATHS: Readonly<PagounoPaths> = Object.freeze({
  charge: '/v1/Transaction/purchasegroup',
  'transaction.get': '/v1/Transaction/purchase/{id}',
  /** Not public: `GET …?external_reference=` as the sandbox defines it. */
  'group.find': '/v1/Transaction/purchasegroup',
  /** Not public: the "Ajustes" of one transaction, as the sandbox defines them. */
  'adjustment.create': '/v1/Transaction/purchase/{id}/adjustments',
  /** Not public: `GET …?external_reference=`, the adjustments made with one reference. */
  'adjustment.find': '/v1/Transaction/adjustments',
});

export interface PagounoBreakerOptions {
  /** Calls in the rolling window before the breaker may open. Default 5. */
  volumeThreshold?: number;
  /** Failure percentage above which it opens. Default 50. */
  errorThresholdPercentage?: number;
  /** How long it stays open before one trial call. Default 10 000 ms. */
  resetTimeoutMs?: number;
  /** Length of the rolling statistics window. Default 10 000 ms. */
  rollingCountTimeoutMs?: number;
}

/** One provider call as `onCall` sees it. */
export interface PagounoCallEvent {
  operation: PagounoOperation;
  durationMs: number;
  /** `ok`, or the code of the PagounoError the call ended with. */
  outcome: 'ok' | PagounoErrorCode;
  /** pagoUno's own `status` when it answered one, else the HTTP status. */
  status?: number;
  /** The HTTP status of the answer (200 even for most of pagoUno's refusals). */
  httpStatus?: number;
}

export interface PagounoClientOptions {
  /** `https://api.pagouno.com`, or the sandbox's `<url>/pagouno`. */
  baseUrl: string;
  /** PAGOUNO_PRIVATE_KEY: charges and adjustments. Sent raw in `Authorization`, never logged. */
  privateKey: string;
  /** PAGOUNO_PUBLIC_KEY: reads. */
  publicKey: string;
  /** Per HTTP call, default 10 000. A timed-out call is aborted. */
  timeoutMs?: number;
  /** For the charge and the adjustments, default `timeoutMs`. */
  chargeTimeoutMs?: number;
  breaker?: PagounoBreakerOptions;
  /** Unspecified paths keep `DEFAULT_PAGOUNO_PATHS`. */
  paths?: Partial<PagounoPaths>;
  onBreakerStateChange?: (operation: PagounoOperation, state: PagounoBreakerState) => void;
  /** Called once per call after its breaker; an exception thrown here is ignored. */
  onCall?: (event: PagounoCallEvent) => void;
  fetch?: typeof fetch;
}

export const PAGOUNO_DEFAULTS = Object.freeze({
  baseUrl: 'https://api.pagouno.com',
  timeoutMs: 10_000,
  volumeThreshold: 5,
  errorThresholdPercentage: 50,
  resetTimeoutMs: 10_000,
  rollingCountTimeoutMs: 10_000,
});
