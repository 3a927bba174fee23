// Every app that uses Redis for queues checks it at start-up: it refuses an eviction policy that
// would lose jobs (exit 1, one line naming the setting and the fix) and starts, with a warning, on a
// Redis without persistence. Each app runs from dist/ against its own throw-away redis-server.
import { createTestDatabase, TestDatabase, waitFor } from '@app/testing';
import { AppName, AppProcess, envOf, freePort, ThrowawayRedis } from './processes';

const REDIS_APPS: AppName[] = ['gateway', 'payments', 'reversals', 'settlements', 'webhooks'];
const REFUSAL =
  /refused to start: Redis maxmemory-policy is allkeys-lru, and BullMQ loses jobs when Redis evicts keys: set maxmemory-policy noeviction \(/;
const NO_PERSISTENCE = 'Redis persistence is off (appendonly no, no save points)';

describe('start-up checks of Redis', () => {
  let db: TestDatabase;
  const cleanups: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    await db.drop();
  });

  async function appOn(app: AppName, redisUrl: string): Promise<AppProcess> {
    const proc = new AppProcess(
      app,
      await freePort(),
      envOf({ DATABASE_URL: db.url, DATABASE_POOL_SIZE: 2, REDIS_URL: redisUrl, BULLMQ_PREFIX: 'ecrcheck', LOG_LEVEL: 'info' }),
    );
    cleanups.push(() => proc.kill());
    return proc.start();
  }

  // Generous timeouts: five Node processes booting at once on a small, shared machine.
  jest.setTimeout(180_000);

  it('refuses, in every app, a Redis that evicts keys: exit 1 and one line naming maxmemory-policy and the fix', async () => {
    const redis = await ThrowawayRedis.start('allkeys-lru');
    cleanups.push(() => redis.stop());
    const apps = await Promise.all(REDIS_APPS.map((app) => appOn(app, redis.url)));
    const exits = await Promise.all(apps.map((proc) => proc.exit(90_000)));
    for (const [i, proc] of apps.entries()) {
      expect({ app: proc.app, ...exits[i] }).toEqual({ app: proc.app, code: 1, signal: null });
      const lines = proc.text().split('\n').filter((line) => REFUSAL.test(line));
      expect(lines).toHaveLength(1);
      expect(lines[0].startsWith(`${proc.app === 'gateway' ? 'gateway' : `${proc.app} worker`} refused to start: `)).toBe(true);
      // The reason, not a stack trace.
      expect(proc.text()).not.toMatch(/^\s+at /m);
    }
  });

  it('starts on a noeviction Redis without persistence, warning that persistence is off, and stops cleanly', async () => {
    const redis = await ThrowawayRedis.start('noeviction');
    cleanups.push(() => redis.stop());
    for (const app of ['payments', 'gateway'] as const) {
      const proc = await appOn(app, redis.url);
      await proc.ready();
      const warning = proc
        .text()
        .split('\n')
        .filter((line) => line.includes(NO_PERSISTENCE))
        .map((line) => JSON.parse(line) as { level: number; msg: string });
      expect(warning).toEqual([expect.objectContaining({ level: 40 })]);
      expect(warning[0].msg).toContain('set appendonly yes');
      const exit = await proc.stop('SIGTERM');
      expect({ app, code: exit.code, signal: exit.signal }).toEqual({ app, code: 0, signal: null });
    }
  });

  it('starts when Redis is down at start-up, and refuses it once it answers with an evicting policy', async () => {
    const port = await freePort();
    const proc = await appOn('payments', `redis://127.0.0.1:${port}`);
    await waitFor(() => (proc.text().includes('Redis did not answer at start-up') ? true : undefined), {
      timeoutMs: 60_000,
      what: 'the worker to report that Redis did not answer',
    });
    await waitFor(async () => ((await fetch(`${proc.url}/health/live`).catch(() => null))?.status === 200 ? true : undefined), {
      timeoutMs: 60_000,
      what: 'the worker to serve /health/live without Redis',
    });
    const { spawn } = await import('node:child_process');
    const late = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--maxmemory-policy', 'allkeys-lru'], {
      stdio: 'ignore',
    });
    cleanups.push(async () => void late.kill('SIGKILL'));
    const exit = await proc.exit(60_000);
    expect(exit.code).toBe(1);
    expect(proc.text()).toMatch(/"level":60.*Redis maxmemory-policy is allkeys-lru/);
  });
});
