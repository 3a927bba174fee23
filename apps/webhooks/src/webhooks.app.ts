// Builds the webhooks app (also used in-process by the integration tests): a Nest microservice on
// the Redis Streams transport, consuming the event stream in its own consumer group, with the
// delivery runtime inside.
import 'reflect-metadata';
import { INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { EventErrorFilter, RedisStreamsServer, RedisStreamsServerOptions } from '@app/transport';
import { loadWebhooksConfig, WebhooksConfig } from './webhooks.config';
import { WebhooksModule } from './webhooks.module';
import { WebhooksRuntime } from './webhooks.runtime';

export const WEBHOOKS_DEFAULT_PORT = 3004;
/** The consumer group on the event stream: never rename it (a new name starts a new group). */
export const WEBHOOKS_GROUP = 'webhooks';

export interface WebhooksApp {
  app: INestMicroservice;
  runtime: WebhooksRuntime;
}

export async function createWebhooksApp(
  overrides: Partial<WebhooksConfig> = {},
  transport: Partial<RedisStreamsServerOptions> = {},
): Promise<WebhooksApp> {
  const config: WebhooksConfig = { ...loadWebhooksConfig(), ...overrides };
  const runtime = new WebhooksRuntime(config);
  const strategy = new RedisStreamsServer({
    url: config.REDIS_URL,
    stream: config.EVENT_STREAM_KEY,
    group: WEBHOOKS_GROUP,
    // Fan-out only writes rows and queues jobs; several subjects at once keep up with bursts.
    concurrency: 16,
    ...transport,
  });
  const app = await NestFactory.createMicroservice(WebhooksModule.forRuntime(runtime), { strategy, logger: ['error', 'warn'] });
  app.useGlobalFilters(new EventErrorFilter());
  await app.listen();
  return { app, runtime };
}
