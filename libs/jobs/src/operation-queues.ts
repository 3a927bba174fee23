// Where each operation type's job lives, and the one way to make sure an operation has a job.
// The job id is the operation id, so enqueueing twice is harmless and a lost job is rebuilt
// from the row alone.
import { JobName, OperationType, QueueName } from '@app/contracts';
import { JobsOptions, Queue, QueueOptions } from 'bullmq';
import Redis, { RedisOptions } from 'ioredis';

export const QUEUE_OF: Readonly<Record<OperationType, QueueName>> = Object.freeze({
  payment: QueueName.Payments,
  reversal: QueueName.Reversals,
  refund: QueueName.Reversals,
  settlement: QueueName.Settlements,
});

export const JOB_OF: Readonly<Record<OperationType, JobName>> = Object.freeze({
  payment: JobName.PaymentAdvance,
  reversal: JobName.ReversalAdvance,
  refund: JobName.RefundAdvance,
  settlement: JobName.SettlementAdvance,
});

/** Transient failures retry with backoff; after the last attempt the sweeper takes over. */
export const OPERATION_JOB_OPTIONS: JobsOptions = Object.freeze({
  attempts: 8,
  backoff: { type: 'exponential', delay: 1000 },
  removeOnComplete: true,
  removeOnFail: { age: 7 * 24 * 3600, count: 100_000 },
});

export function redisConnection(url: string, extra: RedisOptions = {}): Redis {
  // BullMQ needs blocking commands to wait forever and to queue commands while reconnecting.
  return new Redis(url, { maxRetriesPerRequest: null, enableReadyCheck: true, ...extra });
}

export function createQueue(name: QueueName, connection: Redis, prefix: string): Queue {
  const options: QueueOptions = { connection, prefix, defaultJobOptions: OPERATION_JOB_OPTIONS };
  return new Queue(name, options);
}

export type EnsureResult = 'added' | 'present' | 'promoted' | 'replaced';

/**
 * Makes sure the operation has a live job. A delayed job is promoted when `promote` is set (a
 * cancel should act now, not at the next poll); a failed or completed one is replaced. `fresh`
 * (an operation just created) skips the look-up: one round trip instead of two or three.
 */
export async function ensureOperationJob(
  queue: Queue,
  type: OperationType,
  operationId: string,
  { promote = false, fresh = false }: { promote?: boolean; fresh?: boolean } = {},
): Promise<EnsureResult> {
  if (fresh) {
    // A new operation cannot have a finished job to replace; BullMQ ignores an id it already has.
    await queue.add(JOB_OF[type], { operationId }, { jobId: operationId });
    return 'added';
  }
  const existing = await queue.getJob(operationId);
  let replaced = false;
  if (existing) {
    const state = await existing.getState();
    if (state === 'failed' || state === 'completed') {
      await existing.remove().catch(() => undefined);
      replaced = true;
    } else if (state === 'delayed' && promote) {
      await existing.promote().catch(() => undefined);
      return 'promoted';
    } else if (state !== 'unknown') {
      return 'present';
    }
  }
  await queue.add(JOB_OF[type], { operationId }, { jobId: operationId });
  return replaced ? 'replaced' : 'added';
}

/** Deletes every key under `prefix` (a throw-away deployment's queues and streams). */
export async function deleteKeysWithPrefix(redis: Redis, prefix: string): Promise<number> {
  let cursor = '0';
  let deleted = 0;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length) deleted += await redis.del(...keys);
  } while (cursor !== '0');
  return deleted;
}
