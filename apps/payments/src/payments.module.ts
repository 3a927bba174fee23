// Wires the payments worker on the shared worker runtime: the `payments` queue runner, the sweeper
// that restores lost jobs, the outbox relay, and each provider's adapter with its breakers.
import { DynamicModule, Module } from '@nestjs/common';
import { AppConfig } from '@app/common';
import { QueueName } from '@app/contracts';
import { OperationRuntime, OperationRuntimeModule } from '@app/workers';
import { PaymentsAdvancer } from './payments.advancer';

export function paymentsRuntime(config: AppConfig): OperationRuntime {
  return new OperationRuntime(
    config,
    { name: 'payments', queue: QueueName.Payments, types: ['payment'] },
    (rt) => new PaymentsAdvancer(rt.repo, rt.adapters, rt.cuitOf, rt.lifecycle(), rt.logger),
  );
}

@Module({})
export class PaymentsModule {
  static forConfig(config: AppConfig): DynamicModule {
    return { module: PaymentsModule, imports: [OperationRuntimeModule.forRuntime(() => paymentsRuntime(config))] };
  }
}
