// Everything the webhooks process owns, started and stopped in order: Postgres, the delivery queue
// and its worker, the sweeper that restores lost jobs, the outbox relay (for `webhook.disabled`
// events; every app runs one, an advisory lock keeps one active), and the metrics registry.
import { createLogger, Logger } from '@app/common';
import { OutboxRelay } from '@app/events';
import { checkRedisForQueues, drainTimeLeftMs, redisConnection, requestStop } from '@app/jobs';
import { createDataSource } from '@app/persistence';
import { createDeliveryQueue, WebhookSecretCipher } from '@app/webhooks';
import { Queue } from 'bullmq';
import Redis from 'ioredis';
import { Registry } from 'prom-client';
import { DataSource } from 'typeorm';
import { WebhookDeliveryService } from './webhook-delivery.service';
import { DeliverySweeper } from './webhook-delivery.sweeper';
import { WebhookDeliveryWorker } from './webhook-delivery.worker';
import { WebhookFanout } from './webhook-fanout.service';
import { WebhookMetrics } from './webhook.metrics';
import { WebhookSender } from './webhook.sender';
import { deliverySettingsOf, WebhooksConfig } from './webhooks.config';

export class WebhooksRuntime {
  readonly logger: Logger;
  readonly registry = new Registry();
  readonly metrics = new WebhookMetrics(this.registry);
  readonly dataSource: DataSource;
  readonly redis: Redis;
  readonly queue: Queue;
  readonly deliveries: WebhookDeliveryService;
  readonly fanout: WebhookFanout;
  readonly worker: WebhookDeliveryWorker;
  readonly sweeper: DeliverySweeper;
  readonly relay: OutboxRelay;
  private stopping: Promise<void> | null = null;

  constructor(readonly config: WebhooksConfig) {
    this.logger = createLogger('webhooks', config.LOG_LEVEL);
    this.dataSource = createDataSource(config.DATABASE_URL, config.DATABASE_POOL_SIZE);
    this.redis = redisConnection(config.REDIS_URL);
    this.redis.on('error', (err: Error) => this.logger.debug({ err: err.message }, 'redis connection error'));
    this.queue = createDeliveryQueue(this.redis, config.BULLMQ_PREFIX);
    this.queue.on('error', (err: Error) => this.logger.debug({ err: err.message }, 'queue error'));
    this.deliveries = new WebhookDeliveryService(
      this.dataSource,
      new WebhookSender({ timeoutMs: config.WEBHOOK_TIMEOUT_MS, allowPrivateTargets: config.WEBHOOK_ALLOW_PRIVATE_TARGETS }),
      new WebhookSecretCipher(config.WEBHOOK_SECRET_KEY),
      deliverySettingsOf(config),
      this.logger,
      this.metrics,
    );
    this.fanout = new WebhookFanout(this.dataSource, this.queue, this.logger);
    this.worker = new WebhookDeliveryWorker({
      connection: redisConnection(config.REDIS_URL),
      prefix: config.BULLMQ_PREFIX,
      concurrency: config.WEBHOOK_CONCURRENCY,
      deliveries: this.deliveries,
      logger: this.logger,
    });
    this.sweeper = new DeliverySweeper(this.dataSource, this.queue, {
      intervalMs: config.WEBHOOK_SWEEP_INTERVAL_MS,
      retryWindowMs: config.WEBHOOK_RETRY_WINDOW_MS,
      logger: this.logger,
      metrics: this.metrics,
    });
    this.metrics.watch(this.dataSource, this.queue);
    this.relay = new OutboxRelay(this.dataSource, this.redis, {
      streamKey: config.EVENT_STREAM_KEY,
      pollMs: config.OUTBOX_POLL_MS,
      logger: this.logger,
    });
  }

  /** Checks Redis (refusing an evicting one), then starts everything. */
  async start(): Promise<void> {
    await checkRedisForQueues(this.redis, this.logger, {
      // Redis was down at start-up and turned out to evict: stop rather than lose jobs.
      onLateRefusal: () => requestStop(1),
    });
    await this.dataSource.initialize();
    await this.relay.start();
    this.worker.start();
    this.sweeper.start();
    this.logger.info(
      { concurrency: this.config.WEBHOOK_CONCURRENCY, secretsEncrypted: Boolean(this.config.WEBHOOK_SECRET_KEY) },
      'webhooks worker started',
    );
  }

  /**
   * Stops taking jobs, lets attempts in flight finish (those still running when the drain budget of
   * SHUTDOWN_GRACE_MS is spent go back to the queue), flushes the outbox, then closes connections.
   * Safe to call twice.
   */
  stop(): Promise<void> {
    this.stopping ??= this.shutdown();
    return this.stopping;
  }

  private async shutdown(): Promise<void> {
    await this.sweeper.stop();
    // Flush the outbox, then make sure no attempt is recorded from here: before attempts still
    // running are handed to another worker (a receiver may get one twice, as at-least-once allows),
    // and in any case before closing.
    let quiesced: Promise<void> | null = null;
    const quiesce = () =>
      (quiesced ??= (async () => {
        await this.relay.stop();
        if (this.dataSource.isInitialized) await this.dataSource.destroy();
      })());
    await this.worker.stop(drainTimeLeftMs(this.config.SHUTDOWN_GRACE_MS), quiesce);
    await quiesce();
    await this.queue.close();
    this.redis.disconnect();
    this.logger.info('webhooks worker stopped');
  }
}
