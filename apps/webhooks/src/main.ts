// The webhooks process (`node dist/apps/webhooks/src/main.js`): delivers the event stream to subscribed URLs and
// serves `/health/live`, `/health/ready` and `/metrics` on PORT (default 3004). It refuses to start on
// a Redis that evicts keys. SIGTERM/SIGINT stop reading the stream (what was read and not handled
// goes back to the group), let attempts in flight finish within SHUTDOWN_GRACE_MS (the rest go back
// to the queue), flush the outbox and close everything, then exit 0 — as every worker process does.
import { startFailureLine } from '@app/jobs';
import { runWorkerProcess } from '@app/workers';
import { createWebhooksApp, WEBHOOKS_DEFAULT_PORT } from './webhooks.app';

runWorkerProcess(WEBHOOKS_DEFAULT_PORT, () => createWebhooksApp()).catch((err: unknown) => {
  process.stderr.write(`${startFailureLine('webhooks worker', err)}\n`);
  process.exit(1);
});
