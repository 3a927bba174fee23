// Starts a real gateway for one test file: its own migrated database, its own Redis prefix, an
// admin key, listening on an ephemeral port. Requests go over real HTTP.
import { randomBytes, randomInt } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { AppConfig } from '@app/common';
import { createTestDatabase, createTestRedis, TestDatabase, TestRedis } from '@app/testing';
import { createGatewayApp } from '../../apps/gateway/src/gateway.app';

export interface HttpAnswer<T> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export interface RequestOptions {
  /** Bearer key; null sends no Authorization header. Defaults to the harness' merchant key, if any. */
  key?: string | null;
  body?: unknown;
  /** Sent as is (no JSON encoding); pair with a content type. */
  raw?: string | Buffer;
  headers?: Record<string, string>;
}

export interface Gateway {
  app: NestFastifyApplication;
  url: string;
  db: TestDatabase;
  redis: TestRedis;
  adminKey: string;
  request<T = Record<string, unknown>>(method: string, path: string, options?: RequestOptions): Promise<HttpAnswer<T>>;
  /** A new merchant with a fresh CUIT; answers its id and API key. */
  createMerchant(name?: string): Promise<{ id: string; apiKey: string; cuit: string }>;
  registerTerminal(merchantId: string, terminalId?: string): Promise<string>;
  counts(): Promise<{ operations: number; idempotencyKeys: number; outbox: number }>;
  close(): Promise<void>;
}

/** A valid CUIT (correct check digit) that no other test used. */
export function newCuit(prefix = '30'): string {
  for (;;) {
    const body = String(randomInt(0, 100_000_000)).padStart(8, '0');
    const digits = prefix + body;
    const weights = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2];
    const sum = weights.reduce((acc, w, i) => acc + w * Number(digits[i]), 0);
    let check = 11 - (sum % 11);
    if (check === 10) continue;
    if (check === 11) check = 0;
    return `${prefix}-${body}-${check}`;
  }
}

export function newTerminalId(): string {
  return String(randomInt(10_000_000, 100_000_000));
}

export async function startGateway(overrides: Partial<AppConfig> = {}): Promise<Gateway> {
  const db = await createTestDatabase();
  const redis = await createTestRedis();
  const adminKey = `admin-${randomBytes(16).toString('hex')}`;
  const app = await createGatewayApp({
    DATABASE_URL: db.url,
    REDIS_URL: redis.url,
    BULLMQ_PREFIX: redis.prefix,
    EVENT_STREAM_KEY: redis.streamKey,
    COMMAND_STREAM_KEY: `${redis.prefix}:commands`,
    COMMAND_REPLY_STREAM_KEY: `${redis.prefix}:command-replies`,
    ADMIN_API_KEY: adminKey,
    LOG_LEVEL: 'silent',
    ...overrides,
  });
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address();
  if (!address || typeof address === 'string') throw new Error('gateway is not listening on a port');
  const url = `http://127.0.0.1:${address.port}`;

  const request = async <T>(method: string, path: string, options: RequestOptions = {}): Promise<HttpAnswer<T>> => {
    const headers: Record<string, string> = { ...(options.headers ?? {}) };
    if (options.key) headers.authorization = `Bearer ${options.key}`;
    let body: string | Buffer | undefined = options.raw;
    if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['content-type'] ??= 'application/json';
    }
    const res = await fetch(url + path, { method, headers, body });
    const text = await res.text();
    let parsed: unknown = undefined;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    return { status: res.status, headers: res.headers, body: parsed as T, text };
  };

  const gateway: Gateway = {
    app,
    url,
    db,
    redis,
    adminKey,
    request,
    async createMerchant(name = 'Kiosco') {
      const cuit = newCuit();
      const res = await request<{ id: string; apiKey: string }>('POST', '/v1/admin/merchants', {
        key: adminKey,
        body: { name, cuit },
      });
      if (res.status !== 201) throw new Error(`creating a merchant answered ${res.status}: ${res.text}`);
      return { id: res.body.id, apiKey: res.body.apiKey, cuit };
    },
    async registerTerminal(merchantId, terminalId = newTerminalId()) {
      const res = await request('PUT', `/v1/admin/merchants/${merchantId}/terminals/${terminalId}`, {
        key: adminKey,
        body: { provider: 'paystore' },
      });
      if (res.status !== 201 && res.status !== 200) throw new Error(`registering a terminal answered ${res.status}: ${res.text}`);
      return terminalId;
    },
    async counts() {
      const [row] = (await db.dataSource.query(
        `SELECT (SELECT count(*) FROM operations)::int AS operations,
                (SELECT count(*) FROM idempotency_keys)::int AS "idempotencyKeys",
                (SELECT count(*) FROM outbox)::int AS outbox`,
      )) as { operations: number; idempotencyKeys: number; outbox: number }[];
      return row;
    },
    async close() {
      await app.close();
      await redis.close();
      await db.drop();
    },
  };
  return gateway;
}
