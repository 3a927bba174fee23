// Postgres is the truth and Redis may lose everything: the sweeper walks the pending deliveries of
// active subscriptions and gives a job, due at the delivery's next attempt, to any whose job is
// missing, failed or completed. It is what makes a Redis flush, a failed enqueue or a worker's
// exhausted job attempts lose no delivery, and what resumes the deliveries a disabled subscription
// held once it is enabled again. It also ends those held deliveries whose retry window is over
// while their subscription is still disabled: they become `abandoned`.
import type { Logger } from '@app/common';
import { ensureDeliveryJob } from '@app/webhooks';
import { PeriodicTask } from '@app/workers';
import { Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { WebhookMetrics } from './webhook.metrics';

export interface DeliverySweeperOptions {
  intervalMs: number;
  /** The deliveries' retry window: a held delivery is abandoned once it is this old. */
  retryWindowMs: number;
  batchSize?: number;
  logger: Logger;
  metrics?: WebhookMetrics;
  now?: () => number;
}

export class DeliverySweeper {
  private cursor = '';
  private readonly loop: PeriodicTask;

  constructor(
    private readonly dataSource: DataSource,
    private readonly queue: Queue,
    private readonly options: DeliverySweeperOptions,
  ) {
    this.loop = new PeriodicTask(() => this.sweepOnce(), {
      intervalMs: options.intervalMs,
      logger: options.logger,
      what: 'delivery sweep',
      runAtStart: false,
    });
  }

  start(): void {
    this.loop.start();
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }

  /**
   * Abandons the held deliveries whose window is over, then checks one batch of pending deliveries
   * (round robin by id); answers how many it queued again.
   */
  async sweepOnce(): Promise<number> {
    await this.abandonExpired();
    const batch = this.options.batchSize ?? 500;
    const rows = (await this.dataSource.query(
      `SELECT d.id, d.next_attempt_at FROM webhook_deliveries d JOIN webhook_subscriptions s ON s.id = d.subscription_id
        WHERE d.status = 'pending' AND s.status = 'active' AND d.id > $1 ORDER BY d.id LIMIT $2`,
      [this.cursor, batch],
    )) as { id: string; next_attempt_at: Date | null }[];
    this.cursor = rows.length === batch ? rows[rows.length - 1].id : '';
    let restored = 0;
    for (const row of rows) {
      const delayMs = (row.next_attempt_at?.getTime() ?? 0) - this.now();
      const outcome = await ensureDeliveryJob(this.queue, row.id, { delayMs });
      if (outcome === 'present') continue;
      restored++;
      this.options.metrics?.restored.inc();
      this.options.logger.info({ deliveryId: row.id, outcome }, 'delivery job restored');
    }
    return restored;
  }

  /**
   * Pending deliveries of disabled subscriptions whose retry window is over become `abandoned`
   * (not one an attempt still holds: its claim keeps `next_attempt_at` ahead); answers how many.
   */
  async abandonExpired(): Promise<number> {
    const now = this.now();
    const rows = (await this.dataSource.query(
      `WITH u AS (
         UPDATE webhook_deliveries d SET status = 'abandoned', next_attempt_at = NULL
           FROM webhook_subscriptions s
          WHERE s.id = d.subscription_id AND d.status = 'pending' AND s.status <> 'active'
            AND d.created_at <= $1 AND (d.next_attempt_at IS NULL OR d.next_attempt_at <= $2)
          RETURNING d.id, d.subscription_id
       ) SELECT * FROM u`,
      [new Date(now - this.options.retryWindowMs), new Date(now)],
    )) as { id: string; subscription_id: string }[];
    if (rows.length > 0) this.options.logger.info({ abandoned: rows.length }, 'held deliveries of disabled webhooks abandoned at the end of their retry window');
    return rows.length;
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }
}
