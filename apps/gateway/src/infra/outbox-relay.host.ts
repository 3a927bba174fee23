// Runs the outbox relay in this process (every app runs one; a Postgres advisory lock keeps exactly
// one active). The relay gets its own Redis connection that fails fast: its stream step holds the
// relay lock while it writes to Redis, so a connection that queued commands through an outage
// would also stop numbering, and with it the SSE stream that only needs Postgres.
// It stops after the HTTP server has drained, so its final flush publishes the events of the last
// requests too; the Postgres pool waits for it (DataSourceCloser).
import { Inject, Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { OutboxRelay } from '@app/events';
import type { Logger } from '@app/common';
import Redis from 'ioredis';
import { DataSource } from 'typeorm';
import { GATEWAY_CONFIG, GatewayConfig } from '../gateway.config';
import { GATEWAY_LOGGER } from '../gateway.logger';

@Injectable()
export class OutboxRelayHost implements OnModuleInit, OnApplicationShutdown {
  private readonly redis: Redis;
  private stopping: Promise<void> | null = null;
  readonly relay: OutboxRelay;

  constructor(
    @Inject(DataSource) dataSource: DataSource,
    @Inject(GATEWAY_CONFIG) config: GatewayConfig,
    @Inject(GATEWAY_LOGGER) logger: Logger,
  ) {
    this.redis = new Redis(config.REDIS_URL, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
    this.redis.on('error', (err: Error) => logger.debug({ err: err.message }, 'relay redis connection error'));
    this.relay = new OutboxRelay(dataSource, this.redis, {
      streamKey: config.EVENT_STREAM_KEY,
      pollMs: config.OUTBOX_POLL_MS || 1000,
      logger,
    });
  }

  async onModuleInit(): Promise<void> {
    await this.relay.start();
  }

  onApplicationShutdown(): Promise<void> {
    return this.stop();
  }

  /** Flushes the outbox one last time and disconnects. Safe to call twice. */
  stop(): Promise<void> {
    this.stopping ??= this.relay.stop().finally(() => this.redis.disconnect());
    return this.stopping;
  }
}
