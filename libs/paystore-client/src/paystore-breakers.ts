// One opossum circuit breaker per PayStore operation, so a failing settlement endpoint does not
// stop payments. Only failures that say the provider is unwell count (timeouts, network errors,
// 5xx); a 4xx is an answer from a healthy provider. The breakers' own timeout is off: the HTTP
// layer's AbortController timeout is the real one, and opossum's would leave the request running.
import { EventEmitter } from 'node:events';
import CircuitBreaker from 'opossum';
import { circuitOpenError, PaystoreError } from './paystore.errors';
import { BreakerState, PAYSTORE_DEFAULTS, PAYSTORE_OPERATIONS, PaystoreOperation } from './paystore.options';

export interface PaystoreBreakersOptions {
  volumeThreshold?: number;
  errorThresholdPercentage?: number;
  resetTimeoutMs?: number;
  rollingCountTimeoutMs?: number;
  onStateChange?: (operation: PaystoreOperation, state: BreakerState) => void;
}

type Call = () => Promise<unknown>;

const BUCKETS = 10;

/** Whether an error leaves the breaker's failure count alone (opossum `errorFilter`). */
export function isHealthyFailure(err: unknown): boolean {
  return err instanceof PaystoreError && !err.tripsBreaker;
}

export class PaystoreBreakers {
  private readonly breakers: Map<PaystoreOperation, CircuitBreaker<[Call], unknown>>;
  /** One bucket-rotation timer for all breakers instead of two timers each. */
  private readonly rotation = new EventEmitter();
  private readonly rotationTimer: NodeJS.Timeout;
  private stopped = false;

  constructor(options: PaystoreBreakersOptions = {}) {
    const rollingCountTimeout = options.rollingCountTimeoutMs ?? PAYSTORE_DEFAULTS.rollingCountTimeoutMs;
    this.rotation.setMaxListeners(PAYSTORE_OPERATIONS.length + 1);
    this.rotationTimer = setInterval(() => this.rotation.emit('rotate'), Math.max(1, Math.floor(rollingCountTimeout / BUCKETS)));
    this.rotationTimer.unref();

    this.breakers = new Map();
    for (const operation of PAYSTORE_OPERATIONS) {
      const breaker = new CircuitBreaker<[Call], unknown>((call: Call) => call(), {
        name: `paystore.${operation}`,
        timeout: false,
        volumeThreshold: options.volumeThreshold ?? PAYSTORE_DEFAULTS.volumeThreshold,
        errorThresholdPercentage: options.errorThresholdPercentage ?? PAYSTORE_DEFAULTS.errorThresholdPercentage,
        resetTimeout: options.resetTimeoutMs ?? PAYSTORE_DEFAULTS.resetTimeoutMs,
        rollingCountTimeout,
        rollingCountBuckets: BUCKETS,
        rollingPercentilesEnabled: false,
        enableSnapshots: false,
        rotateBucketController: this.rotation,
        errorFilter: isHealthyFailure,
      });
      const report = options.onStateChange;
      if (report) {
        breaker.on('open', () => report(operation, 'open'));
        breaker.on('halfOpen', () => report(operation, 'half_open'));
        breaker.on('close', () => report(operation, 'closed'));
      }
      this.breakers.set(operation, breaker);
    }
  }

  /** Runs `call` through the operation's breaker; an open breaker fails fast with CIRCUIT_OPEN. */
  async run<T>(operation: PaystoreOperation, call: () => Promise<T>): Promise<T> {
    const breaker = this.breaker(operation);
    if (this.stopped) throw circuitOpenError(operation, 'shutdown');
    try {
      return (await breaker.fire(call)) as T;
    } catch (err) {
      if (err instanceof PaystoreError) throw err;
      const code = (err as { code?: unknown } | null)?.code;
      if (CircuitBreaker.isOurError(err as Error) && (code === 'EOPENBREAKER' || code === 'ESEMLOCKED')) {
        throw circuitOpenError(operation, 'open');
      }
      if (code === 'ESHUTDOWN') throw circuitOpenError(operation, 'shutdown');
      throw err;
    }
  }

  state(operation: PaystoreOperation): BreakerState {
    const breaker = this.breaker(operation);
    if (breaker.halfOpen) return 'half_open';
    if (breaker.opened || breaker.isShutdown) return 'open';
    return 'closed';
  }

  states(): Record<PaystoreOperation, BreakerState> {
    const out = {} as Record<PaystoreOperation, BreakerState>;
    for (const operation of PAYSTORE_OPERATIONS) out[operation] = this.state(operation);
    return out;
  }

  /** Stops every timer; later calls fail with CIRCUIT_OPEN (not sent). Idempotent. */
  shutdown(): void {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.rotationTimer);
    for (const breaker of this.breakers.values()) breaker.shutdown();
    this.rotation.removeAllListeners();
  }

  private breaker(operation: PaystoreOperation): CircuitBreaker<[Call], unknown> {
    const breaker = this.breakers.get(operation);
    if (!breaker) throw new TypeError(`unknown PayStore operation ${String(operation)}`);
    return breaker;
  }
}
