// Runs the delivery queue: a thin BullMQ processor that checks the job, asks for one attempt, and
// either completes or delays the job to the next attempt (no BullMQ attempt spent: a receiver's
// failures are recorded by the attempt itself). The worker's own errors are rethrown, so BullMQ's
// attempts and backoff apply.
import type { Logger } from '@app/common';
import { QueueName } from '@app/contracts';
import { closeWorkerWithin } from '@app/workers';
import { webhookDeliveryJobSchema } from '@app/webhooks';
import { DelayedError, Job, UnrecoverableError, Worker } from 'bullmq';
import Redis from 'ioredis';
import { WebhookDeliveryService } from './webhook-delivery.service';

export interface WebhookDeliveryWorkerOptions {
  connection: Redis;
  prefix: string;
  concurrency: number;
  deliveries: WebhookDeliveryService;
  logger: Logger;
}

export class WebhookDeliveryWorker {
  private worker: Worker | null = null;

  constructor(private readonly options: WebhookDeliveryWorkerOptions) {}

  start(): void {
    const { connection, prefix, concurrency } = this.options;
    this.worker = new Worker(QueueName.WebhookDeliveries, (job, token) => this.process(job, token), { connection, prefix, concurrency });
    this.worker.on('failed', (job, err) =>
      this.options.logger.warn({ deliveryId: job?.id, attempts: job?.attemptsMade, err: err.message }, 'delivery job failed'),
    );
    this.worker.on('error', (err) => this.options.logger.error({ err: err.message }, 'delivery worker error'));
  }

  /**
   * Stops taking jobs and waits for the attempts in flight; after `graceMs`, runs `quiesce` (this
   * process must stop acting for them) and hands those still running back to the queue.
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
    const parsed = webhookDeliveryJobSchema.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`job ${job.id} has no valid deliveryId`);
    const outcome = await this.options.deliveries.deliver(parsed.data.deliveryId);
    if (outcome.kind === 'later') {
      await job.moveToDelayed(outcome.at, token);
      throw new DelayedError();
    }
  }
}
