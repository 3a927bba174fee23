// Postgres is the truth and Redis may lose everything: the sweeper walks the open operations of its
// types and gives a job back to any whose job is missing, failed or completed. It is what makes a
// Redis flush, a failed enqueue at the gateway or exhausted attempts lose nothing.
import { OperationType } from '@app/contracts';
import { ensureOperationJob } from '@app/jobs';
import type { Logger } from '@app/common';
import { Queue } from 'bullmq';
import Redis from 'ioredis';
import { DataSource } from 'typeorm';
import { PeriodicTask } from './periodic.task';
import { WorkerMetrics } from './worker.metrics';

export interface OperationSweeperOptions {
  types: OperationType[];
  intervalMs: number;
  /** Only rows untouched for this long are checked, so the gateway's own enqueue is not raced. */
  graceMs: number;
  batchSize?: number;
  logger: Logger;
  metrics?: WorkerMetrics;
}

export class OperationSweeper {
  private cursor = '';
  private readonly loop: PeriodicTask;

  constructor(
    private readonly dataSource: DataSource,
    private readonly queue: Queue,
    private readonly redis: Redis,
    private readonly options: OperationSweeperOptions,
  ) {
    this.loop = new PeriodicTask(() => this.sweepOnce(), {
      intervalMs: options.intervalMs,
      logger: options.logger,
      what: 'sweep',
      runAtStart: true,
    });
  }

  start(): void {
    this.loop.start();
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }

  /** Checks one batch of open operations (round robin by id); returns how many it re-enqueued. */
  async sweepOnce(): Promise<number> {
    const batch = this.options.batchSize ?? 1000;
    const rows = (await this.dataSource.query(
      `SELECT id, type FROM operations
        WHERE type = ANY($1) AND id > $2
          AND status NOT IN ('approved','rejected','cancelled','expired','failed')
          AND updated_at < now() - ($3 || ' milliseconds')::interval
        ORDER BY id LIMIT $4`,
      [this.options.types, this.cursor, String(this.options.graceMs), batch],
    )) as { id: string; type: OperationType }[];
    this.cursor = rows.length === batch ? rows[rows.length - 1].id : '';
    if (rows.length === 0) return 0;

    const base = `${this.queue.opts.prefix}:${this.queue.name}`;
    const pipeline = this.redis.pipeline();
    for (const r of rows) {
      pipeline.exists(`${base}:${r.id}`);
      pipeline.zscore(`${base}:failed`, r.id);
      pipeline.zscore(`${base}:completed`, r.id);
    }
    const results = (await pipeline.exec()) ?? [];
    let requeued = 0;
    for (let i = 0; i < rows.length; i++) {
      const exists = results[i * 3]?.[1] === 1;
      const failed = results[i * 3 + 1]?.[1] !== null;
      const completed = results[i * 3 + 2]?.[1] !== null;
      if (exists && !failed && !completed) continue;
      const outcome = await ensureOperationJob(this.queue, rows[i].type, rows[i].id);
      if (outcome !== 'present') {
        requeued++;
        this.options.metrics?.swept.inc({ queue: this.queue.name });
        this.options.logger.info({ operationId: rows[i].id, outcome }, 'operation job restored');
      }
    }
    return requeued;
  }
}
