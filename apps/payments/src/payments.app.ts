// Builds the payments worker process (also used in-process by the end-to-end tests).
import { NestFactory } from '@nestjs/core';
import { INestApplicationContext } from '@nestjs/common';
import { AppConfig, loadConfig } from '@app/common';
import { PaymentsModule, PaymentsRuntime } from './payments.module';

export const PAYMENTS_DEFAULT_PORT = 3001;

export async function createPaymentsApp(
  overrides: Partial<AppConfig> = {},
): Promise<{ app: INestApplicationContext; runtime: PaymentsRuntime }> {
  const config = { ...loadConfig(), ...overrides };
  const app = await NestFactory.createApplicationContext(PaymentsModule.forConfig(config), { logger: ['error', 'warn'] });
  await app.init();
  return { app, runtime: app.get(PaymentsRuntime) };
}
