// The delivery queue, shared by the gateway (manual redelivery) and the webhooks worker. One job
// per delivery, its id the delivery id, carrying only that id: Postgres holds the truth, so a job
// lost with Redis is rebuilt from the row (the worker's sweeper does it) and enqueueing twice is
// harmless. The queue and job names are QueueName.WebhookDeliveries and JobName.WebhookDeliver
// (@app/contracts), stored in Redis: never rename them.
import { JobName, QueueName } from '@app/contracts';
import { JobsOptions, Queue } from 'bullmq';
import type Redis from 'ioredis';
import { z } from 'zod';

export const webhookDeliveryJobSchema = z.object({ deliveryId: z.string().min(1).max(40) });
export type WebhookDeliveryJob = z.infer<typeof webhookDeliveryJobSchema>;

/**
 * A receiver's failures never fail the job (the worker records them and delays the job to the next
 * attempt itself); these attempts are for the worker's own errors (Postgres down, an unreadable
 * secret), after which the sweeper gives the delivery a new job.
 */
export const WEBHOOK_DELIVERY_JOB_OPTIONS: JobsOptions = Object.freeze({
  attempts: 8,
  backoff: { type: 'exponential', delay: 2000 },
  removeOnComplete: true,
  removeOnFail: { age: 7 * 24 * 3600, count: 100_000 },
});

export function createDeliveryQueue(connection: Redis, prefix: string): Queue {
  return new Queue(QueueName.WebhookDeliveries, { connection, prefix, defaultJobOptions: WEBHOOK_DELIVERY_JOB_OPTIONS });
}

export type DeliveryJobResult = 'added' | 'present' | 'promoted' | 'replaced';

/**
 * Makes sure the delivery has a live job, due in `delayMs`. A delayed job is promoted when
 * `promote` is set (a manual redelivery goes now); a failed or completed one is replaced.
 */
export async function ensureDeliveryJob(
  queue: Queue,
  deliveryId: string,
  { delayMs = 0, promote = false }: { delayMs?: number; promote?: boolean } = {},
): Promise<DeliveryJobResult> {
  const existing = await queue.getJob(deliveryId);
  const state = existing ? await existing.getState() : 'unknown';
  if (existing && state === 'delayed' && promote) {
    await existing.promote().catch(() => undefined);
    return 'promoted';
  }
  if (existing && state !== 'failed' && state !== 'completed' && state !== 'unknown') return 'present';
  if (existing) await existing.remove().catch(() => undefined);
  const data: WebhookDeliveryJob = { deliveryId };
  await queue.add(JobName.WebhookDeliver, data, { jobId: deliveryId, delay: Math.max(0, Math.round(delayMs)) });
  return existing ? 'replaced' : 'added';
}
