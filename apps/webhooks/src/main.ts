// The webhooks process (`node dist/apps/webhooks/src/main.js`): delivers the event stream to subscribed URLs and
// serves `/health/live`, `/health/ready` and `/metrics` on PORT (default 3004). It refuses to start on
// a Redis that evicts keys. SIGTERM/SIGINT stop reading the stream (what was read and not handled
// goes back to the group), let attempts in flight finish within SHUTDOWN_GRACE_MS (the rest go back
// to the queue), flush the outbox and close everything, then exit 0.
import { exitOnSignals, startFailureLine } from '@app/jobs';
import { startOpsServer } from '@app/workers';
import { createWebhooksApp, WEBHOOKS_DEFAULT_PORT } from './webhooks.app';
import { loadWebhooksConfig } from './webhooks.config';

async function main(): Promise<void> {
  const config = loadWebhooksConfig();
  const { app, runtime } = await createWebhooksApp(config);
  let stopping = false;
  const ops = await startOpsServer({
    host: config.HOST,
    port: process.env.PORT ? config.PORT : WEBHOOKS_DEFAULT_PORT,
    registry: runtime.registry,
    checks: {
      postgres: async () => void (await runtime.dataSource.query('SELECT 1')),
      redis: async () => void (await runtime.redis.ping()),
      shutdown: async () => {
        if (stopping) throw new Error('shutting down');
      },
    },
    info: () => ({ worker: runtime.worker.running ? 'running' : 'stopped' }),
  });
  exitOnSignals(
    async () => {
      stopping = true;
      await app.close();
      await ops.close();
    },
    { graceMs: config.SHUTDOWN_GRACE_MS, logger: runtime.logger },
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`${startFailureLine('webhooks worker', err)}\n`);
  process.exit(1);
});
