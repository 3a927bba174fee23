// What one step of an operation's job tells the runner to do next.

import type { Done, Step, Wait } from '@app/providers';

export type { Done, Step, Wait } from '@app/providers';

export const done = (): Done => ({ kind: 'done' });
export const wait = (delayMs: number): Wait => ({ kind: 'wait', delayMs: Math.max(0, Math.round(delayMs)) });

/**
 * Thrown when the provider cannot be asked right now (its breaker is open): the job waits without
 * spending an attempt, so an outage never fails jobs.
 */
export class RetryLater extends Error {
  constructor(
    readonly delayMs: number,
    message = 'provider unavailable; retrying later',
  ) {
    super(message);
    this.name = 'RetryLater';
  }
}

/** Advances one operation by one step, reading its state from Postgres. */
export interface OperationAdvancer {
  advance(operationId: string): Promise<Step>;
}

/** Adds up to `ratio` of random jitter so a recovering provider is not hit by a synchronized storm. */
export function jitter(ms: number, ratio = 0.2, random: () => number = Math.random): number {
  return Math.round(ms * (1 + ratio * random()));
}
