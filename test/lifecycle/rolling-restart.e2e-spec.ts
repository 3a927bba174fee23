// A rolling restart of the whole system under traffic, as Kubernetes does it: every app runs as its
// own process from dist/; while payments (every sandbox outcome that ends on its own), reversals and
// batch closes keep coming, each app in turn gets a replacement (started and ready first), then
// SIGTERM. Two gateways take the traffic and the client alternates between them, retrying a refused
// request on the other one with the same idempotency key. Afterwards every operation is final with
// the status its amount asks for, the provider saw each intent created exactly once, every event is
// in the outbox and published, and the webhook receiver got each of them; every stopped process
// exited 0 within SHUTDOWN_GRACE_MS.
//
// The sandbox stands for the provider: it keeps its intents in memory, so it is not restarted in
// the middle (a real provider does not forget); it is stopped with SIGTERM at the end like the rest.
import { randomBytes } from 'node:crypto';
import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTestDatabase, createTestRedis, TestDatabase, TestRedis, waitFor } from '@app/testing';
import { randomCuit, systemConfig } from '../support/system';
import { AppName, AppProcess, envOf, Exit, freePort } from './processes';

const GRACE_MS = 8000;
/** How long a process may take to boot: seconds on a quiet machine, far longer on a crowded one. */
const BOOT_MS = 180_000;
/** The last two digits of a payment's amount choose its sandbox outcome (docs/sandbox.md). */
const OUTCOMES: [suffix: number, status: string][] = [
  [0, 'approved'],
  [5, 'rejected'],
  [6, 'failed'],
  [8, 'approved'], // slow: PROCESSING for SANDBOX_SLOW_MS after the take
  [9, 'approved'], // the create's answer is lost: looked up by reference, never sent again
];
const FINAL = new Set(['approved', 'rejected', 'cancelled', 'expired', 'failed']);

interface Tracked {
  id: string;
  type: 'payment' | 'reversal' | 'settlement';
  expected: string;
}

describe('rolling restart of every app under traffic', () => {
  // Minutes, not seconds, only on a crowded machine: a dozen Node processes boot here.
  jest.setTimeout(900_000);
  let db: TestDatabase;
  let redis: TestRedis;
  let receiver: Server;
  const received: string[] = [];
  const procs: AppProcess[] = [];
  const exits: { app: string; exit: Exit }[] = [];
  let base: Record<string, string>;
  let trafficOn = false;
  const t0 = Date.now();
  const step = (what: string) => process.env.LIFECYCLE_DEBUG && process.stderr.write(`[${Date.now() - t0} ms] ${what}\n`);

  beforeAll(async () => {
    db = await createTestDatabase();
    redis = await createTestRedis();
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        try {
          received.push(String((JSON.parse(Buffer.concat(chunks).toString()) as { id: string }).id));
        } catch {
          // Not a delivery.
        }
        // A little latency keeps deliveries in flight when the webhooks app is stopped.
        setTimeout(() => res.writeHead(200).end('ok'), 50);
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    trafficOn = false;
    for (const proc of procs) await proc.kill();
    await new Promise((resolve) => receiver.close(resolve));
    await redis.close();
    await db.drop();
  });

  async function spawnApp(app: AppName, extra: Record<string, string | number> = {}): Promise<AppProcess> {
    const proc = new AppProcess(app, await freePort(), { ...base, ...envOf({}, extra) });
    procs.push(proc);
    step(`start ${app} ${proc.port}`);
    return proc.start();
  }

  async function stopApp(proc: AppProcess): Promise<void> {
    step(`SIGTERM ${proc.app} ${proc.port}`);
    const exit = await proc.stop('SIGTERM', GRACE_MS + 10_000);
    step(`${proc.app} ${proc.port} exited ${exit.code} in ${exit.ms} ms`);
    exits.push({ app: proc.app, exit });
  }

  it('loses nothing, creates nothing twice, and every process exits 0 within the grace period', async () => {
    const started = Date.now();
    const adminKey = `adm_${randomBytes(16).toString('hex')}`;
    const sandbox = await spawnApp('sandbox', { SANDBOX_TAKE_DELAY_MS: 50, SANDBOX_SLOW_MS: 1000 });
    await sandbox.ready(BOOT_MS);
    const config = systemConfig(db, redis, sandbox.url, {
      SHUTDOWN_GRACE_MS: GRACE_MS,
      LOG_LEVEL: 'warn',
      DATABASE_POOL_SIZE: 4,
      POLL_INTERVAL_MS: 250,
      // The production lock: a worker starved of CPU for a few seconds keeps its jobs.
      JOB_LOCK_MS: 10_000,
      SWEEP_INTERVAL_MS: 1000,
      OUTBOX_POLL_MS: 500,
    });
    base = envOf(config, {
      ADMIN_API_KEY: adminKey,
      WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
      WEBHOOK_SWEEP_INTERVAL_MS: 1000,
      // The client below polls a lot from one key; this test is not about rate limits.
      RATE_LIMIT_PER_MINUTE: 0,
    });

    const current: Partial<Record<AppName, AppProcess>> = {};
    const replaced = new Set<AppProcess>();
    const gateways: AppProcess[] = [];
    const booted = await Promise.all(
      (['gateway', 'gateway', 'payments', 'reversals', 'settlements', 'webhooks'] as const).map(async (app) => (await spawnApp(app)).ready(BOOT_MS)),
    );
    gateways.push(booted[0], booted[1]);
    for (const proc of booted.slice(2)) current[proc.app] = proc;

    // The client: alternates between the gateways; a request refused by one (stopping, gone) is sent
    // again to the other with the same idempotency key.
    let turn = 0;
    async function call<T = Record<string, unknown>>(method: string, path: string, key: string, body?: unknown): Promise<{ status: number; body: T }> {
      const headers: Record<string, string> = { authorization: `Bearer ${key}` };
      if (body !== undefined) headers['content-type'] = 'application/json';
      if (method === 'POST' && !path.startsWith('/v1/admin')) headers['idempotency-key'] = `k-${randomBytes(8).toString('hex')}`;
      for (let attempt = 0; attempt < 50; attempt++) {
        const gw = gateways[turn++ % gateways.length];
        try {
          const res = await fetch(gw.url + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
          const text = await res.text();
          if (res.status === 503 || res.status === 502) throw new Error(`answered ${res.status}`);
          return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
        } catch {
          await new Promise((r) => setTimeout(r, 50));
        }
      }
      throw new Error(`${method} ${path}: no gateway answered`);
    }

    const cuit = randomCuit();
    const merchant = await call<{ id: string; apiKey: string }>('POST', '/v1/admin/merchants', adminKey, { name: 'Kiosco de prueba', cuit });
    expect(merchant.status).toBe(201);
    const key = merchant.body.apiKey;
    const terminals: string[] = [];
    for (let i = 0; i < 3; i++) {
      const terminalId = String(10_000_000 + Math.floor(Math.random() * 89_999_999));
      expect((await call('PUT', `/v1/admin/merchants/${merchant.body.id}/terminals/${terminalId}`, adminKey, { provider: 'paystore' })).status).toBeLessThan(300);
      const res = await fetch(`${sandbox.url}/sandbox/terminals`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ terminalId, cuit, mode: 'auto' }),
      });
      expect(res.ok).toBe(true);
      terminals.push(terminalId);
    }
    const [payTerminalA, payTerminalB, closeTerminal] = terminals;
    expect((await call('POST', '/v1/webhooks', key, { url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/events` })).status).toBe(201);

    // Traffic until every app has been replaced.
    const tracked: Tracked[] = [];
    const pending: Promise<void>[] = [];
    trafficOn = true;
    const readStatus = async (type: Tracked['type'], id: string) => String((await call('GET', `/v1/${type}s/${id}`, key)).body.status);
    const untilFinal = (type: Tracked['type'], id: string) =>
      waitFor(
        async () => {
          const status = await readStatus(type, id);
          return FINAL.has(status) ? status : undefined;
        },
        { timeoutMs: 90_000, intervalMs: 500, what: `${type} ${id} to be final` },
      );
    async function settle(): Promise<void> {
      const res = await call<{ id: string }>('POST', '/v1/settlements', key, { terminalId: closeTerminal });
      expect(res.status).toBe(202);
      tracked.push({ id: res.body.id, type: 'settlement', expected: 'approved' });
      await untilFinal('settlement', res.body.id);
    }
    const traffic = (async () => {
      let n = 0;
      let settlements = Promise.resolve();
      while (trafficOn) {
        const [suffix, expected] = OUTCOMES[n % OUTCOMES.length];
        const amount = 100_000 + n * 100 + suffix;
        const res = await call<{ id: string }>('POST', '/v1/payments', key, {
          amount,
          currency: 'ARS',
          terminalIds: [n % 2 === 0 ? payTerminalA : payTerminalB],
        });
        expect(res.status).toBe(202);
        const id = res.body.id;
        tracked.push({ id, type: 'payment', expected });
        // Every third plain approval is reversed once it is approved.
        if (suffix === 0 && n % 3 === 0) {
          pending.push(
            (async () => {
              expect(await untilFinal('payment', id)).toBe('approved');
              const rev = await call<{ id: string }>('POST', '/v1/reversals', key, { paymentId: id });
              expect(rev.status).toBe(202);
              tracked.push({ id: rev.body.id, type: 'reversal', expected: 'approved' });
            })(),
          );
        }
        // A batch close of its own terminal every so often, one at a time.
        if (n % 40 === 10) settlements = settlements.then(settle);
        n++;
        await new Promise((r) => setTimeout(r, 200));
      }
      await settlements;
    })();

    // Kubernetes' order, one app at a time: the replacement starts and gets ready while the old
    // process serves, then the old one gets SIGTERM, under traffic. For a gateway, the client's list
    // swaps the old instance for its replacement as the old one is told to stop.
    for (const app of ['payments', 'reversals', 'settlements', 'webhooks', 'gateway', 'gateway'] as const) {
      await new Promise((r) => setTimeout(r, 1000));
      const next = await (await spawnApp(app)).ready(BOOT_MS);
      if (app === 'gateway') {
        const i = gateways.findIndex((gw) => !replaced.has(gw));
        const old = gateways[i];
        replaced.add(next);
        gateways[i] = next;
        await stopApp(old);
      } else {
        const old = current[app] as AppProcess;
        current[app] = next;
        await stopApp(old);
      }
    }
    await new Promise((r) => setTimeout(r, 1500));
    trafficOn = false;
    step('traffic stopping');
    await traffic;
    await Promise.all(pending);
    step(`traffic stopped: ${tracked.length} operations`);

    // Every operation final, with the status its amount asks for.
    const byType = { payment: 0, reversal: 0, settlement: 0 };
    for (const op of tracked) {
      byType[op.type]++;
      expect({ id: op.id, status: await untilFinal(op.type, op.id) }).toEqual({ id: op.id, status: op.expected });
    }
    expect(byType.payment).toBeGreaterThanOrEqual(30);
    expect(byType.reversal).toBeGreaterThanOrEqual(3);
    expect(byType.settlement).toBeGreaterThanOrEqual(1);

    step('all final');
    // Each provider intent created exactly once.
    const log = (await (await fetch(`${sandbox.url}/sandbox/requests`)).json()) as { data: { method: string; path: string; body: unknown }[] };
    const creates = log.data.filter((r) => r.method === 'POST' && !r.path.endsWith('/searches'));
    const createsOf = (suffixes: string[], needle: string) =>
      creates.filter((r) => suffixes.some((s) => r.path.endsWith(s)) && JSON.stringify(r.body ?? '').includes(needle)).length;
    for (const op of tracked) {
      if (op.type === 'payment') expect({ id: op.id, creates: createsOf(['/terminal_payments/payments'], op.id) }).toEqual({ id: op.id, creates: 1 });
      if (op.type === 'reversal') {
        expect({ id: op.id, creates: createsOf(['/terminal_reversals/reversals', '/terminal_refunds/refunds'], op.id) }).toEqual({ id: op.id, creates: 1 });
      }
    }
    // A batch close carries no reference of ours (the terminal is in its query): count the closes of
    // the terminal that only this test's settlements use.
    const closes = creates.filter((r) => r.path.includes('/terminal_settlements/settlements') && JSON.stringify(r).includes(closeTerminal));
    expect(closes).toHaveLength(byType.settlement);

    // Every event in the outbox, in lifecycle order, and published; each delivered to the webhook.
    const ids = tracked.map((op) => op.id);
    await waitFor(
      async () => {
        const [row] = (await db.dataSource.query(
          'SELECT count(*)::int AS n FROM outbox WHERE subject = ANY($1) AND (published_at IS NULL OR position IS NULL)',
          [ids],
        )) as { n: number }[];
        return row.n === 0 ? true : undefined;
      },
      { timeoutMs: 20_000, what: 'every event to be published' },
    );
    const events = (await db.dataSource.query('SELECT id, type, subject FROM outbox WHERE subject = ANY($1) ORDER BY seq', [ids])) as {
      id: string;
      type: string;
      subject: string;
    }[];
    for (const op of tracked) {
      const types = events.filter((e) => e.subject === op.id).map((e) => e.type);
      expect({ id: op.id, first: types[0], last: types.at(-1) }).toEqual({ id: op.id, first: `${op.type}.accepted`, last: `${op.type}.${op.expected}` });
      expect(new Set(types).size).toBe(types.length);
    }
    await waitFor(
      async () => {
        const [row] = (await db.dataSource.query(
          `SELECT count(*)::int AS n FROM webhook_deliveries WHERE status = 'succeeded' AND event_id = ANY($1)`,
          [events.map((e) => e.id)],
        )) as { n: number }[];
        return row.n === events.length ? true : undefined;
      },
      { timeoutMs: 30_000, what: 'every event to be delivered to the webhook' },
    );
    const got = new Set(received);
    expect(events.filter((e) => !got.has(e.id))).toEqual([]);

    // Finally stop everything that still runs; then every stop so far was clean and in time.
    await Promise.all([...gateways, ...Object.values(current)].map((proc) => stopApp(proc)));
    await stopApp(sandbox);
    const summary = exits.map(({ app, exit }) => `${app} ${exit.code ?? exit.signal} in ${exit.ms} ms`).join(', ');
    console.log(`${tracked.length} operations (${JSON.stringify(byType)}) in ${Date.now() - started} ms; exits: ${summary}`);
    for (const { app, exit } of exits) {
      // Exit 0 is the app's own word that its stop finished within SHUTDOWN_GRACE_MS of the signal
      // (past it, it exits 1); the margin is for delivering the signal and reaping the process.
      expect({ app, code: exit.code, signal: exit.signal }).toEqual({ app, code: 0, signal: null });
      expect({ app, withinGrace: exit.ms < GRACE_MS + 2000 }).toEqual({ app, withinGrace: true });
    }
    expect(exits.map((e) => e.app).sort()).toEqual(
      ['gateway', 'gateway', 'gateway', 'gateway', 'payments', 'payments', 'reversals', 'reversals', 'settlements', 'settlements', 'webhooks', 'webhooks', 'sandbox'].sort(),
    );
  });
});
