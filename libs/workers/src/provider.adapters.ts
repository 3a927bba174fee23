// The providers other than PayStore, behind the provider port: built from configuration the first
// time an operation of theirs comes up, with their calls and breakers reported as metrics and logs
// the same way as PayStore's.
import { AppConfig, Logger } from '@app/common';
import { ProviderName } from '@app/contracts';
import { KlioAdapter } from '@app/klio-client';
import { createPagounoAdapter } from '@app/pagouno-client';
import type { ProviderAdapter } from '@app/providers';
import { WorkerMetrics } from './worker.metrics';

type AdapterName = Exclude<ProviderName, 'paystore'>;

export class ProviderAdapters {
  private readonly built = new Map<AdapterName, ProviderAdapter>();

  constructor(private readonly factories: Readonly<Record<AdapterName, () => ProviderAdapter>>) {}

  /** The adapter of `provider`; throws for a provider this build does not know. */
  get(provider: string): ProviderAdapter {
    const name = provider as AdapterName;
    const existing = this.built.get(name);
    if (existing) return existing;
    const factory = Object.hasOwn(this.factories, name) ? this.factories[name] : undefined;
    if (!factory) throw new Error(`no adapter for provider ${provider}`);
    const adapter = factory();
    this.built.set(name, adapter);
    return adapter;
  }

  /** Breaker states of the adapters built so far, by provider. */
  breakerStates(): Record<string, Record<string, string>> {
    return Object.fromEntries([...this.built].map(([name, adapter]) => [name, adapter.breakerStates()]));
  }

  shutdown(): void {
    for (const adapter of this.built.values()) adapter.shutdown();
  }
}

export function createProviderAdapters(config: AppConfig, logger: Logger, metrics: WorkerMetrics): ProviderAdapters {
  const observe = (provider: AdapterName) => ({
    onCall: (e: { operation: string; outcome: string; durationMs: number; httpStatus?: number }) => {
      metrics.observeProviderCall(provider, e.operation, e.outcome, e.durationMs);
      logger.debug({ provider, operation: e.operation, outcome: e.outcome, httpStatus: e.httpStatus, ms: Math.round(e.durationMs) }, 'provider call');
    },
    onBreakerStateChange: (operation: string, state: string) => {
      metrics.breakerState.set({ provider, operation }, state === 'open' ? 1 : state === 'half_open' ? 0.5 : 0);
      logger.warn({ provider, operation, state }, 'breaker state changed');
    },
  });
  return new ProviderAdapters({
    klio: () =>
      KlioAdapter.create({
        baseUrl: config.KLIO_BASE_URL,
        clientId: config.KLIO_CLIENT_ID,
        clientSecret: config.KLIO_CLIENT_SECRET,
        timeoutMs: config.KLIO_TIMEOUT_MS,
        callbackUrl: config.KLIO_CALLBACK_URL,
        onUnknownEnum: (field, value) => logger.warn({ field, value }, 'Klio sent a value this client does not know'),
        ...observe('klio'),
      }),
    pagouno: () =>
      createPagounoAdapter({
        baseUrl: config.PAGOUNO_BASE_URL,
        privateKey: config.PAGOUNO_PRIVATE_KEY,
        publicKey: config.PAGOUNO_PUBLIC_KEY,
        timeoutMs: config.PAGOUNO_TIMEOUT_MS,
        ...observe('pagouno'),
      }),
  });
}
