// One opossum circuit breaker per PayStore operation, so a failing settlement endpoint does not
// stop payments. Only failures that say the provider is unwell count (timeouts, network errors,
// 5xx); a 4xx is an answer from a healthy provider. The breakers' own timeout is off: the HTTP
// layer's AbortController timeout is the real one, and opossum's would leave the request running.
import { breakerSettings, OperationBreakers } from '@app/provider-http';
import { circuitOpenError, PaystoreError } from './paystore.errors';
import { BreakerState, PAYSTORE_DEFAULTS, PAYSTORE_OPERATIONS, PaystoreOperation } from './paystore.options';

export interface PaystoreBreakersOptions {
  volumeThreshold?: number;
  errorThresholdPercentage?: number;
  resetTimeoutMs?: number;
  rollingCountTimeoutMs?: number;
  onStateChange?: (operation: PaystoreOperation, state: BreakerState) => void;
}

/** Whether an error leaves the breaker's failure count alone (opossum `errorFilter`). */
export function isHealthyFailure(err: unknown): boolean {
  return err instanceof PaystoreError && !err.tripsBreaker;
}

/** `run` fails fast with CIRCUIT_OPEN (not sent) while the operation's breaker is open or after `shutdown`. */
export class PaystoreBreakers extends OperationBreakers<PaystoreOperation> {
  constructor(options: PaystoreBreakersOptions = {}) {
    super({
      name: 'paystore',
      label: 'PayStore',
      operations: PAYSTORE_OPERATIONS,
      ...breakerSettings(options, PAYSTORE_DEFAULTS),
      isHealthyFailure,
      isProviderError: (err) => err instanceof PaystoreError,
      circuitOpenError,
      onStateChange: options.onStateChange,
    });
  }
}
