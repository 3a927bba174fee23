// One opossum breaker per provider operation, so a failing endpoint does not stop the others.
// Which failures count is the provider's call (`isHealthyFailure`, opossum's `errorFilter`); so is
// the error an open breaker fails fast with (`circuitOpenError`, nothing was sent). opossum's own
// timeout is off: the HTTP layer's AbortController timeout is the real one, and opossum's would
// leave the request running. One bucket-rotation timer serves all the breakers of a client.
import { EventEmitter } from 'node:events';
import CircuitBreaker from 'opossum';

export type OperationBreakerState = 'closed' | 'open' | 'half_open';

export interface OperationBreakerSettings {
  volumeThreshold: number;
  errorThresholdPercentage: number;
  resetTimeoutMs: number;
  rollingCountTimeoutMs: number;
}

export interface OperationBreakersInit<Op extends string> extends OperationBreakerSettings {
  /** Prefix of each breaker's name (`<name>.<operation>`). */
  name: string;
  /** How the provider is named in the error for an operation this set has no breaker for. */
  label: string;
  operations: readonly Op[];
  /** Whether an error leaves the breaker's failure count alone (a refusal, a 4xx…). */
  isHealthyFailure: (err: unknown) => boolean;
  /** The provider's own errors, passed through as they are. */
  isProviderError: (err: unknown) => boolean;
  /** The provider's error for a call refused by an open (or shut down) breaker: not sent. */
  circuitOpenError: (operation: Op, reason: 'open' | 'shutdown') => Error;
  onStateChange?: ((operation: Op, state: OperationBreakerState) => void) | undefined;
}

/** The client's breaker options, each one it leaves out taken from its defaults. */
export function breakerSettings(options: Partial<OperationBreakerSettings>, defaults: OperationBreakerSettings): OperationBreakerSettings {
  return {
    volumeThreshold: options.volumeThreshold ?? defaults.volumeThreshold,
    errorThresholdPercentage: options.errorThresholdPercentage ?? defaults.errorThresholdPercentage,
    resetTimeoutMs: options.resetTimeoutMs ?? defaults.resetTimeoutMs,
    rollingCountTimeoutMs: options.rollingCountTimeoutMs ?? defaults.rollingCountTimeoutMs,
  };
}

type Call = () => Promise<unknown>;

const BUCKETS = 10;

export class OperationBreakers<Op extends string> {
  private readonly breakers = new Map<Op, CircuitBreaker<[Call], unknown>>();
  private readonly rotation = new EventEmitter();
  private readonly rotationTimer: NodeJS.Timeout;
  private readonly operations: readonly Op[];
  private readonly label: string;
  private readonly isProviderError: (err: unknown) => boolean;
  private readonly circuitOpenError: (operation: Op, reason: 'open' | 'shutdown') => Error;
  private stopped = false;

  constructor(init: OperationBreakersInit<Op>) {
    this.operations = init.operations;
    this.label = init.label;
    this.isProviderError = init.isProviderError;
    this.circuitOpenError = init.circuitOpenError;
    const rollingCountTimeout = init.rollingCountTimeoutMs;
    this.rotation.setMaxListeners(init.operations.length + 1);
    this.rotationTimer = setInterval(() => this.rotation.emit('rotate'), Math.max(1, Math.floor(rollingCountTimeout / BUCKETS)));
    this.rotationTimer.unref();
    for (const operation of init.operations) {
      const breaker = new CircuitBreaker<[Call], unknown>((call: Call) => call(), {
        name: `${init.name}.${operation}`,
        timeout: false,
        volumeThreshold: init.volumeThreshold,
        errorThresholdPercentage: init.errorThresholdPercentage,
        resetTimeout: init.resetTimeoutMs,
        rollingCountTimeout,
        rollingCountBuckets: BUCKETS,
        rollingPercentilesEnabled: false,
        enableSnapshots: false,
        rotateBucketController: this.rotation,
        errorFilter: init.isHealthyFailure,
      });
      const report = init.onStateChange;
      if (report) {
        breaker.on('open', () => report(operation, 'open'));
        breaker.on('halfOpen', () => report(operation, 'half_open'));
        breaker.on('close', () => report(operation, 'closed'));
      }
      this.breakers.set(operation, breaker);
    }
  }

  /** Runs `call` through the operation's breaker; an open breaker fails fast with the provider's circuit-open error. */
  async run<T>(operation: Op, call: () => Promise<T>): Promise<T> {
    const breaker = this.breaker(operation);
    if (this.stopped) throw this.circuitOpenError(operation, 'shutdown');
    try {
      return (await breaker.fire(call)) as T;
    } catch (err) {
      if (this.isProviderError(err)) throw err;
      const code = (err as { code?: unknown } | null)?.code;
      if (CircuitBreaker.isOurError(err as Error) && (code === 'EOPENBREAKER' || code === 'ESEMLOCKED')) {
        throw this.circuitOpenError(operation, 'open');
      }
      if (code === 'ESHUTDOWN') throw this.circuitOpenError(operation, 'shutdown');
      throw err;
    }
  }

  state(operation: Op): OperationBreakerState {
    const breaker = this.breaker(operation);
    if (breaker.halfOpen) return 'half_open';
    if (breaker.opened || breaker.isShutdown) return 'open';
    return 'closed';
  }

  states(): Record<Op, OperationBreakerState> {
    const out = {} as Record<Op, OperationBreakerState>;
    for (const operation of this.operations) out[operation] = this.state(operation);
    return out;
  }

  /** Stops every timer; later calls fail with the circuit-open error (not sent). Idempotent. */
  shutdown(): void {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.rotationTimer);
    for (const breaker of this.breakers.values()) breaker.shutdown();
    this.rotation.removeAllListeners();
  }

  private breaker(operation: Op): CircuitBreaker<[Call], unknown> {
    const breaker = this.breakers.get(operation);
    if (!breaker) throw new TypeError(`unknown ${this.label} operation ${String(operation)}`);
    return breaker;
  }
}
