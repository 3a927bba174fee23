// Client configuration: the operations the client performs, where each one lives on the wire,
// and every knob with its default. Paths and the token request style are configurable because
// the public knowledge of the real API is thin (docs/paystore-wire.md).
import type { PaystoreErrorCode } from './paystore.errors';

export const PAYSTORE_OPERATIONS = Object.freeze([
  'token',
  'liveness',
  'payment.create',
  'payment.get',
  'payment.search',
  'payment.cancel',
  'payment.confirm',
  'reversal.create',
  'reversal.get',
  'reversal.list',
  'reversal.cancel',
  'refund.create',
  'refund.get',
  'refund.list',
  'refund.cancel',
  'settlement.create',
  'settlement.get',
  'settlement.list',
] as const);
export type PaystoreOperation = (typeof PAYSTORE_OPERATIONS)[number];

/**
 * Operations that change state at the provider. A failure after such a request may have left a
 * change behind, so its outcome is `unknown` unless the provider said otherwise.
 */
export const MUTATING_OPERATIONS: ReadonlySet<PaystoreOperation> = new Set<PaystoreOperation>([
  'payment.create',
  'payment.cancel',
  'payment.confirm',
  'reversal.create',
  'reversal.cancel',
  'refund.create',
  'refund.cancel',
  'settlement.create',
]);

export type BreakerState = 'closed' | 'open' | 'half_open';

/** One path per operation, relative to `baseUrl`; `{id}` stands for the operation's subject id. */
export type PaystorePaths = Record<PaystoreOperation, string>;

const PAYMENTS = '/v1/paystore_terminals/terminal_payments';
const REVERSALS = '/v1/paystore_terminals/terminal_reversals';
const REFUNDS = '/v1/paystore_terminals/terminal_refunds';
const SETTLEMENTS = '/v1/paystore_terminals/terminal_settlements';

export const DEFAULT_PAYSTORE_PATHS: Readonly<PaystorePaths> = Object.freeze({
  token: '/v1/oauth/accesstoken',
  liveness: `${PAYMENTS}/health/liveness`,
  'payment.create': `${PAYMENTS}/payments`,
  'payment.get': `${PAYMENTS}/payments/{id}`,
  'payment.search': `${PAYMENTS}/payments/searches`,
  'payment.cancel': `${PAYMENTS}/payments/{id}/cancellations`,
  'payment.confirm': `${PAYMENTS}/payments/{id}/confirmations`,
  'reversal.create': `${REVERSALS}/reversals`,
  'reversal.get': `${REVERSALS}/reversals/{id}`,
  'reversal.list': `${REVERSALS}/reversals`,
  'reversal.cancel': `${REVERSALS}/reversals/{id}/cancellations`,
  'refund.create': `${REFUNDS}/refunds`,
  'refund.get': `${REFUNDS}/refunds/{id}`,
  'refund.list': `${REFUNDS}/refunds`,
  'refund.cancel': `${REFUNDS}/refunds/{id}/cancellations`,
  'settlement.create': `${SETTLEMENTS}/settlements`,
  'settlement.get': `${SETTLEMENTS}/settlements/{id}`,
  'settlement.list': `${SETTLEMENTS}/settlements`,
});

/**
 * How the token is requested. `get-query` (default): `GET …?grant_type=client_credentials`;
 * `post-json`: `POST` with `{"grant_type":"client_credentials"}`; `post-form`: `POST` form-encoded.
 */
export type PaystoreTokenRequestStyle = 'get-query' | 'post-json' | 'post-form';

export interface PaystoreBreakerOptions {
  /** Calls in the rolling window before the breaker may open. Default 5. */
  volumeThreshold?: number;
  /** Failure percentage above which it opens. Default 50. */
  errorThresholdPercentage?: number;
  /** How long it stays open before letting one trial call through. Default 10 000 ms. */
  resetTimeoutMs?: number;
  /** Length of the rolling statistics window. Default 10 000 ms. */
  rollingCountTimeoutMs?: number;
}

/** Where the client writes its few warnings. Nest's `Logger` fits. */
export interface PaystoreLogger {
  warn(message: string): void;
}

/** One provider call as `onCall` sees it. */
export interface PaystoreCallEvent {
  operation: PaystoreOperation;
  /** Wall time of the call through its breaker; about 0 when the breaker refused it. */
  durationMs: number;
  /** `ok`, or the code of the PaystoreError the call ended with (`PAYSTORE.CIRCUIT_OPEN` when refused). */
  outcome: 'ok' | PaystoreErrorCode;
  /** The provider's HTTP status, when it answered. */
  httpStatus?: number;
}

export interface PaystoreClientOptions {
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  /** `"1"` sandbox, `"9"` homologation, `"2"` production. */
  subnetAcquirerId: string;
  /** Per HTTP call, default 10 000. A timed-out call is aborted, not left running. */
  timeoutMs?: number;
  /** For creates, default `timeoutMs`. */
  createTimeoutMs?: number;
  /** Renew the token this many seconds before it expires, default 300 (see the token cache). */
  tokenRenewBeforeSeconds?: number;
  tokenRequestStyle?: PaystoreTokenRequestStyle;
  breaker?: PaystoreBreakerOptions;
  /** Every path configurable; unspecified ones keep `DEFAULT_PAYSTORE_PATHS`. */
  paths?: Partial<PaystorePaths>;
  /** Defaults for `ecr_provider`, `ecr_name`, `ecr_version`. */
  ecr?: { provider: string; name: string; version: string };
  /**
   * Called with each unknown enum value the client tolerated. Default: a warning through `logger`
   * (or `process.emitWarning`), once per field and value.
   */
  onUnknownEnum?: (field: string, value: string) => void;
  onBreakerStateChange?: (operation: PaystoreOperation, state: BreakerState) => void;
  /**
   * Called once per provider call (token requests and the replay after a 401 included), after it
   * went through its breaker. An exception thrown here is ignored: observing never fails a call.
   */
  onCall?: (event: PaystoreCallEvent) => void;
  logger?: PaystoreLogger;
  fetch?: typeof fetch;
  /** Clock for the token cache; tests pass a fake one. */
  now?: () => number;
}

export const PAYSTORE_DEFAULTS = Object.freeze({
  timeoutMs: 10_000,
  tokenRenewBeforeSeconds: 300,
  tokenRequestStyle: 'get-query' as PaystoreTokenRequestStyle,
  volumeThreshold: 5,
  errorThresholdPercentage: 50,
  resetTimeoutMs: 10_000,
  rollingCountTimeoutMs: 10_000,
  ecr: Object.freeze({ provider: 'ecr-bridge', name: 'ecr-bridge', version: '0.1.0' }),
});
