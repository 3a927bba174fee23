// Prometheus metrics every worker exposes.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Queue } from 'bullmq';
import type { DataSource } from 'typeorm';

export class WorkerMetrics {
  readonly stepDuration: Histogram<'queue' | 'result'>;
  readonly breakerState: Gauge<'provider' | 'operation'>;
  readonly finalOperations: Counter<'type' | 'status'>;
  readonly swept: Counter<'queue'>;

  constructor(readonly registry: Registry) {
    collectDefaultMetrics({ register: registry });
    this.stepDuration = new Histogram({
      name: 'ecr_job_step_seconds',
      help: 'Duration of one operation job step, by queue and result (done, wait, error)',
      labelNames: ['queue', 'result'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    });
    this.breakerState = new Gauge({
      name: 'ecr_provider_breaker_open',
      help: '1 when the breaker of a provider operation is open, 0.5 half-open, 0 closed',
      labelNames: ['provider', 'operation'],
      registers: [registry],
    });
    this.finalOperations = new Counter({
      name: 'ecr_operations_final_total',
      help: 'Operations that reached a final status, by type and status',
      labelNames: ['type', 'status'],
      registers: [registry],
    });
    this.swept = new Counter({
      name: 'ecr_sweeper_requeued_total',
      help: 'Operations whose job was missing or dead and was enqueued again by the sweeper',
      labelNames: ['queue'],
      registers: [registry],
    });
  }

  /** Gauges read at scrape time: the queue's job counts and the outbox's unpublished backlog. */
  watch(queue: Queue, dataSource: DataSource): void {
    new Gauge({
      name: 'ecr_queue_jobs',
      help: 'Jobs in the queue by state',
      labelNames: ['queue', 'state'],
      registers: [this.registry],
      async collect() {
        const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'prioritized');
        for (const [state, n] of Object.entries(counts)) this.set({ queue: queue.name, state }, n);
      },
    });
    new Gauge({
      name: 'ecr_outbox_unpublished_events',
      help: 'Outbox events not yet on the event stream',
      registers: [this.registry],
      async collect() {
        const [row] = (await dataSource.query('SELECT count(*)::int AS n FROM outbox WHERE published_at IS NULL')) as { n: number }[];
        this.set(row.n);
      },
    });
  }

  observe(queue: string, result: string, started: bigint): void {
    this.stepDuration.observe({ queue, result }, Number(process.hrtime.bigint() - started) / 1e9);
  }
}
