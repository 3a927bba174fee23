// The gateway process: listens on PORT and shuts down gracefully on SIGTERM/SIGINT (streams end,
// in-flight requests finish, the outbox relay flushes, connections close).
import { GATEWAY_CONFIG, GatewayConfig } from './gateway.config';
import { createGatewayApp } from './gateway.app';

async function main(): Promise<void> {
  const app = await createGatewayApp();
  app.enableShutdownHooks();
  const config = app.get<GatewayConfig>(GATEWAY_CONFIG);
  await app.listen(config.PORT, config.HOST);
}

main().catch((err: unknown) => {
  process.stderr.write(`gateway failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
