// Prometheus metrics every worker exposes.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Queue } from 'bullmq';
import type { DataSource } from 'typeorm';
import { FINAL_STATUSES, OPERATION_STATUSES, OperationType } from '@app/contracts';

/** Statuses an operation can still leave; the ones the partial index `operations_open_idx` holds. */
export const OPEN_STATUSES = Object.freeze(OPERATION_STATUSES.filter((s) => !FINAL_STATUSES.has(s)));

// The predicate of `operations_open_idx`, word for word, so the planner can use that index.
const OPEN_OPERATIONS_SQL = `SELECT type, status, count(*)::int AS n FROM operations
  WHERE status NOT IN ('approved','rejected','cancelled','expired','failed') AND type = ANY($1)
  GROUP BY type, status`;

/** The outbox's unpublished backlog: how many events, and how long the oldest has waited. */
export const OUTBOX_BACKLOG_SQL = `SELECT count(*)::int AS n,
  COALESCE(EXTRACT(EPOCH FROM now() - min(created_at)), 0)::float8 AS age
  FROM outbox WHERE published_at IS NULL`;

/** Calls of the returned function while `read` runs share its answer; the next call reads again. */
function sharedWhileRunning<T>(read: () => Promise<T>): () => Promise<T> {
  let running: Promise<T> | null = null;
  return () => {
    running ??= read().finally(() => {
      running = null;
    });
    return running;
  };
}

/**
 * `ecr_queue_jobs{queue,state}`, read at scrape time: the queue's depth, its BullMQ jobs by state.
 * Every process that runs a queue's jobs exports it for that queue (the webhooks app too).
 */
export function watchQueueJobs(registry: Registry, queue: Queue): Gauge<'queue' | 'state'> {
  return new Gauge({
    name: 'ecr_queue_jobs',
    help: 'Jobs in the queue by state',
    labelNames: ['queue', 'state'],
    registers: [registry],
    async collect() {
      const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'prioritized');
      for (const [state, n] of Object.entries(counts)) this.set({ queue: queue.name, state }, n);
    },
  });
}

export class WorkerMetrics {
  readonly stepDuration: Histogram<'queue' | 'result'>;
  readonly breakerState: Gauge<'provider' | 'operation'>;
  readonly finalOperations: Counter<'type' | 'status'>;
  readonly swept: Counter<'queue'>;
  readonly providerCall: Histogram<'provider' | 'operation' | 'outcome'>;
  readonly providerCallErrors: Counter<'provider' | 'operation' | 'code'>;

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
    this.providerCall = new Histogram({
      name: 'ecr_provider_call_seconds',
      help: 'Duration of one provider call through its breaker, by provider, operation and outcome (ok or the error code)',
      labelNames: ['provider', 'operation', 'outcome'],
      buckets: [0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20],
      registers: [registry],
    });
    this.providerCallErrors = new Counter({
      name: 'ecr_provider_call_errors_total',
      help: 'Provider calls that failed, by provider, operation and error code (PAYSTORE.CIRCUIT_OPEN when the breaker refused them)',
      labelNames: ['provider', 'operation', 'code'],
      registers: [registry],
    });
  }

  /**
   * Gauges read at scrape time: the queue's job counts, the outbox's unpublished backlog (how many,
   * and the age of the oldest) and the operations of `types` not yet final, by status.
   */
  watch(queue: Queue, dataSource: DataSource, types: readonly OperationType[] = []): void {
    watchQueueJobs(this.registry, queue);
    // One query per scrape for both outbox gauges: prom-client collects them side by side.
    const backlog = sharedWhileRunning(async () => {
      const [row] = (await dataSource.query(OUTBOX_BACKLOG_SQL)) as { n: number; age: number | string }[];
      return { count: row.n, oldestSeconds: Number(row.age) };
    });
    new Gauge({
      name: 'ecr_outbox_unpublished_events',
      help: 'Outbox events not yet on the event stream',
      registers: [this.registry],
      async collect() {
        this.set((await backlog()).count);
      },
    });
    new Gauge({
      name: 'ecr_outbox_oldest_unpublished_seconds',
      help: 'Age in seconds of the oldest outbox event not yet on the event stream (0 when none waits)',
      registers: [this.registry],
      async collect() {
        this.set((await backlog()).oldestSeconds);
      },
    });
    if (types.length === 0) return;
    new Gauge({
      name: 'ecr_operations',
      help: 'Operations not yet final, by type and status (final ones are counted by ecr_operations_final_total)',
      labelNames: ['type', 'status'],
      registers: [this.registry],
      async collect() {
        const rows = (await dataSource.query(OPEN_OPERATIONS_SQL, [types])) as { type: string; status: string; n: number }[];
        for (const type of types) for (const status of OPEN_STATUSES) this.set({ type, status }, 0);
        for (const row of rows) this.set({ type: row.type, status: row.status }, row.n);
      },
    });
  }

  /** Records one provider call (an `onCall` event of the PayStore client). */
  observeProviderCall(provider: string, operation: string, outcome: string, durationMs: number): void {
    this.providerCall.observe({ provider, operation, outcome }, durationMs / 1000);
    if (outcome !== 'ok') this.providerCallErrors.inc({ provider, operation, code: outcome });
  }

  observe(queue: string, result: string, started: bigint): void {
    this.stepDuration.observe({ queue, result }, Number(process.hrtime.bigint() - started) / 1e9);
  }
}
