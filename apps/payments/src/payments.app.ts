// Builds the payments worker process (also used in-process by the integration tests).
import { INestApplicationContext } from '@nestjs/common';
import { AppConfig } from '@app/common';
import { createWorkerApp, OperationRuntime } from '@app/workers';
import { PaymentsModule } from './payments.module';

export const PAYMENTS_DEFAULT_PORT = 3001;

export function createPaymentsApp(overrides: Partial<AppConfig> = {}): Promise<{ app: INestApplicationContext; runtime: OperationRuntime }> {
  return createWorkerApp((config) => PaymentsModule.forConfig(config), overrides);
}
