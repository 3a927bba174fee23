// The gateway process: refuses to start on a Redis that evicts keys, listens on PORT, and on
// SIGTERM/SIGINT stops within SHUTDOWN_GRACE_MS and exits 0: streams end and waiting commands are
// answered, in-flight requests finish (new ones get 503), the outbox relay flushes, connections close.
import type { Logger } from '@app/common';
import { exitOnSignals, startFailureLine } from '@app/jobs';
import { GATEWAY_CONFIG, GatewayConfig } from './gateway.config';
import { createGatewayApp } from './gateway.app';
import { GATEWAY_LOGGER } from './gateway.logger';

async function main(): Promise<void> {
  const app = await createGatewayApp();
  const config = app.get<GatewayConfig>(GATEWAY_CONFIG);
  exitOnSignals(() => app.close(), { graceMs: config.SHUTDOWN_GRACE_MS, logger: app.get<Logger>(GATEWAY_LOGGER) });
  await app.listen(config.PORT, config.HOST);
}

main().catch((err: unknown) => {
  process.stderr.write(`${startFailureLine('gateway', err)}\n`);
  process.exit(1);
});
