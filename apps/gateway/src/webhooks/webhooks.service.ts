// A merchant's webhook subscriptions and their delivery log. Tenancy is in every query: another
// merchant's webhook or delivery is indistinguishable from one that does not exist. The gateway
// owns the Postgres pool, the Redis connection, the configuration and the logger; this module
// borrows them from it once the gateway's providers exist, rather than opening its own.
import { BeforeApplicationShutdown, Injectable, Inject, OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { AppError, Logger, newId } from '@app/common';
import { ErrorCode } from '@app/contracts';
import {
  createDeliveryQueue,
  DeliveryRow,
  DeliveryView,
  ensureDeliveryJob,
  generateWebhookSecret,
  toDeliveryView,
  toWebhookView,
  WEBHOOK_ID_PREFIX,
  WebhookRow,
  WebhookSecretCipher,
  WebhookView,
} from '@app/webhooks';
import { Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { GATEWAY_CONFIG, GatewayConfig } from '../gateway.config';
import { GATEWAY_LOGGER } from '../gateway.logger';
import { cursorTimestampSql, encodeCursor } from '../http/cursor.codec';
import { OperationQueues, withTimeout } from '../infra/operation-queues.service';
import type { CreateWebhookBody, DeliveryListQuery, PageQuery } from './webhooks.schemas';

const ENQUEUE_TIMEOUT_MS = 2000;

export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

type Paged<R> = R & { cursor_ts: string };

function pageOf<R extends { id: string }, V>(rows: Paged<R>[], limit: number, view: (row: R) => V): Page<V> {
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return { data: page.map(view), nextCursor: rows.length > limit && last ? encodeCursor([last.cursor_ts, last.id]) : null };
}

const notFound = (id: string) => new AppError(ErrorCode.WebhookNotFound, 404, `No webhook ${id}.`);

@Injectable()
export class WebhooksService implements OnModuleInit, BeforeApplicationShutdown {
  private dataSource!: DataSource;
  private queues!: OperationQueues;
  private config!: GatewayConfig;
  private logger!: Logger;
  private queue: Queue | null = null;
  private readonly cipher = WebhookSecretCipher.fromEnv();

  constructor(@Inject(ModuleRef) private readonly moduleRef: ModuleRef) {}

  onModuleInit(): void {
    this.dataSource = this.moduleRef.get(DataSource, { strict: false });
    this.queues = this.moduleRef.get(OperationQueues, { strict: false });
    this.config = this.moduleRef.get<GatewayConfig>(GATEWAY_CONFIG, { strict: false });
    this.logger = this.moduleRef.get<Logger>(GATEWAY_LOGGER, { strict: false });
  }

  async create(merchantId: string, body: CreateWebhookBody): Promise<WebhookView & { secret: string }> {
    const id = newId(WEBHOOK_ID_PREFIX);
    const secret = generateWebhookSecret();
    const [row] = (await this.dataSource.query(
      `INSERT INTO webhook_subscriptions (id, merchant_id, url, types, description, secret)
       VALUES ($1, $2, $3, $4::jsonb, $5, $6) RETURNING *`,
      [id, merchantId, body.url, body.types ? JSON.stringify(body.types) : null, body.description ?? null, this.cipher.seal(id, secret)],
    )) as WebhookRow[];
    this.logger.info({ merchantId, webhookId: id, encrypted: this.cipher.encrypts }, 'webhook created');
    return { ...toWebhookView(row), secret };
  }

  /** Newest first, keyset-paged on (created_at desc, id desc). */
  async list(merchantId: string, query: PageQuery): Promise<Page<WebhookView>> {
    const rows = (await this.dataSource.query(
      `SELECT *, ${cursorTimestampSql('created_at')} AS cursor_ts FROM webhook_subscriptions
        WHERE merchant_id = $1 AND ($2::timestamptz IS NULL OR (created_at, id) < ($2::timestamptz, $3))
        ORDER BY created_at DESC, id DESC LIMIT $4`,
      [merchantId, query.cursor?.createdAt ?? null, query.cursor?.id ?? null, query.limit + 1],
    )) as Paged<WebhookRow>[];
    return pageOf(rows, query.limit, toWebhookView);
  }

  async get(merchantId: string, id: string): Promise<WebhookRow> {
    const [row] = (await this.dataSource.query('SELECT * FROM webhook_subscriptions WHERE id = $1 AND merchant_id = $2', [
      id,
      merchantId,
    ])) as WebhookRow[];
    if (!row) throw notFound(id);
    return row;
  }

  /** Deletes the subscription and, with it, its delivery log; queued jobs find nothing and end. */
  async delete(merchantId: string, id: string): Promise<void> {
    const rows = (await this.dataSource.query(
      'WITH d AS (DELETE FROM webhook_subscriptions WHERE id = $1 AND merchant_id = $2 RETURNING id) SELECT id FROM d',
      [id, merchantId],
    )) as { id: string }[];
    if (rows.length === 0) throw notFound(id);
    this.logger.info({ merchantId, webhookId: id }, 'webhook deleted');
  }

  /** A disabled subscription becomes active with a fresh streak; an active one is answered as it is. */
  async enable(merchantId: string, id: string): Promise<WebhookView> {
    const [enabled] = (await this.dataSource.query(
      `WITH u AS (
         UPDATE webhook_subscriptions SET status = 'active', failure_streak = 0, failing_since = NULL, disabled_at = NULL, disabled_reason = NULL
          WHERE id = $1 AND merchant_id = $2 AND status = 'disabled' RETURNING *
       ) SELECT * FROM u`,
      [id, merchantId],
    )) as WebhookRow[];
    if (enabled) this.logger.info({ merchantId, webhookId: id }, 'webhook enabled');
    return toWebhookView(enabled ?? (await this.get(merchantId, id)));
  }

  async deliveries(merchantId: string, id: string, query: DeliveryListQuery): Promise<Page<DeliveryView>> {
    await this.get(merchantId, id);
    const rows = (await this.dataSource.query(
      `SELECT *, ${cursorTimestampSql('created_at')} AS cursor_ts FROM webhook_deliveries
        WHERE subscription_id = $1 AND ($2::text IS NULL OR status = $2)
          AND ($3::timestamptz IS NULL OR (created_at, id) < ($3::timestamptz, $4))
        ORDER BY created_at DESC, id DESC LIMIT $5`,
      [id, query.status ?? null, query.cursor?.createdAt ?? null, query.cursor?.id ?? null, query.limit + 1],
    )) as Paged<DeliveryRow>[];
    return pageOf(rows, query.limit, toDeliveryView);
  }

  /**
   * Makes the delivery pending and due now, then queues it. Redis being unreachable costs only
   * latency: the worker's sweeper queues pending deliveries that have no job.
   */
  async redeliver(merchantId: string, id: string, deliveryId: string): Promise<DeliveryView> {
    const subscription = await this.get(merchantId, id);
    if (subscription.status === 'disabled') {
      throw new AppError(ErrorCode.WebhookDisabled, 409, `Webhook ${id} is disabled; enable it before redelivering.`);
    }
    const [row] = (await this.dataSource.query(
      `WITH u AS (
         UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = now() WHERE id = $1 AND subscription_id = $2 RETURNING *
       ) SELECT * FROM u`,
      [deliveryId, id],
    )) as DeliveryRow[];
    if (!row) throw new AppError(ErrorCode.WebhookNotFound, 404, `No delivery ${deliveryId} of webhook ${id}.`);
    await this.enqueue(deliveryId);
    return toDeliveryView(row);
  }

  private async enqueue(deliveryId: string): Promise<void> {
    if (this.queues.redis.status !== 'ready') {
      this.logger.warn({ deliveryId, redis: this.queues.redis.status }, 'redis unavailable: redelivery left to the sweeper');
      return;
    }
    try {
      this.queue ??= this.createQueue();
      await withTimeout(ensureDeliveryJob(this.queue, deliveryId, { promote: true }), ENQUEUE_TIMEOUT_MS, 'enqueue');
    } catch (err) {
      this.logger.warn({ deliveryId, err: (err as Error).message }, 'enqueue failed: redelivery left to the sweeper');
    }
  }

  private createQueue(): Queue {
    const queue = createDeliveryQueue(this.queues.redis, this.config.BULLMQ_PREFIX);
    queue.on('error', (err: Error) => this.logger.debug({ err: err.message, queue: queue.name }, 'queue error'));
    return queue;
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.queue?.close().catch(() => undefined);
  }
}
