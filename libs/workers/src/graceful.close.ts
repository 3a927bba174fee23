// Closing a BullMQ worker within a deadline. `worker.close()` stops taking jobs and waits for the
// active ones; a job still running when the time is up is handed back to the queue (moved from
// active to waiting, its lock removed, no attempt spent) so another worker takes it at once instead
// of after the lock expires and stall detection notices.
//
// A step must never run in two places at once (two creates of one intent), and the step cut short
// is still running here when its job is handed back. So `quiesce` comes first: it makes this
// process unable to act for that step any more (no provider call leaves, no row is written), and
// only then are the jobs released. What remains is what a crash at that instant leaves, which every
// step is written to survive (a create whose answer was lost is looked up, never sent again).
import type { Logger } from '@app/common';
import { Job, Worker } from 'bullmq';

export interface CloseOutcome {
  /** Every active job finished in time. */
  drained: boolean;
  /** Ids of the jobs handed back to the queue. */
  released: string[];
}

/**
 * Stops `worker` taking jobs and waits up to `graceMs` for its active jobs; then runs `quiesce`,
 * releases the jobs still running and returns without waiting for them (the process is about to exit).
 */
export async function closeWorkerWithin(
  worker: Worker,
  graceMs: number,
  logger: Logger,
  quiesce: () => Promise<void> = async () => undefined,
): Promise<CloseOutcome> {
  const closing = worker.close();
  if (!Number.isFinite(graceMs)) {
    await closing;
    return { drained: true, released: [] };
  }
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), Math.max(0, graceMs));
  });
  const first = await Promise.race([closing.then(() => 'closed' as const), timedOut]);
  clearTimeout(timer);
  if (first === 'closed') return { drained: true, released: [] };
  closing.catch(() => undefined);
  await quiesce().catch((err: unknown) => logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'quiescing before the release failed'));
  const released = await releaseActiveJobs(worker).catch((err: unknown) => {
    logger.error({ err: err instanceof Error ? err.message : String(err) }, 'could not release active jobs; their locks expire instead');
    return [] as string[];
  });
  logger.warn({ released, graceMs }, 'jobs still running at the end of the shutdown grace period were handed back to the queue');
  return { drained: false, released };
}

/** Moves this worker's active jobs back to waiting (only those whose lock this worker holds). */
export async function releaseActiveJobs(worker: Worker): Promise<string[]> {
  const client = await worker.client;
  const ids = await client.lrange(worker.keys.active, 0, -1);
  if (ids.length === 0) return [];
  const tokens = await Promise.all(ids.map((id) => client.get(`${worker.toKey(id)}:lock`)));
  // A lock's value is the token of the worker that holds it: `<worker id>:<n>`.
  const mine = `${worker.id}:`;
  const released: string[] = [];
  for (let i = 0; i < ids.length; i++) {
    const token = tokens[i];
    if (!token?.startsWith(mine)) continue;
    const job = await Job.fromId(worker, ids[i]);
    if (!job) continue;
    try {
      await job.moveToWait(token);
      released.push(ids[i]);
    } catch {
      // It finished, or its lock moved on, between the read and the move: nothing to hand back.
    }
  }
  return released;
}
