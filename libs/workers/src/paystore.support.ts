// The PayStore client as every worker builds it from configuration, its calls and breakers
// reported as metrics and logs. How PayStore's answers read is its adapter's (@app/paystore-client).
import { AppConfig, Logger } from '@app/common';
import { PaystoreClient } from '@app/paystore-client';
import { WorkerMetrics } from './worker.metrics';

export function createPaystoreClient(config: AppConfig, logger: Logger, metrics: WorkerMetrics): PaystoreClient {
  return new PaystoreClient({
    baseUrl: config.PAYSTORE_BASE_URL,
    clientId: config.PAYSTORE_CLIENT_ID,
    clientSecret: config.PAYSTORE_CLIENT_SECRET,
    subnetAcquirerId: config.PAYSTORE_SUBNET_ACQUIRER_ID,
    timeoutMs: config.PAYSTORE_TIMEOUT_MS,
    breaker: { resetTimeoutMs: config.PAYSTORE_BREAKER_RESET_MS },
    onUnknownEnum: (field, value) => logger.warn({ field, value }, 'PayStore sent a value this client does not know'),
    onCall: (e) => {
      metrics.observeProviderCall('paystore', e.operation, e.outcome, e.durationMs);
      logger.debug({ provider: 'paystore', operation: e.operation, outcome: e.outcome, httpStatus: e.httpStatus, ms: Math.round(e.durationMs) }, 'provider call');
    },
    onBreakerStateChange: (operation, state) => {
      metrics.breakerState.set({ provider: 'paystore', operation }, state === 'open' ? 1 : state === 'half_open' ? 0.5 : 0);
      logger.warn({ provider: 'paystore', operation, state }, 'breaker state changed');
    },
  });
}
