import { nextAttemptAt, RetryPolicy } from './retry.schedule';
import { DEFAULT_RETRY_SCHEDULE_MS } from './webhooks.config';

const HOUR = 3600_000;
const WINDOW = 72 * HOUR;
const policy: RetryPolicy = { scheduleMs: DEFAULT_RETRY_SCHEDULE_MS, windowMs: WINDOW };

/** Attempt times of a delivery that always fails, from its creation at 0. */
function attemptTimes(p: RetryPolicy, random: () => number): number[] {
  const times = [0];
  for (;;) {
    const next = nextAttemptAt(p, times.length, 0, times[times.length - 1], random);
    if (next === null) return times;
    times.push(next);
  }
}

describe('webhook retry schedule', () => {
  it('retries after 10 s, 1 min, 5 min, 30 min, 2 h and 6 h, then every 12 h', () => {
    const times = attemptTimes(policy, () => 0);
    const delays = times.slice(1).map((t, i) => t - times[i]);
    expect(delays.slice(0, 8)).toEqual([10_000, 60_000, 300_000, 1_800_000, 7_200_000, 21_600_000, 43_200_000, 43_200_000]);
  });

  it('keeps trying for at least 3 days, and stops after the first attempt past them', () => {
    for (const random of [() => 0, () => 0.999]) {
      const times = attemptTimes(policy, random);
      const last = times[times.length - 1];
      expect(last).toBeGreaterThanOrEqual(WINDOW);
      expect(times[times.length - 2]).toBeLessThan(WINDOW);
      expect(last).toBeLessThan(WINDOW + 12 * HOUR * 1.2 + 1);
    }
    expect(attemptTimes(policy, () => 0)).toHaveLength(13);
  });

  it('adds up to 20 % jitter, never less than the schedule', () => {
    expect(nextAttemptAt(policy, 1, 0, 0, () => 0)).toBe(10_000);
    expect(nextAttemptAt(policy, 1, 0, 0, () => 0.5)).toBe(11_000);
    expect(nextAttemptAt(policy, 1, 0, 0, () => 1)).toBe(12_000);
  });

  it('gives up once the window has passed, whatever the attempt count', () => {
    expect(nextAttemptAt(policy, 1, 0, WINDOW)).toBeNull();
    expect(nextAttemptAt(policy, 1, 0, WINDOW - 1)).not.toBeNull();
  });

  it('takes a schedule in milliseconds', () => {
    const times = attemptTimes({ scheduleMs: [5, 10], windowMs: 40, jitterRatio: 0 }, Math.random);
    expect(times).toEqual([0, 5, 15, 25, 35, 45]);
  });
});
