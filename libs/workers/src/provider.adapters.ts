// Every provider behind the provider port: PayStore over the process's client, Klio SmartPos and
// pagoUno built from configuration the first time an operation of theirs comes up, with their
// calls and breakers reported as metrics and logs the same way as PayStore's.
import { AppConfig, Logger } from '@app/common';
import { ProviderName } from '@app/contracts';
import { KlioAdapter } from '@app/klio-client';
import { createPagounoAdapter } from '@app/pagouno-client';
import { PaystoreAdapter, PaystoreClient } from '@app/paystore-client';
import type { ProviderAdapter } from '@app/providers';
import { WorkerMetrics } from './worker.metrics';

type AdapterName = ProviderName;

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

  /** Breaker states of the adapters built so far (PayStore's client reports its own), by provider. */
  breakerStates(): Record<string, Record<string, string>> {
    return Object.fromEntries([...this.built].map(([name, adapter]) => [name, adapter.breakerStates()]));
  }

  shutdown(): void {
    for (const adapter of this.built.values()) adapter.shutdown();
  }
}

export function createProviderAdapters(config: AppConfig, logger: Logger, metrics: WorkerMetrics, paystore: PaystoreClient): ProviderAdapters {
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
    paystore: () => new PaystoreAdapter(paystore),
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
