// A PayStore outage on polls, seen from outside a worker: the provider answers 503 to the reads of
// some intents (sandbox fault injection), the worker's breakers of those reads, and what the jobs
// spend meanwhile. Workers run with short breaker settings so a test stays quick.
import type { AppConfig } from '@app/common';
import type { PaystoreOperation } from '@app/paystore-client';
import { sleep, waitFor } from '@app/testing';
import type { OperationRuntime } from '@app/workers';
import type { Queue } from 'bullmq';
import type { System } from './system';

/**
 * Breakers that rest long enough (4 s) for a test to watch them open, jobs that look again every
 * 250–375 ms while they are open. The defaults are 10 s and 5 s.
 */
export const SHORT_BREAKERS: Partial<AppConfig> = { PAYSTORE_BREAKER_RESET_MS: 4000, BREAKER_WAIT_MS: 250 };

/** Makes every read (GET) under each path answer 503 until the returned function is called. */
export async function failReads(sys: System, paths: string[]): Promise<() => Promise<void>> {
  const ids: string[] = [];
  for (const path of paths) {
    const { data } = await sys.sandboxCall<{ data: { id: string } }>('POST', '/sandbox/faults', { match: { method: 'GET', path }, errorRate: 1, status: 503 });
    ids.push(data.id);
  }
  return async () => {
    for (const id of ids) await sys.sandboxCall('DELETE', `/sandbox/faults/${id}`);
  };
}

export function breakerStates(runtime: OperationRuntime, operations: PaystoreOperation[]): string[] {
  const states = runtime.client.breakerStates();
  return operations.map((operation) => states[operation]);
}

export async function breakersBecome(runtime: OperationRuntime, operations: PaystoreOperation[], state: 'open' | 'closed', timeoutMs = 20_000): Promise<void> {
  await waitFor(async () => (breakerStates(runtime, operations).every((s) => s === state) ? true : undefined), {
    timeoutMs,
    intervalMs: 50,
    what: `the breakers of ${operations.join(', ')} to be ${state}`,
  });
}

export interface JobsSnapshot {
  /** BullMQ attempts spent by each job. */
  attempts: number[];
  /** When each job was last taken by the worker. */
  processedOn: number[];
  states: string[];
}

export async function jobsSnapshot(queue: Queue, ids: string[]): Promise<JobsSnapshot> {
  const jobs = await Promise.all(ids.map((id) => queue.getJob(id)));
  return {
    attempts: jobs.map((job) => job?.attemptsMade ?? -1),
    processedOn: jobs.map((job) => job?.processedOn ?? -1),
    states: await Promise.all(jobs.map(async (job) => (job ? await job.getState() : 'missing'))),
  };
}

/** GET requests the sandbox logged under `path`. */
export async function readsOf(sys: System, path: string): Promise<number> {
  return (await sys.providerRequests(path, 'GET')).filter((r) => r.path.includes(path)).length;
}

/**
 * While the breakers of `operations` rest: over 1.5 s the jobs keep being taken and put back
 * (so they wait the short BREAKER_WAIT_MS, not the default), none spends more than one attempt, none fails, the
 * provider hears at most one read under `readPaths`, and every operation is still `pending`.
 */
export async function expectWaitingOut(
  sys: System,
  runtime: OperationRuntime,
  queue: Queue,
  ids: string[],
  operations: PaystoreOperation[],
  readPaths: string[],
): Promise<void> {
  const reads = async () => (await Promise.all(readPaths.map((path) => readsOf(sys, path)))).reduce((a, b) => a + b, 0);
  const before = await jobsSnapshot(queue, ids);
  const readsBefore = await reads();
  await sleep(1500);
  const after = await jobsSnapshot(queue, ids);
  expect(breakerStates(runtime, operations)).toEqual(operations.map(() => 'open'));
  // A job whose first failed poll came as the breaker opened has spent that one attempt; taken
  // again and again while it is open, none spends another.
  for (const n of after.attempts) expect(n).toBeLessThanOrEqual(1);
  after.processedOn.forEach((at, i) => expect(at).toBeGreaterThan(before.processedOn[i]!));
  expect(after.states).not.toContain('failed');
  expect((await reads()) - readsBefore).toBeLessThanOrEqual(1);
  for (const id of ids) expect(await sys.status(id)).toBe('pending');
}

/** Once the provider is back: every operation ends `approved`, with no failure, and the breakers close. */
export async function expectRecovered(sys: System, runtime: OperationRuntime, ids: string[], operations: PaystoreOperation[]): Promise<void> {
  for (const id of ids) expect(await sys.finalStatus(id, 20_000)).toBe('approved');
  await breakersBecome(runtime, operations, 'closed', 5000);
  for (const id of ids) expect((await sys.repo.findById(id))?.result.failure).toBeUndefined();
}
