// Prometheus metrics of the webhooks app.
import { watchQueueJobs } from '@app/workers';
import type { Queue } from 'bullmq';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { DataSource } from 'typeorm';

export class WebhookMetrics {
  readonly attempts: Counter<'result'>;
  readonly attemptDuration: Histogram;
  readonly disabled: Counter;
  readonly restored: Counter;

  constructor(readonly registry: Registry) {
    collectDefaultMetrics({ register: registry });
    this.attempts = new Counter({
      name: 'ecr_webhook_attempts_total',
      help: 'Delivery attempts by result (succeeded, failed)',
      labelNames: ['result'],
      registers: [registry],
    });
    this.attemptDuration = new Histogram({
      name: 'ecr_webhook_attempt_seconds',
      help: 'Duration of one delivery attempt, until the answer or the timeout',
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    });
    this.disabled = new Counter({
      name: 'ecr_webhook_subscriptions_disabled_total',
      help: 'Subscriptions disabled after failing, without a success, for the whole retry window',
      registers: [registry],
    });
    this.restored = new Counter({
      name: 'ecr_webhook_jobs_restored_total',
      help: 'Pending deliveries whose job was missing or dead and was enqueued again by the sweeper',
      registers: [registry],
    });
  }

  /**
   * Read at scrape time: the pending deliveries (held ones included), and the delivery queue's
   * depth as `ecr_queue_jobs{queue="webhook-deliveries",state}`, like every worker's queue.
   */
  watch(dataSource: DataSource, queue: Queue): void {
    watchQueueJobs(this.registry, queue);
    new Gauge({
      name: 'ecr_webhook_deliveries_pending',
      help: 'Pending deliveries: waiting for their first attempt or a retry, or held while their subscription is disabled',
      registers: [this.registry],
      async collect() {
        const [row] = (await dataSource.query(`SELECT count(*)::int AS n FROM webhook_deliveries WHERE status = 'pending'`)) as { n: number }[];
        this.set(row.n);
      },
    });
  }
}
