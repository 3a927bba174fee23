// Property-based fuzzing of every gateway endpoint, enumerated from the OpenAPI document (so new
// routes are covered without touching this file): random and hostile paths, query strings,
// headers and bodies (prototype-pollution keys, huge/negative/float amounts, unicode, wrong
// content types, invalid JSON, deep nesting, path traversal, SQL-ish strings, another merchant's
// ids). For each request:
//   - never a 5xx;
//   - a refused request (4xx) changes no row anywhere: counts of every table and checksums of every
//     table but the outbox (whose rows the relay stamps as it publishes) are the same after it;
//   - an answer to the fuzzing merchant (or to nobody) carries nothing of the other merchant's
//     that the request did not itself send;
// and after the run no prototype in this process (the gateway runs here) has been polluted.
import { randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import fc from 'fast-check';
import { Gateway, newCuit, startGateway } from '../gateway/gateway.harness';

/** Tuned so the run takes about 30–45 s on a shared two-core machine. */
const NUM_RUNS = 1500;
const SECRET_KEY = 'fuzz-webhook-secret-key-0123456789abcdef';

interface Endpoint {
  method: string;
  path: string;
  auth: 'merchant' | 'admin' | 'none';
  hasBody: boolean;
  query: string[];
}

interface Sent {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string | Buffer | undefined;
}

interface Received {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

type Json = Record<string, unknown>;

/** Sends exactly what it is given (no URL normalisation, any method); answers null when Node refuses to send it. */
function send(base: string, req: Sent): Promise<Received | null> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    let r: ReturnType<typeof httpRequest>;
    try {
      r = httpRequest({ hostname, port, method: req.method, path: req.path, headers: req.headers }, (res) => {
        const chunks: Buffer[] = [];
        if (String(res.headers['content-type'] ?? '').startsWith('text/event-stream')) {
          // A stream that started: its head is all there is to judge.
          res.destroy();
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text: '' });
          return;
        }
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      });
    } catch {
      resolve(null); // an invalid header or path that Node will not put on the wire
      return;
    }
    r.setTimeout(10_000, () => r.destroy(new Error(`no answer to ${req.method} ${req.path}`)));
    r.on('error', reject);
    if (req.body !== undefined) r.write(req.body);
    r.end();
  });
}

describe('gateway fuzzing', () => {
  let gw: Gateway;
  let endpoints: Endpoint[];
  let tables: string[];
  const previousKey = process.env.WEBHOOK_SECRET_KEY;

  // The fuzzing merchant and the other one, whose data must never show.
  let mine: { id: string; apiKey: string; terminal: string; paymentId: string; webhookId: string };
  let theirs: { id: string; apiKey: string; terminal: string; paymentId: string; webhookId: string; keyId: string; cuit: string };
  const marker = `victim${randomBytes(6).toString('hex')}`;

  beforeAll(async () => {
    process.env.WEBHOOK_SECRET_KEY = SECRET_KEY;
    gw = await startGateway({
      WEBHOOK_SECRET_KEY: SECRET_KEY,
      RATE_LIMIT_PER_MINUTE: 0,
      RATE_LIMIT_ADMIN_PER_MINUTE: 0,
      RATE_LIMIT_AUTH_FAILURES_PER_MINUTE: 0,
    });

    const setUp = async (name: string, reference: string, url: string) => {
      const cuit = newCuit();
      const created = await gw.request<{ id: string; apiKey: string; apiKeyId: string }>('POST', '/v1/admin/merchants', {
        key: gw.adminKey,
        body: { name, cuit },
      });
      expect(created.status).toBe(201);
      const { id, apiKey, apiKeyId } = created.body;
      const terminal = await gw.registerTerminal(id);
      const pay = await gw.request<{ id: string }>('POST', '/v1/payments', {
        key: apiKey,
        body: { terminalIds: [terminal], amount: 150000, currency: 'ARS', reference, description: reference },
        headers: { 'idempotency-key': `setup-${reference}` },
      });
      expect(pay.status).toBe(202);
      const hook = await gw.request<{ id: string }>('POST', '/v1/webhooks', { key: apiKey, body: { url, description: reference } });
      expect(hook.status).toBe(201);
      return { id, apiKey, keyId: apiKeyId, cuit, terminal, paymentId: pay.body.id, webhookId: hook.body.id };
    };
    mine = await setUp('Fuzzer', 'mine-ref', 'https://hooks.example.com/mine');
    theirs = await setUp(`Comercio ${marker}`, `${marker}-ref`, `https://${marker}.example.com/hook`);

    const doc = (await gw.request<{ paths: Record<string, Record<string, Json>> }>('GET', '/docs-json')).body;
    endpoints = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops).map(([method, op]) => {
        const security = (op.security as Json[] | undefined) ?? [];
        const scheme = Object.keys(security[0] ?? {})[0];
        const parameters = ((op.parameters as Json[] | undefined) ?? []).filter((p) => p.in === 'query');
        return {
          method: method.toUpperCase(),
          path,
          auth: scheme === 'adminKey' ? 'admin' : scheme === 'merchantKey' ? 'merchant' : 'none',
          hasBody: op.requestBody !== undefined,
          query: parameters.map((p) => String(p.name)),
        } satisfies Endpoint;
      }),
    );
    expect(endpoints.length).toBeGreaterThan(20);

    tables = ((await gw.db.dataSource.query("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")) as { tablename: string }[])
      .map((t) => t.tablename)
      .filter((t) => t !== 'migrations' && t !== 'typeorm_metadata');
    expect(tables).toEqual(expect.arrayContaining(['operations', 'outbox', 'idempotency_keys', 'merchants', 'api_keys', 'terminals']));
  });

  afterAll(async () => {
    await gw.close();
    if (previousKey === undefined) delete process.env.WEBHOOK_SECRET_KEY;
    else process.env.WEBHOOK_SECRET_KEY = previousKey;
  });

  /** Row count of every table, and a checksum of every table whose rows nothing else touches. */
  async function snapshot(): Promise<Record<string, string>> {
    const parts = tables.map((t) =>
      t === 'outbox'
        ? `SELECT '${t}' AS t, count(*)::text AS v FROM "${t}"`
        : `SELECT '${t}' AS t, count(*)::text || ':' || coalesce(md5(string_agg(x::text, '|' ORDER BY x::text)), '') AS v FROM "${t}" x`,
    );
    const rows = (await gw.db.dataSource.query(parts.join(' UNION ALL '))) as { t: string; v: string }[];
    return Object.fromEntries(rows.map((r) => [r.t, r.v]));
  }

  // ---- What is sent ----------------------------------------------------------------------------
  // Built when the test runs: the values come from the merchants set up in beforeAll.

  function makeArbitraries() {
    const hostileStrings = () => [
      mine.id,
      mine.paymentId,
      mine.terminal,
      mine.webhookId,
      theirs.id,
      theirs.paymentId,
      theirs.terminal,
      theirs.webhookId,
      theirs.keyId,
      theirs.cuit,
      'pay_00000000000000000000000000',
      '..',
      '../..',
      '../../../../etc/passwd',
      '%2e%2e%2f%2e%2e%2fetc%2fpasswd',
      '..%252f..%252f',
      '__proto__',
      'constructor',
      'prototype',
      "' OR '1'='1",
      "1; DROP TABLE operations;--",
      "pay_1' UNION SELECT key_hash FROM api_keys--",
      '$where',
      '{"$gt":""}',
      '<script>alert(1)</script>',
      '${7*7}',
      '\u0000',
      'ñandú 💳 \u202e',
      '\ud800',
      'A'.repeat(300),
      '9'.repeat(40),
      '-1',
      '0',
      '1e308',
      'NaN',
      'null',
      'true',
      '',
    ];

    /** What Node will put in a header value (no control characters, nothing above U+00FF). */
    const headerSafe = (value: string) => /^[\t\x20-\x7e\x80-\xff]*$/.test(value);

    const hostileString = () => fc.oneof(fc.constantFrom(...hostileStrings()), fc.string({ maxLength: 40 }), fc.string({ unit: 'grapheme', maxLength: 20 }));

    const hostileNumber = fc.oneof(
      fc.constantFrom(0, -0, -1, 1, 150000, 1.5, -150000, 99, 100, 1e15, 1e308, -1e308, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER + 2, 2 ** 63),
      fc.integer(),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
    );

    const jsonish: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
      value: fc.oneof(
        { depthSize: 'small' },
        hostileString(),
        hostileNumber,
        fc.boolean(),
        fc.constant(null),
        fc.array(tie('value'), { maxLength: 4 }),
        fc.dictionary(fc.oneof(hostileString(), fc.constantFrom('amount', 'currency', 'terminalIds', 'paymentId', 'terminalId', 'url', 'types', 'print', 'cuit', 'name', 'provider')), tie('value'), { maxKeys: 5 }),
      ),
    })).value;

    /** Bodies close to valid ones, with one or two fields made hostile: they reach deeper checks. */
    const nearlyValid = fc
      .record({
        base: fc.constantFrom<() => Json>(
          () => ({ terminalIds: [mine.terminal], amount: 150000, currency: 'ARS' }),
          () => ({ paymentId: mine.paymentId }),
          () => ({ paymentId: theirs.paymentId }),
          () => ({ terminalId: mine.terminal, printReceipt: true }),
          () => ({ terminalId: theirs.terminal }),
          () => ({ terminalIds: [theirs.terminal], amount: 150000, currency: 'ARS' }),
          () => ({ url: 'https://hooks.example.com/x', types: ['payment.approved'] }),
          () => ({ name: 'Kiosco', cuit: theirs.cuit }),
          () => ({ provider: 'paystore', label: 'caja' }),
        ),
        field: fc.constantFrom('amount', 'currency', 'terminalIds', 'paymentId', 'terminalId', 'installments', 'expiresInSeconds', 'reference', 'url', 'cuit', 'print', 'plan', 'types', 'provider'),
        value: fc.oneof(hostileNumber, hostileString(), jsonish),
      })
      .map(({ base, field, value }) => JSON.stringify({ ...base(), [field]: value }));

    const rawBody = fc.oneof(
      nearlyValid,
      jsonish.map((v) => JSON.stringify(v) ?? 'null'),
      fc.constantFrom(
        '{"__proto__":{"polluted":"yes"},"amount":1}',
        '{"constructor":{"prototype":{"polluted":"yes"}}}',
        '{"amount":150000,"currency":"ARS","terminalIds":["1"],"__proto__":{"isAdmin":true}}',
        '{"amount": 15',
        '{amount: 1}',
        "{'amount': 1}",
        '[]',
        'null',
        '"string"',
        '1e999',
        '{"amount":1e999}',
        '{"amount":-0}',
        '{"amount":150000.0000000001}',
        '{"amount":150000,"amount":1}',
        '\ufeff{"amount":1}',
        '\u0000',
        '',
        '   ',
        `${'['.repeat(5000)}${']'.repeat(5000)}`,
        `${'{"a":'.repeat(3000)}1${'}'.repeat(3000)}`,
        JSON.stringify({ description: 'x'.repeat(64 * 1024) }),
      ),
      fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes)),
      fc.string({ maxLength: 80 }),
    );

    const contentType = fc.constantFrom(
      'application/json',
      'application/json',
      'application/json; charset=utf-8',
      'application/json; charset=utf-16',
      'APPLICATION/JSON',
      'application/json, text/plain',
      'application/problem+json',
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/xml',
      '*/*',
      'garbage',
      undefined,
    );

    const authHeader = (endpoint: Endpoint) =>
      fc.oneof(
        { weight: 6, arbitrary: fc.constant(endpoint.auth === 'admin' ? `Bearer ${gw.adminKey}` : `Bearer ${mine.apiKey}`) },
        { weight: 2, arbitrary: fc.constant(`Bearer ${mine.apiKey}`) },
        { weight: 1, arbitrary: fc.constant(undefined) },
        {
          weight: 1,
          arbitrary: fc.constantFrom(
            'Bearer',
            'Bearer ',
            `bearer ${mine.apiKey}`,
            `Basic ${Buffer.from('a:b').toString('base64')}`,
            `Bearer ${mine.apiKey.slice(0, -1)}`,
            `Bearer ${mine.apiKey} extra`,
            `Bearer ${'x'.repeat(5000)}`,
            `Bearer ${theirs.keyId}`,
            "Bearer ' OR 1=1--",
            'Bearer ecr_',
          ),
        },
      );

    const pathFor = (endpoint: Endpoint) =>
      fc
        .record({
          values: fc.array(fc.oneof(hostileString(), fc.constantFrom(mine.paymentId, mine.id, mine.terminal)), { minLength: 4, maxLength: 4 }),
          encodeValue: fc.boolean(),
          suffix: fc.constantFrom('', '', '', '/', '/..', '/../../admin/merchants', '//', '%00', '?', ';x', '/extra'),
        })
        .map(({ values, encodeValue, suffix }) => {
          let i = 0;
          const filled = endpoint.path.replace(/\{[^}]+\}/g, () => {
            const v = values[i++ % values.length];
            // Sent raw when Node lets it (traversal stays traversal); encoded otherwise.
            return encodeValue || !/^[\x21-\xff]*$/.test(v) ? encode(v) : v;
          });
          return filled + suffix;
        });

    const queryFor = (endpoint: Endpoint) =>
      fc
        .array(
          fc.tuple(
            fc.oneof(fc.constantFrom(...endpoint.query, 'limit', 'cursor', 'status', 'after', 'types', '__proto__', 'constructor[prototype][x]', 'a[b]'), fc.string({ maxLength: 8 })),
            fc.oneof(hostileString(), hostileNumber.map(String)),
          ),
          { maxLength: 3 },
        )
        .map((pairs) => (pairs.length ? `?${pairs.map(([k, v]) => `${encode(k)}=${encode(v)}`).join('&')}` : ''));

    const requestFor = (endpoint: Endpoint): fc.Arbitrary<Sent> =>
      fc
        .record({
          path: pathFor(endpoint),
          query: queryFor(endpoint),
          auth: authHeader(endpoint),
          contentType,
          body: fc.option(rawBody, { freq: endpoint.hasBody ? 8 : 2 }),
          idempotencyKey: fc.option(fc.oneof(fc.uuid(), hostileString().filter(headerSafe), fc.constant('setup-mine-ref')), { freq: 4 }),
          // Rare, and short: a command held for its operation waits the whole second (no workers run).
          prefer: fc.oneof(
            { weight: 12, arbitrary: fc.constant(null) },
            { weight: 3, arbitrary: fc.constantFrom('wait=0', 'wait=-5', 'wait="x"', 'wait=1.5', 'respond-async') },
            { weight: 1, arbitrary: fc.constantFrom('wait=1', 'wait=999999999999999') },
          ),
          extra: fc.dictionary(
            fc.constantFrom('last-event-id', 'x-forwarded-for', 'accept', 'x-http-method-override', 'origin', 'cookie', 'transfer-encoding-x'),
            fc.oneof(hostileString().filter(headerSafe), fc.constantFrom('-1', '99999999999999999999', '127.0.0.1, 10.0.0.1', 'DELETE', 'text/event-stream')),
            { maxKeys: 2 },
          ),
        })
        .map(({ path, query, auth, contentType: type, body, idempotencyKey, prefer, extra }) => {
          const headers: Record<string, string> = { ...extra };
          if (auth !== undefined) headers.authorization = auth;
          if (type !== undefined) headers['content-type'] = type;
          if (idempotencyKey !== null) headers['idempotency-key'] = idempotencyKey;
          if (prefer !== null) headers.prefer = prefer;
          return { method: endpoint.method, path: path + query, headers, body: body ?? undefined };
        });

    return { requestFor };
    }

  // ---- What must hold --------------------------------------------------------------------------

  /** Things of the other merchant's that the fuzzing merchant must never be shown. */
  const theirsLeaked = (sent: Sent, text: string): string[] => {
    const asked = `${sent.path} ${JSON.stringify(sent.headers)} ${sent.body?.toString() ?? ''}`;
    const asked2 = safeDecode(safeDecode(asked));
    const secrets = [marker, theirs.apiKey, theirs.apiKey.slice(-4)];
    const ids = [theirs.id, theirs.paymentId, theirs.terminal, theirs.webhookId, theirs.keyId, theirs.cuit];
    return [
      ...secrets.filter((s) => text.includes(s)),
      // An id the request itself named may be echoed ("No payment pay_…"), never one it did not.
      ...ids.filter((id) => text.includes(id) && !asked.includes(id) && !asked2.includes(id)),
    ];
  };

  it(`never answers 5xx, writes nothing when it refuses, and shows nothing of another merchant (${NUM_RUNS} runs)`, async () => {
    const statuses = new Map<number, number>();
    let unsendable = 0;
    let last = await snapshot();
    const hits = new Map<string, number>();
    const { requestFor } = makeArbitraries();
    const arbitrary = fc.constantFrom(...endpoints).chain((endpoint) => requestFor(endpoint).map((sent) => ({ endpoint, sent })));

    await fc.assert(
      fc.asyncProperty(arbitrary, async ({ endpoint, sent }) => {
        // The state after the previous request is the state before this one: one snapshot a run.
        const before = last;
        const res = await send(gw.url, sent);
        if (!res) {
          unsendable++; // Node would not put it on the wire
          return;
        }
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        hits.set(`${endpoint.method} ${endpoint.path}`, (hits.get(`${endpoint.method} ${endpoint.path}`) ?? 0) + 1);

        if (res.status >= 500) throw new Error(`answered ${res.status}: ${res.text.slice(0, 300)}`);
        // The queue dashboard's files and API under /v1/admin/queues/* answer bull-board's own shapes.
        const ownShapes = sent.path.startsWith('/v1/admin/queues/') && res.status < 500 && !String(res.headers['content-type']).includes('problem');
        if (res.status >= 400 && !ownShapes) {
          expect(String(res.headers['content-type'])).toContain('application/problem+json');
          const problem = JSON.parse(res.text) as { status: number; code: string };
          expect(problem.status).toBe(res.status);
          expect(problem.code).toMatch(/^[A-Z_]+\.[A-Z_]+$/);
        }
        last = await snapshot();
        if (res.status >= 400) expect(last).toEqual(before);
        const auth = sent.headers.authorization ?? '';
        if (!auth.includes(gw.adminKey)) {
          const leaked = theirsLeaked(sent, res.text + JSON.stringify(res.headers));
          if (leaked.length) throw new Error(`${sent.method} ${sent.path} showed ${leaked.join(', ')}: ${res.text.slice(0, 300)}`);
        }
      }),
      { numRuns: NUM_RUNS, endOnFailure: true },
    );

    // Every endpoint was tried, and the run exercised more than refusals.
    for (const e of endpoints) expect([`${e.method} ${e.path}`, (hits.get(`${e.method} ${e.path}`) ?? 0) > 0]).toEqual([`${e.method} ${e.path}`, true]);
    const ok = [...statuses].filter(([s]) => s < 300).reduce((n, [, c]) => n + c, 0);
    expect(ok).toBeGreaterThan(0);
    console.log(`fuzz statuses: ${JSON.stringify(Object.fromEntries([...statuses].sort((a, b) => a[0] - b[0])))}; not sendable: ${unsendable}`);
    expect(unsendable).toBeLessThan(NUM_RUNS / 10);

    // The gateway runs in this process: nothing it parsed may have reached a prototype.
    const probe = {} as Record<string, unknown>;
    expect(probe.polluted).toBeUndefined();
    expect(probe.isAdmin).toBeUndefined();
    expect(Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted')).toBe(false);
    expect(Object.prototype.hasOwnProperty.call(Object.prototype, 'x')).toBe(false);
  }, 120_000);
});

/** Percent-encodes any string, lone surrogates included (as U+FFFD). */
function encode(text: string): string {
  try {
    return encodeURIComponent(text);
  } catch {
    return encodeURIComponent(text.replace(/[\ud800-\udfff]/g, '\ufffd'));
  }
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
