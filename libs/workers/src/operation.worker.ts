// Runs an operation queue: a thin BullMQ processor that validates the job, asks the advancer for one
// step and either completes, delays the job to the next poll (no attempt spent), or rethrows a
// transient error so BullMQ's attempts and backoff apply.
import { DelayedError, Job, UnrecoverableError, Worker } from 'bullmq';
import Redis from 'ioredis';
import { operationJobSchema, QueueName } from '@app/contracts';
import type { Logger } from '@app/common';
import { OperationAdvancer, RetryLater, Step } from './advance';
import { closeWorkerWithin } from './graceful.close';
import { withOperationLogContext } from './log.context';
import { WorkerMetrics } from './worker.metrics';

export interface OperationWorkerOptions {
  queue: QueueName;
  connection: Redis;
  prefix: string;
  concurrency: number;
  /**
   * How long a job's lock lives without renewal. Renewals happen every lockMs / 2, so a busy event
   * loop has slack. A killed worker's jobs come back when the stalled check first finds their lock
   * gone: at most lockMs + stalledInterval after the kill. The check runs every lockMs / 4 (one
   * Lua script per queue for all workers together), so with the default 10 s lock a killed
   * worker's operations resume within 12.5 s plus one step; every lockMs / 2 left up to 15 s.
   */
  lockMs: number;
  advancer: OperationAdvancer;
  logger: Logger;
  metrics?: WorkerMetrics;
}

export class OperationWorker {
  private worker: Worker | null = null;

  constructor(private readonly options: OperationWorkerOptions) {}

  start(): void {
    const { queue, connection, prefix, concurrency, lockMs } = this.options;
    this.worker = new Worker(queue, (job, token) => this.process(job, token), {
      connection,
      prefix,
      concurrency,
      lockDuration: lockMs,
      stalledInterval: Math.max(1000, Math.round(lockMs / 4)),
      maxStalledCount: 10,
      autorun: true,
    });
    this.worker.on('failed', (job, err) =>
      this.options.logger.warn(
        { operationId: operationIdOf(job), jobId: job?.id, attempts: job?.attemptsMade, err: err.message },
        'job attempt failed',
      ),
    );
    this.worker.on('error', (err) => this.options.logger.error({ err: err.message }, 'worker error'));
  }

  /**
   * Stops taking jobs and waits for the active ones to finish their step; after `graceMs`, runs
   * `quiesce` (this process must stop acting for them) and hands those still running back to the
   * queue for another worker.
   */
  async stop(graceMs = Number.POSITIVE_INFINITY, quiesce?: () => Promise<void>): Promise<void> {
    if (this.worker) await closeWorkerWithin(this.worker, graceMs, this.options.logger, quiesce);
    this.worker = null;
    this.options.connection.disconnect();
  }

  get running(): boolean {
    return this.worker?.isRunning() ?? false;
  }

  private async process(job: Job, token?: string): Promise<void> {
    const parsed = operationJobSchema.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`job ${job.id} has no valid operationId`);
    const { operationId } = parsed.data;
    // Every line written during this step names the operation and the job: the worker's own lines
    // through this child, the advancer's and lifecycle's through the runtime logger's mixin.
    const context = job.id === undefined ? { operationId } : { operationId, jobId: job.id };
    const log = this.options.logger.child(context);
    const started = process.hrtime.bigint();
    let step: Step;
    try {
      step = await withOperationLogContext(context, () => this.options.advancer.advance(operationId));
    } catch (err) {
      if (err instanceof RetryLater) {
        step = { kind: 'wait', delayMs: err.delayMs };
      } else {
        this.options.metrics?.observe(this.options.queue, 'error', started);
        log.debug({ err: err instanceof Error ? err.message : String(err) }, 'job step failed');
        throw err;
      }
    }
    this.options.metrics?.observe(this.options.queue, step.kind, started);
    log.debug(step.kind === 'wait' ? { step: step.kind, delayMs: step.delayMs } : { step: step.kind }, 'job step');
    if (step.kind === 'wait') {
      await job.moveToDelayed(Date.now() + step.delayMs, token);
      throw new DelayedError();
    }
  }
}

/** The operation a job is about: its data's operationId, else its id (jobs are keyed by operation). */
function operationIdOf(job: Job | undefined): string | undefined {
  const parsed = operationJobSchema.safeParse(job?.data);
  return parsed.success ? parsed.data.operationId : job?.id;
}
