// Integration tests use DATABASE_URL / REDIS_URL when given. When neither is given and a Docker
// engine answers, they start Postgres and Redis with testcontainers; otherwise the local services.
import { existsSync } from 'node:fs';
import { request } from 'node:http';

async function dockerAnswers(): Promise<boolean> {
  const socketPath = process.env.DOCKER_HOST?.startsWith('unix://')
    ? process.env.DOCKER_HOST.slice('unix://'.length)
    : '/var/run/docker.sock';
  if (!existsSync(socketPath)) return false;
  return new Promise((resolve) => {
    const req = request({ socketPath, path: '/_ping', timeout: 1000 }, (res) => resolve(res.statusCode === 200));
    req.on('error', () => resolve(false));
    req.on('timeout', () => {
      req.destroy();
      resolve(false);
    });
    req.end();
  });
}

type Stoppable = { stop(): Promise<unknown> };
/** Shared with global-teardown.ts: both run in Jest's parent process. */
const holder = globalThis as unknown as { __ecrContainers?: Stoppable[] };

async function globalSetup(): Promise<void> {
  if (process.env.DATABASE_URL || process.env.REDIS_URL || !(await dockerAnswers())) return;
  const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
  const { RedisContainer } = await import('@testcontainers/redis');
  const pg = await new PostgreSqlContainer('postgres:15').withUsername('postgres').withPassword('postgres').start();
  const redis = await new RedisContainer('redis:7').withCommand(['redis-server', '--maxmemory-policy', 'noeviction']).start();
  holder.__ecrContainers = [pg, redis];
  const pgUrl = new URL(pg.getConnectionUri());
  pgUrl.pathname = '/postgres';
  process.env.DATABASE_URL = pgUrl.toString();
  process.env.REDIS_URL = redis.getConnectionUrl();
}

export = globalSetup;
