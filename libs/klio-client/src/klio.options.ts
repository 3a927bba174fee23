// Client configuration: the operations the Klio SmartPos client performs, where each one lives
// on the wire, and every knob with its default. Only `tasks-request` and `get-pos-devices` are
// public; the token endpoint, the task look-ups and the cancel are defined by the sandbox, so
// every path is configurable (docs/klio-wire.md).
import type { KlioErrorCode } from './klio.errors';

export const KLIO_OPERATIONS = Object.freeze(['token', 'task.submit', 'task.get', 'task.find', 'task.cancel', 'devices.list'] as const);
export type KlioOperation = (typeof KLIO_OPERATIONS)[number];

/** Operations that change state at Klio: a failure after sending may have left a change behind. */
export const KLIO_MUTATING: ReadonlySet<KlioOperation> = new Set<KlioOperation>(['task.submit', 'task.cancel']);

export type KlioBreakerState = 'closed' | 'open' | 'half_open';

/** One path per operation, relative to `baseUrl`; `{id}` stands for the task id. */
export type KlioPaths = Record<KlioOperation, string>;

const API = '/external/posdevice-api';

export const DEFAULT_KLIO_PATHS: Readonly<KlioPaths> = Object.freeze({
  /** Sandbox-defined: `POST { clientId, clientSecret }` → `{ accessToken, expiresIn }`. */
  token: '/external/auth-api/token',
  /** Public. */
  'task.submit': `${API}/tasks-request`,
  /** Sandbox-defined. */
  'task.get': `${API}/tasks/{id}`,
  /** Sandbox-defined: `GET …?originID=` → array of tasks. */
  'task.find': `${API}/tasks`,
  /** Sandbox-defined. */
  'task.cancel': `${API}/tasks/{id}/cancel`,
  /** Public. */
  'devices.list': `${API}/get-pos-devices`,
});

export interface KlioBreakerOptions {
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
export interface KlioCallEvent {
  operation: KlioOperation;
  durationMs: number;
  /** `ok`, or the code of the KlioError the call ended with. */
  outcome: 'ok' | KlioErrorCode;
  httpStatus?: number;
}

export interface KlioClientOptions {
  baseUrl: string;
  /** KLIO_CLIENT_ID. */
  clientId: string;
  /** KLIO_CLIENT_SECRET: sent only to the token endpoint, never logged nor put in an error. */
  clientSecret: string;
  /** Per HTTP call, default 10 000. A timed-out call is aborted. */
  timeoutMs?: number;
  /** For `tasks-request`, default `timeoutMs`. */
  submitTimeoutMs?: number;
  /** Renew the token this many seconds before it expires, default 60 (never before half its life). */
  tokenRenewBeforeSeconds?: number;
  breaker?: KlioBreakerOptions;
  /** Unspecified paths keep `DEFAULT_KLIO_PATHS`. */
  paths?: Partial<KlioPaths>;
  onBreakerStateChange?: (operation: KlioOperation, state: KlioBreakerState) => void;
  /** Called once per provider call (token calls and the replay after a 401 included). */
  onCall?: (event: KlioCallEvent) => void;
  /** Called with each status value this client does not know (tolerated, read as unknown). */
  onUnknownEnum?: (field: string, value: string) => void;
  fetch?: typeof fetch;
  now?: () => number;
}

export const KLIO_DEFAULTS = Object.freeze({
  timeoutMs: 10_000,
  tokenRenewBeforeSeconds: 60,
  /** When the token answer says nothing of its lifetime. */
  fallbackTokenTtlSeconds: 300,
  volumeThreshold: 5,
  errorThresholdPercentage: 50,
  resetTimeoutMs: 10_000,
  rollingCountTimeoutMs: 10_000,
});
