// One opossum breaker per Klio operation, so a failing look-up endpoint does not stop submits
// (and the other way round). Only failures that say Klio is unwell count (timeouts, network
// errors, 5xx, 503); a 4xx or a business refusal is an answer from a healthy provider. The
// breakers' own timeout is off: the AbortController timeout of the HTTP call is the real one.
import { EventEmitter } from 'node:events';
import CircuitBreaker from 'opossum';
import { circuitOpenError, KlioError } from './klio.errors';
import { KLIO_DEFAULTS, KLIO_OPERATIONS, KlioBreakerOptions, KlioBreakerState, KlioOperation } from './klio.options';

type Call = () => Promise<unknown>;
const BUCKETS = 10;

/** Whether an error leaves the breaker's failure count alone (opossum `errorFilter`). */
export function isHealthyKlioFailure(err: unknown): boolean {
  return err instanceof KlioError && !err.tripsBreaker;
}

export class KlioBreakers {
  private readonly breakers = new Map<KlioOperation, CircuitBreaker<[Call], unknown>>();
  private readonly rotation = new EventEmitter();
  private readonly rotationTimer: NodeJS.Timeout;
  private stopped = false;

  constructor(options: KlioBreakerOptions & { onStateChange?: (operation: KlioOperation, state: KlioBreakerState) => void } = {}) {
    const rollingCountTimeout = options.rollingCountTimeoutMs ?? KLIO_DEFAULTS.rollingCountTimeoutMs;
    this.rotation.setMaxListeners(KLIO_OPERATIONS.length + 1);
    this.rotationTimer = setInterval(() => this.rotation.emit('rotate'), Math.max(1, Math.floor(rollingCountTimeout / BUCKETS)));
    this.rotationTimer.unref();
    for (const operation of KLIO_OPERATIONS) {
      const breaker = new CircuitBreaker<[Call], unknown>((call: Call) => call(), {
        name: `klio.${operation}`,
        timeout: false,
        volumeThreshold: options.volumeThreshold ?? KLIO_DEFAULTS.volumeThreshold,
        errorThresholdPercentage: options.errorThresholdPercentage ?? KLIO_DEFAULTS.errorThresholdPercentage,
        resetTimeout: options.resetTimeoutMs ?? KLIO_DEFAULTS.resetTimeoutMs,
        rollingCountTimeout,
        rollingCountBuckets: BUCKETS,
        rollingPercentilesEnabled: false,
        enableSnapshots: false,
        rotateBucketController: this.rotation,
        errorFilter: isHealthyKlioFailure,
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

  async run<T>(operation: KlioOperation, call: () => Promise<T>): Promise<T> {
    const breaker = this.breaker(operation);
    if (this.stopped) throw circuitOpenError(operation, 'shutdown');
    try {
      return (await breaker.fire(call)) as T;
    } catch (err) {
      if (err instanceof KlioError) throw err;
      const code = (err as { code?: unknown } | null)?.code;
      if (code === 'EOPENBREAKER' || code === 'ESEMLOCKED') throw circuitOpenError(operation, 'open');
      if (code === 'ESHUTDOWN') throw circuitOpenError(operation, 'shutdown');
      throw err;
    }
  }

  state(operation: KlioOperation): KlioBreakerState {
    const breaker = this.breaker(operation);
    if (breaker.halfOpen) return 'half_open';
    if (breaker.opened || breaker.isShutdown) return 'open';
    return 'closed';
  }

  states(): Record<KlioOperation, KlioBreakerState> {
    const out = {} as Record<KlioOperation, KlioBreakerState>;
    for (const operation of KLIO_OPERATIONS) out[operation] = this.state(operation);
    return out;
  }

  shutdown(): void {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.rotationTimer);
    for (const breaker of this.breakers.values()) breaker.shutdown();
    this.rotation.removeAllListeners();
  }

  private breaker(operation: KlioOperation): CircuitBreaker<[Call], unknown> {
    const breaker = this.breakers.get(operation);
    if (!breaker) throw new TypeError(`unknown Klio operation ${String(operation)}`);
    return breaker;
  }
}
