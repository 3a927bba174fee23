// The webhooks process (`node dist/apps/webhooks/src/main.js`): delivers the event stream to subscribed URLs and
// serves `/health/live`, `/health/ready` and `/metrics` on PORT (default 3004). SIGTERM/SIGINT stop
// reading the stream, let attempts in flight finish and close everything.
import { startOpsServer } from '@app/workers';
import { createWebhooksApp, WEBHOOKS_DEFAULT_PORT } from './webhooks.app';
import { loadWebhooksConfig } from './webhooks.config';

async function main(): Promise<void> {
  const config = loadWebhooksConfig();
  const { app, runtime } = await createWebhooksApp(config);
  const ops = await startOpsServer({
    host: config.HOST,
    port: process.env.PORT ? config.PORT : WEBHOOKS_DEFAULT_PORT,
    registry: runtime.registry,
    checks: {
      postgres: async () => void (await runtime.dataSource.query('SELECT 1')),
      redis: async () => void (await runtime.redis.ping()),
    },
    info: () => ({ worker: runtime.worker.running ? 'running' : 'stopped' }),
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
  process.stderr.write(`webhooks worker failed to start: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
