// Builds the settlements worker process (also used in-process by the integration tests).
import { INestApplicationContext } from '@nestjs/common';
import { AppConfig } from '@app/common';
import { createWorkerApp, OperationRuntime } from '@app/workers';
import { SettlementsModule } from './settlements.module';

export const SETTLEMENTS_DEFAULT_PORT = 3003;

export function createSettlementsApp(overrides: Partial<AppConfig> = {}): Promise<{ app: INestApplicationContext; runtime: OperationRuntime }> {
  return createWorkerApp((config) => SettlementsModule.forConfig(config), overrides);
}
