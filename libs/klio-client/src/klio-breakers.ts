// One opossum breaker per Klio operation, so a failing look-up endpoint does not stop submits
// (and the other way round). Only failures that say Klio is unwell count (timeouts, network
// errors, 5xx, 503); a 4xx or a business refusal is an answer from a healthy provider. The
// breakers' own timeout is off: the AbortController timeout of the HTTP call is the real one.
import { breakerSettings, OperationBreakers } from '@app/provider-http';
import { circuitOpenError, KlioError } from './klio.errors';
import { KLIO_DEFAULTS, KLIO_OPERATIONS, KlioBreakerOptions, KlioBreakerState, KlioOperation } from './klio.options';

/** Whether an error leaves the breaker's failure count alone (opossum `errorFilter`). */
export function isHealthyKlioFailure(err: unknown): boolean {
  return err instanceof KlioError && !err.tripsBreaker;
}

export class KlioBreakers extends OperationBreakers<KlioOperation> {
  constructor(options: KlioBreakerOptions & { onStateChange?: (operation: KlioOperation, state: KlioBreakerState) => void } = {}) {
    super({
      name: 'klio',
      label: 'Klio',
      operations: KLIO_OPERATIONS,
      ...breakerSettings(options, KLIO_DEFAULTS),
      isHealthyFailure: isHealthyKlioFailure,
      isProviderError: (err) => err instanceof KlioError,
      circuitOpenError,
      onStateChange: options.onStateChange,
    });
  }
}
