// One opossum breaker per pagoUno operation, so failing reads do not stop charges and a failing
// charge endpoint does not stop the look-ups that resolve uncertain charges. Only failures that
// say the provider is unwell count (timeouts, network errors, 5xx, 503); a refusal (bad token, bad
// key, any 4xx) and a declined card are answers from a healthy provider. opossum's own timeout is
// off: the HTTP layer's AbortController timeout is the real one.
import { breakerSettings, OperationBreakers } from '@app/provider-http';
import { circuitOpenError, PagounoError } from './pagouno.errors';
import { PAGOUNO_DEFAULTS, PAGOUNO_OPERATIONS, PagounoBreakerOptions, PagounoBreakerState, PagounoOperation } from './pagouno.options';

/** Whether an error leaves the breaker's failure count alone (opossum `errorFilter`). */
export function isPagounoHealthyFailure(err: unknown): boolean {
  return err instanceof PagounoError && !err.tripsBreaker;
}

/** `run` fails fast with CIRCUIT_OPEN (not sent) while the operation's breaker is open or after `shutdown`. */
export class PagounoBreakers extends OperationBreakers<PagounoOperation> {
  constructor(options: PagounoBreakerOptions = {}, onStateChange?: (operation: PagounoOperation, state: PagounoBreakerState) => void) {
    super({
      name: 'pagouno',
      label: 'pagoUno',
      operations: PAGOUNO_OPERATIONS,
      ...breakerSettings(options, PAGOUNO_DEFAULTS),
      isHealthyFailure: isPagounoHealthyFailure,
      isProviderError: (err) => err instanceof PagounoError,
      circuitOpenError,
      onStateChange,
    });
  }
}
