// Wires the settlements worker: one runner on the `settlements` queue, on the shared worker
// runtime (sweeper, outbox relay, PayStore client with its breakers).
import { DynamicModule, Module } from '@nestjs/common';
import { AppConfig } from '@app/common';
import { QueueName } from '@app/contracts';
import { OperationRuntime, OperationRuntimeModule } from '@app/workers';
import { SettlementsAdvancer } from './settlements.advancer';

export function settlementsRuntime(config: AppConfig): OperationRuntime {
  return new OperationRuntime(
    config,
    { name: 'settlements', queue: QueueName.Settlements, types: ['settlement'] },
    (rt) =>
      new SettlementsAdvancer(
        rt.repo,
        rt.dataSource,
        rt.client,
        rt.adapters.get('paystore'),
        rt.cuitOf,
        rt.lifecycle(),
        // Enough polls of the other workers for them to record what the provider put in the batch.
        { pollMs: config.POLL_INTERVAL_MS, landingWaitMs: Math.max(30_000, config.POLL_INTERVAL_MS * 30) },
        rt.logger,
      ),
  );
}

@Module({})
export class SettlementsModule {
  static forConfig(config: AppConfig): DynamicModule {
    return { module: SettlementsModule, imports: [OperationRuntimeModule.forRuntime(() => settlementsRuntime(config))] };
  }
}
