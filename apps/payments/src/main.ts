// The payments worker process: `npm run start:payments`.
import 'reflect-metadata';
import { loadConfig } from '@app/common';
import { startOpsServer } from '@app/workers';
import { createPaymentsApp, PAYMENTS_DEFAULT_PORT } from './payments.app';

async function main(): Promise<void> {
  const config = loadConfig();
  const { app, runtime } = await createPaymentsApp();
  const ops = await startOpsServer({
    host: config.HOST,
    port: process.env.PORT ? config.PORT : PAYMENTS_DEFAULT_PORT,
    registry: runtime.registry,
    checks: {
      postgres: async () => void (await runtime.dataSource.query('SELECT 1')),
      redis: async () => void (await runtime.redis.ping()),
    },
    info: () => ({ breakers: runtime.client.breakerStates(), worker: runtime.worker.running ? 'running' : 'stopped' }),
  });
  const stop = async (signal: string) => {
    runtime.logger.info({ signal }, 'shutting down');
    await ops.close();
    await app.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
}

main().catch((err: unknown) => {
  process.stderr.write(`payments worker failed to start: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
