// Wires the reversals worker: one runner on the `reversals` queue for reversals and AMEX refunds,
// on the shared worker runtime (sweeper, outbox relay, each provider's adapter with its breakers).
import { DynamicModule, Module } from '@nestjs/common';
import { AppConfig } from '@app/common';
import { QueueName } from '@app/contracts';
import { OperationRuntime, OperationRuntimeModule } from '@app/workers';
import { ReversalsAdvancer } from './reversals.advancer';

export function reversalsRuntime(config: AppConfig): OperationRuntime {
  return new OperationRuntime(
    config,
    { name: 'reversals', queue: QueueName.Reversals, types: ['reversal', 'refund'] },
    (rt) => new ReversalsAdvancer(rt.repo, rt.adapters, rt.cuitOf, rt.lifecycle(), rt.logger),
  );
}

@Module({})
export class ReversalsModule {
  static forConfig(config: AppConfig): DynamicModule {
    return { module: ReversalsModule, imports: [OperationRuntimeModule.forRuntime(() => reversalsRuntime(config))] };
  }
}
