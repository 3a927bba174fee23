// The gateway's consumer of the command stream: a Redis Streams microservice in the gateway process,
// so bus commands run on the same services, pool and configuration as HTTP. Its entries carry API
// keys, so each one is deleted once answered or dead-lettered, and a dead letter gets a redacted copy.
import type { INestApplication } from '@nestjs/common';
import type { Logger } from '@app/common';
import { RedisStreamsServer } from '@app/transport';
import type { GatewayConfig } from '../gateway.config';
import { COMMAND_MAX_DELIVERIES } from './bus-commands.service';
import { commandFieldsRedactor } from './command-fields.redactor';

/** The consumer group on the command stream: never rename it (a new name starts a new group, which reads every command still in the stream again). */
export const COMMAND_GROUP = 'gateway-commands';

/** Commands handled at once per gateway; each is its own subject unless its publisher groups them. */
export const COMMAND_CONCURRENCY = 16;

export function commandBusServer(config: GatewayConfig): RedisStreamsServer {
  return new RedisStreamsServer({
    url: config.REDIS_URL,
    stream: config.COMMAND_STREAM_KEY,
    group: COMMAND_GROUP,
    concurrency: COMMAND_CONCURRENCY,
    maxDeliveries: COMMAND_MAX_DELIVERIES,
    deleteAcknowledged: true,
    redactFields: commandFieldsRedactor([config.ADMIN_API_KEY]),
  });
}

/** Connects the consumer to the app; `startCommandBus` starts it. */
export function connectCommandBus(app: INestApplication, config: GatewayConfig): void {
  // Handlers' own errors reach the transport unchanged (EventErrorFilter on CommandsListener):
  // retries and dead letters say what failed.
  app.connectMicroservice({ strategy: commandBusServer(config) });
}

/**
 * Starts the consumer without holding up the gateway's start: with Redis down, HTTP still takes
 * commands (they are durable in Postgres), and the consumer starts reading once Redis is back,
 * from the first command it has not handled.
 */
export function startCommandBus(app: INestApplication, logger: Logger): void {
  app.startAllMicroservices().catch((err: unknown) => {
    logger.error({ err: err instanceof Error ? err.message : String(err) }, 'the command stream consumer did not start');
  });
}
