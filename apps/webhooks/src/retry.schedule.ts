// When a failed delivery is tried again. The delays follow a schedule (roughly exponential by
// default, its last delay repeating) with up to 20 % added at random, so a receiver coming back is
// not hit by every retry at once. Retries go on until the retry window, counted from the
// delivery's creation, has passed: the last attempt is made at or after the end of the window, so
// a delivery is tried for at least that long.
import { jitter } from '@app/workers';

export interface RetryPolicy {
  /** Delay after the 1st, 2nd, … failed attempt; the last one repeats. */
  scheduleMs: readonly number[];
  windowMs: number;
  jitterRatio?: number;
}

/**
 * After the `failedAttempts`-th failed attempt, made at `now`, of a delivery created at
 * `createdAt` (epoch ms): when to try next, or null to give up.
 */
export function nextAttemptAt(
  policy: RetryPolicy,
  failedAttempts: number,
  createdAt: number,
  now: number,
  random: () => number = Math.random,
): number | null {
  if (now - createdAt >= policy.windowMs) return null;
  const { scheduleMs } = policy;
  const delay = scheduleMs[Math.min(Math.max(failedAttempts, 1), scheduleMs.length) - 1];
  return now + jitter(delay, policy.jitterRatio ?? 0.2, random);
}
