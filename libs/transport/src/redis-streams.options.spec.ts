import { hostname } from 'node:os';
import { MAX_RETRY_DELAY_MS, resolveServerOptions, retryDelay } from './redis-streams.options';

const base = { url: 'redis://127.0.0.1:6379', stream: 'ecr-bridge:events', group: 'accounting' };

describe('server options', () => {
  it('fills in the defaults', () => {
    expect(resolveServerOptions(base)).toMatchObject({
      consumer: `${hostname()}-${process.pid}`,
      startFrom: 'beginning',
      batchSize: 32,
      blockMs: 5000,
      maxDeliveries: 5,
      deadLetterStream: 'ecr-bridge:events:dead',
      claimIdleMs: 30_000,
      retryDelayMs: 1000,
      concurrency: 1,
    });
  });

  it('heartbeats three times within the idle time that marks a consumer dead', () => {
    const o = resolveServerOptions({ ...base, claimIdleMs: 900 });
    expect(o.heartbeatMs).toBe(300);
    expect(o.claimEveryMs).toBe(450);
  });

  it('refuses options that cannot work, naming them', () => {
    expect(() => resolveServerOptions({ ...base, maxDeliveries: 0 })).toThrow(/maxDeliveries/);
    expect(() => resolveServerOptions({ ...base, group: '' })).toThrow(/group/);
  });
});

describe('retry delay', () => {
  it('doubles with each delivery up to a cap', () => {
    expect([1, 2, 3, 4].map((n) => retryDelay(1000, n))).toEqual([1000, 2000, 4000, 8000]);
    expect(retryDelay(1000, 30)).toBe(MAX_RETRY_DELAY_MS);
  });
});
