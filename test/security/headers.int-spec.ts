// Security headers on every kind of answer, no CORS, the body size limit, and API keys at rest.
import { randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { Gateway, startGateway } from '../gateway/gateway.harness';

const EXPECTED: Record<string, string> = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-resource-policy': 'same-origin',
};

function expectSecurityHeaders(res: Response, what: string, cache: string | null = 'no-store'): void {
  for (const [name, value] of Object.entries(EXPECTED)) expect([what, name, res.headers.get(name)]).toEqual([what, name, value]);
  expect([what, res.headers.get('content-security-policy')]).toEqual([what, expect.stringContaining("frame-ancestors 'none'")]);
  if (cache) expect([what, res.headers.get('cache-control')]).toEqual([what, cache]);
  expect([what, res.headers.get('x-powered-by')]).toEqual([what, null]);
  expect([what, res.headers.get('server')]).toEqual([what, null]);
  for (const name of res.headers.keys()) expect([what, name]).toEqual([what, expect.not.stringMatching(/^access-control-/)]);
}

describe('gateway security headers, CORS, body limit and keys at rest', () => {
  let gw: Gateway;
  let merchant: { id: string; apiKey: string };
  let terminal: string;

  beforeAll(async () => {
    gw = await startGateway();
    merchant = await gw.createMerchant();
    terminal = await gw.registerTerminal(merchant.id);
  });
  afterAll(async () => gw.close());

  const send = (method: string, path: string, init: { key?: string | null; body?: string; headers?: Record<string, string> } = {}) => {
    const headers: Record<string, string> = { origin: 'https://evil.example', ...(init.headers ?? {}) };
    const key = init.key === undefined ? merchant.apiKey : init.key;
    if (key) headers.authorization = `Bearer ${key}`;
    return fetch(gw.url + path, { method, headers, body: init.body });
  };

  it('sends them on successes, problems of every kind, and routes without auth', async () => {
    const json = { 'content-type': 'application/json' };
    const cases: [string, () => Promise<Response>, number][] = [
      ['a read', () => send('GET', '/v1/payments'), 200],
      ['a command', () => send('POST', '/v1/payments', { body: JSON.stringify({ terminalIds: [terminal], amount: 150000, currency: 'ARS' }), headers: { ...json, 'idempotency-key': randomUUID() } }), 202],
      ['no key', () => send('GET', '/v1/payments', { key: null }), 401],
      ['the admin key on a merchant route', () => send('GET', '/v1/payments', { key: gw.adminKey }), 403],
      ['a validation failure', () => send('GET', '/v1/payments?limit=0'), 400],
      ['broken JSON', () => send('POST', '/v1/settlements', { body: '{', headers: { ...json, 'idempotency-key': randomUUID() } }), 400],
      ['a text body', () => send('POST', '/v1/settlements', { body: 'x', headers: { 'content-type': 'text/plain', 'idempotency-key': randomUUID() } }), 415],
      ['a body too large', () => send('POST', '/v1/settlements', { body: 'x'.repeat(70 * 1024), headers: { ...json, 'idempotency-key': randomUUID() } }), 413],
      ['an unknown route', () => send('GET', '/v1/nothing-here'), 404],
      ['another merchant\'s payment', () => send('GET', '/v1/payments/pay_0000000000000000000000000'), 404],
      ['an admin read', () => send('GET', '/v1/admin/merchants', { key: gw.adminKey }), 200],
      ['liveness', () => send('GET', '/health/live', { key: null }), 200],
      ['readiness', () => send('GET', '/health/ready', { key: null }), 200],
      ['metrics', () => send('GET', '/metrics', { key: null }), 200],
      ['the OpenAPI document', () => send('GET', '/docs-json', { key: null }), 200],
    ];
    for (const [what, request, status] of cases) {
      const res = await request();
      await res.arrayBuffer();
      expect([what, res.status]).toEqual([what, status]);
      expectSecurityHeaders(res, what);
      // API answers may load nothing at all.
      expect([what, res.headers.get('content-security-policy')]).toEqual([what, "default-src 'none'; frame-ancestors 'none'"]);
    }
  });

  it('lets the HTML pages load their own files, never framed', async () => {
    for (const [path, key] of [
      ['/docs', null],
      ['/docs/swagger-ui.css', null],
      ['/v1/admin/queues', gw.adminKey],
    ] as const) {
      const res = await send('GET', path, { key });
      await res.arrayBuffer();
      expect([path, res.status]).toEqual([path, 200]);
      expectSecurityHeaders(res, path, null);
      expect(res.headers.get('content-security-policy')).toBe("frame-ancestors 'none'");
    }
  });

  it('sends them on the event stream too, and never lets it be stored', async () => {
    const controller = new AbortController();
    const res = await fetch(`${gw.url}/v1/events`, {
      headers: { authorization: `Bearer ${merchant.apiKey}`, accept: 'text/event-stream', origin: 'https://evil.example' },
      signal: controller.signal,
    });
    expect(res.status).toBe(200);
    expectSecurityHeaders(res, 'SSE', 'no-store, no-transform');
    controller.abort();
    await res.body?.cancel().catch(() => undefined);
  });

  it('answers no CORS preflight and grants no origin', async () => {
    for (const path of ['/v1/payments', '/v1/admin/merchants', '/health/live', '/docs-json']) {
      const preflight = await send('OPTIONS', path, {
        key: null,
        headers: { 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' },
      });
      await preflight.arrayBuffer();
      expect([path, preflight.status]).toEqual([path, 404]);
      expectSecurityHeaders(preflight, `OPTIONS ${path}`);
    }
    const simple = await send('GET', '/v1/payments');
    await simple.arrayBuffer();
    expect(simple.headers.get('access-control-allow-origin')).toBeNull();
    expect(simple.headers.get('access-control-allow-credentials')).toBeNull();
  });

  it('refuses bodies over 64 KiB with 413 REQUEST.BODY_TOO_LARGE on every route that takes one, and writes nothing', async () => {
    const before = await gw.counts();
    const big = JSON.stringify({ terminalIds: [terminal], amount: 150000, currency: 'ARS', description: 'x'.repeat(64 * 1024) });
    for (const [method, path, key] of [
      ['POST', '/v1/payments', merchant.apiKey],
      ['POST', '/v1/reversals', merchant.apiKey],
      ['POST', '/v1/refunds', merchant.apiKey],
      ['POST', '/v1/settlements', merchant.apiKey],
      ['POST', '/v1/webhooks', merchant.apiKey],
      ['POST', '/v1/admin/merchants', gw.adminKey],
      ['PUT', `/v1/admin/merchants/${merchant.id}/terminals/12345678`, gw.adminKey],
    ] as const) {
      const res = await send(method, path, { key, body: big, headers: { 'content-type': 'application/json', 'idempotency-key': randomUUID() } });
      const problem = (await res.json()) as { code: string; status: number };
      expect([path, res.status, problem.code]).toEqual([path, 413, 'REQUEST.BODY_TOO_LARGE']);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
    }
    // Without a Content-Length (chunked), the limit is measured while reading.
    const chunked = await new Promise<{ status: number; code: string }>((resolve, reject) => {
      const { hostname, port } = new URL(gw.url);
      const req = httpRequest(
        {
          hostname,
          port,
          method: 'POST',
          path: '/v1/settlements',
          headers: { authorization: `Bearer ${merchant.apiKey}`, 'content-type': 'application/json', 'idempotency-key': randomUUID() },
        },
        (res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c.toString('utf8')));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, code: (JSON.parse(text) as { code: string }).code }));
        },
      );
      req.on('error', reject);
      req.write('{"terminalId":"');
      for (let i = 0; i < 10; i++) req.write('x'.repeat(8 * 1024));
      req.end('"}');
    });
    expect(chunked).toEqual({ status: 413, code: 'REQUEST.BODY_TOO_LARGE' });
    // Exactly 64 KiB is read (and then judged by the route's schema).
    const head = `{"terminalId":"${terminal}","printReceipt":true`;
    const padded = (bytes: number) => `${head}${' '.repeat(bytes - head.length - 1)}}`;
    const exact = padded(64 * 1024);
    expect(Buffer.byteLength(exact)).toBe(64 * 1024);
    const over = await send('POST', '/v1/settlements', { body: padded(64 * 1024 + 1), headers: { 'content-type': 'application/json', 'idempotency-key': randomUUID() } });
    await over.arrayBuffer();
    expect(over.status).toBe(413);
    const atLimit = await send('POST', '/v1/settlements', { body: exact, headers: { 'content-type': 'application/json', 'idempotency-key': randomUUID() } });
    await atLimit.arrayBuffer();
    expect(atLimit.status).toBe(202);
    const after = await gw.counts();
    expect(after.operations).toBe(before.operations + 1);
  });

  it('keeps API keys only as hashes, rotates them, and a revoked key stops at once', async () => {
    const m = await gw.createMerchant('Rotación');
    const issued = await gw.request<{ id: string; apiKey: string }>('POST', `/v1/admin/merchants/${m.id}/api-keys`, { key: gw.adminKey });
    expect(issued.status).toBe(201);
    // Neither key, nor its secret part, is anywhere in the database.
    const tables = (await gw.db.dataSource.query(
      "SELECT tablename FROM pg_tables WHERE schemaname = 'public'",
    )) as { tablename: string }[];
    for (const { tablename } of tables) {
      const rows = (await gw.db.dataSource.query(`SELECT t::text AS row FROM "${tablename}" t`)) as { row: string }[];
      for (const { row } of rows) {
        for (const key of [m.apiKey, issued.body.apiKey]) expect([tablename, row.includes(key.slice(4))]).toEqual([tablename, false]);
      }
    }
    // Rotation: both work, the old one is revoked, only the new one goes on.
    expect((await gw.request('GET', '/v1/terminals', { key: m.apiKey })).status).toBe(200);
    expect((await gw.request('GET', '/v1/terminals', { key: issued.body.apiKey })).status).toBe(200);
    const [old] = (await gw.db.dataSource.query('SELECT id FROM api_keys WHERE merchant_id = $1 AND id <> $2', [m.id, issued.body.id])) as {
      id: string;
    }[];
    expect((await gw.request('DELETE', `/v1/admin/merchants/${m.id}/api-keys/${old.id}`, { key: gw.adminKey })).status).toBe(204);
    expect((await gw.request('GET', '/v1/terminals', { key: m.apiKey })).status).toBe(401);
    expect((await gw.request('GET', '/v1/terminals', { key: issued.body.apiKey })).status).toBe(200);
    // A key differing in its last character, or with a prefix of it, is no key.
    const near = issued.body.apiKey.slice(0, -1) + (issued.body.apiKey.endsWith('A') ? 'B' : 'A');
    expect((await gw.request('GET', '/v1/terminals', { key: near })).status).toBe(401);
    expect((await gw.request('GET', '/v1/terminals', { key: issued.body.apiKey.slice(0, -1) })).status).toBe(401);
  });
});
