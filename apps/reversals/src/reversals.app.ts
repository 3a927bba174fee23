// Builds the reversals worker process (also used in-process by the integration tests).
import { INestApplicationContext } from '@nestjs/common';
import { AppConfig } from '@app/common';
import { createWorkerApp, OperationRuntime } from '@app/workers';
import { ReversalsModule } from './reversals.module';

export const REVERSALS_DEFAULT_PORT = 3002;

export function createReversalsApp(overrides: Partial<AppConfig> = {}): Promise<{ app: INestApplicationContext; runtime: OperationRuntime }> {
  return createWorkerApp((config) => ReversalsModule.forConfig(config), overrides);
}
