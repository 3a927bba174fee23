// Where the tests find Postgres and Redis: DATABASE_URL / REDIS_URL when given, otherwise the local
// services. Each test file gets its own database and its own Redis key prefix, so files never see
// each other's rows, jobs or events.
import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import Redis from 'ioredis';
import { deleteKeysWithPrefix } from '@app/jobs';
import { createDataSource, runMigrations } from '@app/persistence';

export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

export function baseDatabaseUrl(): string {
  return process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL;
}

export function redisUrl(): string {
  return process.env.REDIS_URL ?? DEFAULT_REDIS_URL;
}

export function uniqueName(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
}

export interface TestDatabase {
  url: string;
  name: string;
  dataSource: DataSource;
  drop(): Promise<void>;
}

/** A fresh, migrated database for one test file. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = uniqueName('ecr_test');
  const url = new URL(baseDatabaseUrl());
  url.pathname = `/${name}`;
  await runMigrations(url.toString());
  const dataSource = createDataSource(url.toString(), 10);
  await dataSource.initialize();
  return {
    url: url.toString(),
    name,
    dataSource,
    async drop() {
      if (dataSource.isInitialized) await dataSource.destroy();
      const admin = new URL(baseDatabaseUrl());
      admin.pathname = '/postgres';
      const ds = new DataSource({ type: 'postgres', url: admin.toString() });
      await ds.initialize();
      try {
        await ds.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await ds.destroy();
      }
    },
  };
}

export interface TestRedis {
  url: string;
  prefix: string;
  streamKey: string;
  client: Redis;
  /** Deletes every key of this test (its jobs and its event stream): what a flush does to it. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

export async function createTestRedis(): Promise<TestRedis> {
  const prefix = uniqueName('ecrtest');
  const streamKey = `${prefix}:events`;
  const client = new Redis(redisUrl(), { maxRetriesPerRequest: null });
  const flush = async () => void (await deleteKeysWithPrefix(client, prefix));
  return {
    url: redisUrl(),
    prefix,
    streamKey,
    client,
    flush,
    async close() {
      await flush();
      client.disconnect();
    },
  };
}

/** Polls `probe` until it returns a value that is not undefined, or fails after `timeoutMs`. */
export async function waitFor<T>(
  probe: () => Promise<T | undefined> | T | undefined,
  { timeoutMs = 15000, intervalMs = 50, what = 'condition' } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      const why = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${why}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
