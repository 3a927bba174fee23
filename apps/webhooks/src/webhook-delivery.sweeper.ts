// Postgres is the truth and Redis may lose everything: the sweeper walks the pending deliveries of
// active subscriptions and gives a job, due at the delivery's next attempt, to any whose job is
// missing, failed or completed. It is what makes a Redis flush, a failed enqueue or a worker's
// exhausted job attempts lose no delivery.
import type { Logger } from '@app/common';
import { ensureDeliveryJob } from '@app/webhooks';
import { PeriodicTask } from '@app/workers';
import { Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { WebhookMetrics } from './webhook.metrics';

export interface DeliverySweeperOptions {
  intervalMs: number;
  batchSize?: number;
  logger: Logger;
  metrics?: WebhookMetrics;
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

  /** Checks one batch of pending deliveries (round robin by id); answers how many it queued again. */
  async sweepOnce(): Promise<number> {
    const batch = this.options.batchSize ?? 500;
    const rows = (await this.dataSource.query(
      `SELECT d.id, d.next_attempt_at FROM webhook_deliveries d JOIN webhook_subscriptions s ON s.id = d.subscription_id
        WHERE d.status = 'pending' AND s.status = 'active' AND d.id > $1 ORDER BY d.id LIMIT $2`,
      [this.cursor, batch],
    )) as { id: string; next_attempt_at: Date | null }[];
    this.cursor = rows.length === batch ? rows[rows.length - 1].id : '';
    let restored = 0;
    for (const row of rows) {
      const delayMs = (row.next_attempt_at?.getTime() ?? 0) - Date.now();
      const outcome = await ensureDeliveryJob(this.queue, row.id, { delayMs });
      if (outcome === 'present') continue;
      restored++;
      this.options.metrics?.restored.inc();
      this.options.logger.info({ deliveryId: row.id, outcome }, 'delivery job restored');
    }
    return restored;
  }
}
