// ONE dedicated Postgres connection per gateway process that LISTENs on the published-events
// channel and fans each notification out in-process (SSE streams, waiting commands). Subscribers
// also poll on their own, so a lost connection slows them down but never stalls them; the
// listener reconnects with backoff.
import { Inject, Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { PUBLISHED_CHANNEL } from '@app/persistence';
import type { Logger } from '@app/common';
import { Client } from 'pg';
import { GATEWAY_CONFIG, GatewayConfig } from '../gateway.config';
import { GATEWAY_LOGGER } from '../gateway.logger';

export type Unsubscribe = () => void;

@Injectable()
export class PgNotifications implements OnModuleInit, OnApplicationShutdown {
  private client: Client | null = null;
  private readonly subscribers = new Set<() => void>();
  private stopped = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private retryMs = 500;

  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    @Inject(GATEWAY_LOGGER) private readonly logger: Logger,
  ) {}

  onModuleInit(): void {
    void this.connect();
  }

  /** Calls `listener` after every notification on PUBLISHED_CHANNEL until unsubscribed. */
  subscribe(listener: () => void): Unsubscribe {
    this.subscribers.add(listener);
    return () => this.subscribers.delete(listener);
  }

  get listening(): boolean {
    return this.client !== null;
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const client = new Client({ connectionString: this.config.DATABASE_URL });
    client.on('error', (err) => this.lost(client, err));
    client.on('end', () => this.lost(client, new Error('connection ended')));
    client.on('notification', () => {
      for (const listener of this.subscribers) listener();
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${PUBLISHED_CHANNEL}`);
      if (this.stopped) {
        await client.end().catch(() => undefined);
        return;
      }
      this.client = client;
      this.retryMs = 500;
      // Anything published while we were not listening is found by the subscribers' next read.
      for (const listener of this.subscribers) listener();
    } catch (err) {
      this.lost(client, err as Error);
    }
  }

  private lost(client: Client, err: Error): void {
    if (this.client && this.client !== client) return;
    this.client = null;
    client.removeAllListeners('end');
    client.end().catch(() => undefined);
    if (this.stopped || this.retryTimer) return;
    this.logger.warn({ err: err.message, retryMs: this.retryMs }, 'published-events listener lost; reconnecting');
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.connect();
    }, this.retryMs);
    this.retryMs = Math.min(this.retryMs * 2, 10_000);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.subscribers.clear();
    const client = this.client;
    this.client = null;
    if (client) {
      client.removeAllListeners('end');
      await client.end().catch(() => undefined);
    }
  }
}
