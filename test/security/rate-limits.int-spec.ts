// Rate limits over HTTP, with two gateway replicas sharing one Redis: a key's budget is spent on
// both together, a refusal is a 429 REQUEST.RATE_LIMITED problem with Retry-After, other keys and
// routes without auth are untouched, failed authentications are limited per client address, and
// the counters live in Redis with a TTL.
import { randomBytes } from 'node:crypto';
import type { ProblemDetails } from '@app/contracts';
import { Answer, startGatewayFor, StartedGateway } from '../support/e2e';
import { randomCuit, startSystem, System } from '../support/system';

const KEY_LIMIT = 12;
const ADMIN_LIMIT = 40;
const AUTH_FAILURE_LIMIT = 5;

describe('rate limits across two gateway replicas', () => {
  let sys: System;
  let a: StartedGateway;
  let b: StartedGateway;
  const adminKey = `adm_${randomBytes(16).toString('hex')}`;

  beforeAll(async () => {
    sys = await startSystem({ payments: false });
    const limits = {
      ADMIN_API_KEY: adminKey,
      RATE_LIMIT_PER_MINUTE: KEY_LIMIT,
      RATE_LIMIT_ADMIN_PER_MINUTE: ADMIN_LIMIT,
      RATE_LIMIT_AUTH_FAILURES_PER_MINUTE: AUTH_FAILURE_LIMIT,
    };
    a = await startGatewayFor(sys, limits);
    b = await startGatewayFor(sys, limits);
  });
  afterAll(async () => sys.stop());

  async function merchantKeys(): Promise<{ id: string; first: string; second: string }> {
    const created = await a.call<{ id: string; apiKey: string }>('POST', '/v1/admin/merchants', {
      key: adminKey,
      body: { name: 'Kiosco limitado', cuit: randomCuit() },
    });
    expect(created.status).toBe(201);
    const issued = await b.call<{ apiKey: string }>('POST', `/v1/admin/merchants/${created.body.id}/api-keys`, { key: adminKey });
    expect(issued.status).toBe(201);
    return { id: created.body.id, first: created.body.apiKey, second: issued.body.apiKey };
  }

  const list = (gw: StartedGateway, key: string) => gw.call('GET', '/v1/payments?limit=1', { key });

  function expectRateLimited(res: Answer, limit: number): void {
    const problem = res.body as unknown as ProblemDetails;
    expect(res.status).toBe(429);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(problem).toMatchObject({ status: 429, code: 'REQUEST.RATE_LIMITED', title: 'Too Many Requests', errors: [] });
    const retryAfter = Number(res.headers.get('retry-after'));
    expect(Number.isInteger(retryAfter)).toBe(true);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(120);
    expect(res.headers.get('ratelimit-limit')).toBe(String(limit));
    expect(res.headers.get('ratelimit-remaining')).toBe('0');
  }

  it('spends one budget per API key on both replicas together, then answers 429 with Retry-After', async () => {
    const keys = await merchantKeys();
    const answers: Answer[] = [];
    // Alternate replicas: each sees only half of the requests, so only a shared counter refuses.
    for (let i = 0; i < KEY_LIMIT; i++) answers.push(await list(i % 2 === 0 ? a : b, keys.first));
    expect(answers.map((r) => r.status)).toEqual(Array(KEY_LIMIT).fill(200));
    expect(answers.map((r) => Number(r.headers.get('ratelimit-remaining')))).toEqual(
      Array.from({ length: KEY_LIMIT }, (_, i) => KEY_LIMIT - 1 - i),
    );
    expect(Number(answers[0].headers.get('ratelimit-reset'))).toBeGreaterThanOrEqual(1);
    expect(Number(answers[0].headers.get('ratelimit-reset'))).toBeLessThanOrEqual(60);

    // A sliding window may let one more through right after a minute boundary; never two.
    const extra = [await list(a, keys.first), await list(b, keys.first), await list(a, keys.first)];
    expect(extra.filter((r) => r.status === 200).length).toBeLessThanOrEqual(1);
    const refused = extra.filter((r) => r.status === 429);
    expect(refused.length).toBeGreaterThanOrEqual(2);
    for (const res of refused) expectRateLimited(res, KEY_LIMIT);

    // Per key: the merchant's other key still has its whole budget, on either replica.
    const other = await list(b, keys.second);
    expect(other.status).toBe(200);
    expect(other.headers.get('ratelimit-remaining')).toBe(String(KEY_LIMIT - 1));

    // Commands are refused before anything is written.
    const before = await sys.db.dataSource.query('SELECT count(*)::int AS n FROM idempotency_keys');
    const command = await a.call('POST', '/v1/settlements', {
      key: keys.first,
      body: { terminalId: '12345678' },
      headers: { 'idempotency-key': `k-${randomBytes(6).toString('hex')}` },
    });
    expectRateLimited(command, KEY_LIMIT);
    expect(await sys.db.dataSource.query('SELECT count(*)::int AS n FROM idempotency_keys')).toEqual(before);
  });

  it('keeps the counters in Redis under the prefix, expiring, and never names the key itself', async () => {
    const keys = await merchantKeys();
    expect((await list(a, keys.first)).status).toBe(200);
    const stored = await sys.redis.client.keys(`${sys.redis.prefix}:ratelimit:*`);
    expect(stored.length).toBeGreaterThan(0);
    for (const key of stored) {
      expect(key).not.toContain(keys.first);
      expect(key).not.toContain(keys.first.slice(4));
      const ttl = await sys.redis.client.pttl(key);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(120_000);
    }
    const rows = (await sys.db.dataSource.query('SELECT id FROM api_keys WHERE merchant_id = $1 ORDER BY created_at', [keys.id])) as {
      id: string;
    }[];
    expect(stored).toContain(`${sys.redis.prefix}:ratelimit:key:${rows[0].id}`);
  });

  it('never limits health, metrics or the OpenAPI document', async () => {
    for (let i = 0; i < KEY_LIMIT + AUTH_FAILURE_LIMIT + 5; i++) {
      for (const path of ['/health/live', '/health/ready', '/metrics', '/docs-json']) {
        // With a key that is no key: routes without auth do not even count it as a failure.
        const res = await fetch((i % 2 === 0 ? a : b).url + path, { headers: { authorization: 'Bearer ecr_nope' } });
        await res.arrayBuffer();
        expect(res.status).toBe(200);
        expect(res.headers.get('ratelimit-limit')).toBeNull();
      }
    }
    expect(await sys.redis.client.keys(`${sys.redis.prefix}:ratelimit:auth-failures:*`)).toEqual([]);
  });

  it('gives the admin key a budget of its own, shared by the replicas', async () => {
    // Other tests in this file spent some of the admin budget already: spend what is left.
    let last: Answer | undefined;
    let ok = 0;
    for (let i = 0; i < ADMIN_LIMIT + 3; i++) {
      last = await (i % 2 === 0 ? a : b).call('GET', '/v1/admin/merchants?limit=1', { key: adminKey });
      if (last.status === 200) ok++;
      else break;
    }
    expect(ok).toBeGreaterThan(0);
    expect(ok).toBeLessThanOrEqual(ADMIN_LIMIT + 1);
    expectRateLimited(last as Answer, ADMIN_LIMIT);
    const keysAfter = await sys.redis.client.keys(`${sys.redis.prefix}:ratelimit:admin:*`);
    expect(keysAfter).toHaveLength(1);
    // Forget the admin budget, as a minute passing would, for the tests that follow.
    await sys.redis.client.del(keysAfter[0]);
  });

  it('limits failed authentications per client address, across replicas, before any key is looked up', async () => {
    const keys = await merchantKeys();
    const failures: number[] = [];
    for (let i = 0; i < AUTH_FAILURE_LIMIT; i++) {
      failures.push((await (i % 2 === 0 ? a : b).call('GET', '/v1/payments', { key: `ecr_${randomBytes(32).toString('base64url')}` })).status);
    }
    expect(failures).toEqual(Array(AUTH_FAILURE_LIMIT).fill(401));
    const blocked = await b.call('GET', '/v1/payments', { key: 'ecr_guess' });
    expectRateLimited(blocked, AUTH_FAILURE_LIMIT);
    expect(blocked.body.detail).toMatch(/failed authentications/);
    // The address is blocked as a whole for the rest of the window (its requests are not looked up).
    expect((await a.call('GET', '/v1/payments', { key: keys.first })).status).toBe(429);
    expect((await a.call('GET', '/v1/payments')).status).toBe(429);
    // Routes without auth still answer.
    expect((await a.call('GET', '/health/live')).status).toBe(200);
    // Forget this address' failures, as a minute passing would.
    for (const key of await sys.redis.client.keys(`${sys.redis.prefix}:ratelimit:auth-failures:*`)) await sys.redis.client.del(key);
    expect((await a.call('GET', '/v1/payments', { key: keys.first })).status).toBe(200);
  });
});
