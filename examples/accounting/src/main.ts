// The accounting service process: `node dist/examples/accounting/src/main.js` after building with
// examples/accounting/tsconfig.json. Configuration from the environment; SIGTERM/SIGINT close it
// gracefully (handlers in flight finish and are acknowledged).
import 'reflect-metadata';
import { ensureDatabase } from '@app/persistence';
import { z } from 'zod';
import { createAccountingApp } from './accounting.app';

const envSchema = z.object({
  ACCOUNTING_DATABASE_URL: z.string().default('postgres://postgres@127.0.0.1:5432/ecr_accounting'),
  ACCOUNTING_SCHEMA: z.string().default('accounting'),
  ACCOUNTING_GROUP: z.string().min(1).default('accounting'),
  // Set it to something stable per replica (a StatefulSet pod name) so a restart resumes its own pending messages at once.
  ACCOUNTING_CONSUMER: z.string().min(1).optional(),
  REDIS_URL: z.string().default('redis://127.0.0.1:6379'),
  EVENT_STREAM_KEY: z.string().min(1).default('ecr-bridge:events'),
});

async function main(): Promise<void> {
  const env = envSchema.parse(process.env);
  await ensureDatabase(env.ACCOUNTING_DATABASE_URL);
  const accounting = await createAccountingApp({
    databaseUrl: env.ACCOUNTING_DATABASE_URL,
    schema: env.ACCOUNTING_SCHEMA,
    redisUrl: env.REDIS_URL,
    stream: env.EVENT_STREAM_KEY,
    group: env.ACCOUNTING_GROUP,
    consumer: env.ACCOUNTING_CONSUMER,
  });
  const stop = async () => {
    await accounting.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop());
  process.once('SIGINT', () => void stop());
}

main().catch((err: unknown) => {
  process.stderr.write(`accounting failed to start: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
