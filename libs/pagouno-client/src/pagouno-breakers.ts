// One opossum breaker per pagoUno operation, so failing reads do not stop charges and a failing
// charge endpoint does not stop the look-ups that resolve uncertain charges. Only failures that
// say the provider is unwell count (timeouts, network errors, 5xx, 503); a refusal (bad token, bad
// key, any 4xx) and a declined card are answers from a healthy provider. opossum's own timeout is
// off: the HTTP layer's AbortController timeout is the real one.
import { EventEmitter } from 'node:events';
import CircuitBreaker from 'opossum';
import { circuitOpenError, PagounoError } from './pagouno.errors';
import { PAGOUNO_DEFAULTS, PAGOUNO_OPERATIONS, PagounoBreakerOptions, PagounoBreakerState, PagounoOperation } from './pagouno.options';

type Call = () => Promise<unknown>;

const BUCKETS = 10;

/** Whether an error leaves the breaker's failure count alone (opossum `errorFilter`). */
export function isPagounoHealthyFailure(err: unknown): boolean {
  return err instanceof PagounoError && !err.tripsBreaker;
}

export class PagounoBreakers {
  private readonly breakers = new Map<PagounoOperation, CircuitBreaker<[Call], unknown>>();
  private readonly rotation = new EventEmitter();
  private readonly rotationTimer: NodeJS.Timeout;
  private stopped = false;

  constructor(options: PagounoBreakerOptions = {}, onStateChange?: (operation: PagounoOperation, state: PagounoBreakerState) => void) {
    const rollingCountTimeout = options.rollingCountTimeoutMs ?? PAGOUNO_DEFAULTS.rollingCountTimeoutMs;
    this.rotation.setMaxListeners(PAGOUNO_OPERATIONS.length + 1);
    this.rotationTimer = setInterval(() => this.rotation.emit('rotate'), Math.max(1, Math.floor(rollingCountTimeout / BUCKETS)));
    this.rotationTimer.unref();
    for (const operation of PAGOUNO_OPERATIONS) {
      const breaker = new CircuitBreaker<[Call], unknown>((call: Call) => call(), {
        name: `pagouno.${operation}`,
        timeout: false,
        volumeThreshold: options.volumeThreshold ?? PAGOUNO_DEFAULTS.volumeThreshold,
        errorThresholdPercentage: options.errorThresholdPercentage ?? PAGOUNO_DEFAULTS.errorThresholdPercentage,
        resetTimeout: options.resetTimeoutMs ?? PAGOUNO_DEFAULTS.resetTimeoutMs,
        rollingCountTimeout,
        rollingCountBuckets: BUCKETS,
        rollingPercentilesEnabled: false,
        enableSnapshots: false,
        rotateBucketController: this.rotation,
        errorFilter: isPagounoHealthyFailure,
      });
      if (onStateChange) {
        breaker.on('open', () => onStateChange(operation, 'open'));
        breaker.on('halfOpen', () => onStateChange(operation, 'half_open'));
        breaker.on('close', () => onStateChange(operation, 'closed'));
      }
      this.breakers.set(operation, breaker);
    }
  }

  /** Runs `call` through the operation's breaker; an open breaker fails fast with CIRCUIT_OPEN (not sent). */
  async run<T>(operation: PagounoOperation, call: () => Promise<T>): Promise<T> {
    const breaker = this.breaker(operation);
    if (this.stopped) throw circuitOpenError(operation, 'shutdown');
    try {
      return (await breaker.fire(call)) as T;
    } catch (err) {
      if (err instanceof PagounoError) throw err;
      const code = (err as { code?: unknown } | null)?.code;
      if (CircuitBreaker.isOurError(err as Error) && (code === 'EOPENBREAKER' || code === 'ESEMLOCKED')) throw circuitOpenError(operation, 'open');
      if (code === 'ESHUTDOWN') throw circuitOpenError(operation, 'shutdown');
      throw err;
    }
  }

  state(operation: PagounoOperation): PagounoBreakerState {
    const breaker = this.breaker(operation);
    if (breaker.halfOpen) return 'half_open';
    if (breaker.opened || breaker.isShutdown) return 'open';
    return 'closed';
  }

  states(): Record<PagounoOperation, PagounoBreakerState> {
    const out = {} as Record<PagounoOperation, PagounoBreakerState>;
    for (const operation of PAGOUNO_OPERATIONS) out[operation] = this.state(operation);
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

  private breaker(operation: PagounoOperation): CircuitBreaker<[Call], unknown> {
    const breaker = this.breakers.get(operation);
    if (!breaker) throw new TypeError(`unknown pagoUno operation ${String(operation)}`);
    return breaker;
  }
}
