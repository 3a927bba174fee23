// The limiter itself against a real Redis: what each mode counts, what a refusal says, a window
// carried over from the previous minute, and failing open (with a warning) when Redis is away.
import { AddressInfo, createServer, Socket } from 'node:net';
import type { AppConfig, Logger } from '@app/common';
import { createTestRedis, TestRedis } from '@app/testing';
import { RATE_LIMIT_WINDOW_MS, RateLimiter } from '../../apps/gateway/src/security/rate-limiter.service';

const READY_INFO = '# Server\r\nredis_version:7.0.0\r\nloading:0\r\n';

function fakeLogger(): Logger & { warnings: unknown[][] } {
  const warnings: unknown[][] = [];
  const noop = () => undefined;
  return { warnings, warn: (...args: unknown[]) => warnings.push(args), debug: noop, info: noop, error: noop } as unknown as Logger & {
    warnings: unknown[][];
  };
}

function limiterFor(redisUrl: string, prefix: string, logger: Logger, limits: Partial<AppConfig> = {}): RateLimiter {
  const config = {
    REDIS_URL: redisUrl,
    BULLMQ_PREFIX: prefix,
    RATE_LIMIT_PER_MINUTE: 3,
    RATE_LIMIT_ADMIN_PER_MINUTE: 0,
    RATE_LIMIT_AUTH_FAILURES_PER_MINUTE: 2,
    ...limits,
  } as AppConfig;
  return new RateLimiter(config, logger);
}

describe('rate limiter', () => {
  let redis: TestRedis;
  let limiter: RateLimiter;
  const logger = fakeLogger();

  beforeAll(async () => {
    redis = await createTestRedis();
    limiter = limiterFor(redis.url, redis.prefix, logger);
    await limiter.onModuleInit();
  });
  afterAll(async () => {
    limiter.onApplicationShutdown();
    await redis.close();
  });

  it('lets `limit` requests through, then refuses without counting the refusals', async () => {
    const decisions = [];
    for (let i = 0; i < 5; i++) decisions.push(await limiter.consume('key', 'key_a'));
    expect(decisions.map((d) => d?.allowed)).toEqual([true, true, true, false, false]);
    expect(decisions.map((d) => d?.remaining)).toEqual([2, 1, 0, 0, 0]);
    const refused = decisions[3]!;
    expect(refused.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    // The previous window is empty: the budget comes back when this window ends.
    expect(refused.retryAfterSeconds).toBe(refused.resetSeconds);
    expect(Number(await redis.client.hget(limiter.keyOf('key', 'key_a'), 'c'))).toBe(3);
    // Another subject has its own budget.
    expect((await limiter.consume('key', 'key_b'))?.allowed).toBe(true);
  });

  it('counts the previous window in proportion to how much of it still overlaps', async () => {
    const key = limiter.keyOf('key', 'key_carried');
    const [seconds, micros] = await redis.client.time();
    const now = Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
    const index = Math.floor(now / RATE_LIMIT_WINDOW_MS);
    // The whole budget was spent in the previous minute.
    await redis.client.hset(key, { w: String(index - 1), c: '3', p: '0' });
    const elapsed = now - index * RATE_LIMIT_WINDOW_MS;
    const carried = Math.floor((3 * (RATE_LIMIT_WINDOW_MS - elapsed)) / RATE_LIMIT_WINDOW_MS);
    const decision = (await limiter.peek('key', 'key_carried'))!;
    expect(decision.allowed).toBe(carried < 3);
    expect(decision.remaining).toBe(3 - carried);
    if (!decision.allowed) {
      // One request fits again once a third of the previous window has slid out.
      const expected = Math.ceil((RATE_LIMIT_WINDOW_MS / 3 - elapsed) / 1000);
      expect(Math.abs(decision.retryAfterSeconds - expected)).toBeLessThanOrEqual(1);
    }
  });

  it('peeks without counting, and adds even past the limit', async () => {
    expect((await limiter.peek('auth-failures', '203.0.113.9'))?.allowed).toBe(true);
    expect(await redis.client.exists(limiter.keyOf('auth-failures', '203.0.113.9'))).toBe(0);
    for (let i = 0; i < 4; i++) await limiter.add('auth-failures', '203.0.113.9');
    expect(Number(await redis.client.hget(limiter.keyOf('auth-failures', '203.0.113.9'), 'c'))).toBe(4);
    const blocked = await limiter.peek('auth-failures', '203.0.113.9');
    expect(blocked).toMatchObject({ allowed: false, limit: 2, remaining: 0 });
  });

  it('does not count a scope whose limit is 0', async () => {
    expect(await limiter.consume('admin', 'admin')).toBeNull();
    expect(await redis.client.exists(limiter.keyOf('admin', 'admin'))).toBe(0);
  });

  it('fails open when Redis cannot be reached, with one warning', async () => {
    const offline = fakeLogger();
    // Nothing listens on port 1.
    const broken = limiterFor('redis://127.0.0.1:1', redis.prefix, offline);
    await broken.onModuleInit();
    try {
      const started = Date.now();
      for (let i = 0; i < 10; i++) expect(await broken.consume('key', 'key_a')).toBeNull();
      expect(Date.now() - started).toBeLessThan(1000);
      expect(offline.warnings).toHaveLength(1);
      expect(JSON.stringify(offline.warnings[0])).toMatch(/rate limiter unavailable/);
    } finally {
      broken.onApplicationShutdown();
    }
  });

  it('fails open when Redis stops answering in time', async () => {
    // A server that passes ioredis' ready check and then never answers a command.
    const sockets = new Set<Socket>();
    const server = createServer((socket) => {
      sockets.add(socket);
      socket.on('data', (data) => {
        // The first word of each command in the chunk: CLIENT and INFO are answered, nothing else.
        for (const [, name] of data.toString().matchAll(/\*\d+\r\n\$\d+\r\n(\w+)/g)) {
          if (/^client$/i.test(name)) socket.write('+OK\r\n');
          else if (/^info$/i.test(name)) socket.write(`$${READY_INFO.length}\r\n${READY_INFO}\r\n`);
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const slow = fakeLogger();
    const stalled = limiterFor(`redis://127.0.0.1:${port}`, redis.prefix, slow);
    await stalled.onModuleInit();
    try {
      const started = Date.now();
      expect(await stalled.consume('key', 'key_slow')).toBeNull();
      const took = Date.now() - started;
      expect(took).toBeGreaterThanOrEqual(200);
      expect(took).toBeLessThan(1000);
      expect(slow.warnings).toHaveLength(1);
    } finally {
      stalled.onApplicationShutdown();
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
