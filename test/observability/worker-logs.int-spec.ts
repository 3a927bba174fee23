// The payments worker's log lines for one payment, read from its pino output: every line written
// while the payment's job runs names the operation (and the job), no key appears twice, and no
// line carries a secret, a token or a card number. And one payment followed by its operation id
// alone: the gateway's command, the worker's steps, the relay's published events.
import { Writable } from 'node:stream';
import type * as Common from '@app/common';
import { Registry } from 'prom-client';
import { WorkerMetrics } from '@app/workers';
import { waitFor } from '@app/testing';
import { registerFor, startGatewayFor } from '../support/e2e';
import { startSystem, System } from '../support/system';

const lines: string[] = [];
const sink = new Writable({
  write(chunk: Buffer, _encoding, done) {
    for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) lines.push(line);
    done();
  },
});

// Every logger the apps create in this process writes here instead of stdout.
jest.mock('@app/common', () => {
  const actual = jest.requireActual<typeof Common>('@app/common');
  return {
    ...actual,
    createLogger: (name: string, level?: string, extras: Common.LoggerExtras = {}) =>
      actual.createLogger(name, level, { ...extras, destination: sink }),
  };
});

const ADMIN_KEY = 'admin-observability-key-0123456789';
const CLIENT_SECRET = 'sandbox-secret';

describe('worker log correlation', () => {
  let sys: System;

  beforeAll(async () => {
    sys = await startSystem({ config: { LOG_LEVEL: 'debug', ADMIN_API_KEY: ADMIN_KEY, PAYSTORE_CLIENT_SECRET: CLIENT_SECRET } });
  });
  afterAll(async () => sys.stop());

  it('names the operation and job on every line about a payment, and leaks nothing', async () => {
    const m = await sys.merchant();
    const id = await sys.payment(m, 150000);
    expect(await sys.finalStatus(id)).toBe('approved');
    // The step that made it final logs right after the commit.
    await new Promise((r) => setTimeout(r, 300));

    const parsed = lines.map((raw) => ({ raw, json: JSON.parse(raw) as Record<string, unknown> }));
    const worker = parsed.filter((l) => l.json.app === 'payments');
    expect(worker.length).toBeGreaterThan(0);

    const steps = worker.filter((l) => l.json.msg === 'job step');
    const calls = worker.filter((l) => l.json.msg === 'provider call' && l.json.operation !== 'token');
    expect(steps.length).toBeGreaterThan(0);
    expect(calls.map((l) => l.json.operation)).toEqual(expect.arrayContaining(['payment.create', 'payment.get']));
    for (const l of [...steps, ...calls]) expect(l.json).toMatchObject({ operationId: id, jobId: id });
    expect(steps.at(-1)?.json.step).toBe('done');

    // Lines that name an operation name this one (it is the only one), each key once.
    for (const l of worker.filter((x) => 'operationId' in x.json)) {
      expect(l.json.operationId).toBe(id);
      expect(l.raw.match(/"operationId":/g)).toHaveLength(1);
      expect((l.raw.match(/"jobId":/g) ?? []).length).toBeLessThanOrEqual(1);
    }

    for (const { raw, json } of parsed) {
      expect(raw).not.toContain(ADMIN_KEY);
      expect(raw).not.toContain(CLIENT_SECRET);
      expect(raw).not.toMatch(/bearer/i);
      expect(raw).not.toMatch(/access_?token/i);
      // `time` is epoch milliseconds (13 digits); everything else must hold no card-number-like run.
      const { time: _time, ...rest } = json;
      expect(JSON.stringify(rest)).not.toMatch(/(?<!\d)\d{13,19}(?!\d)/);
    }
  });

  it('exports the open operations by type and status, read from Postgres at scrape time', async () => {
    const m = await sys.merchant(1, 'manual');
    const id = await sys.payment(m, 150000);
    await sys.reached(id, 'pending');
    const metrics = new WorkerMetrics(new Registry());
    metrics.watch(sys.queue('payment'), sys.db.dataSource, ['payment']);
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/ecr_operations\{type="payment",status="pending"\} [1-9]/);
    expect(text).toContain('ecr_operations{type="payment",status="unknown"} 0');
  });

  it('finds a payment’s command at the gateway, its worker steps and its published events by the operation id alone', async () => {
    const gw = await startGatewayFor(sys);
    const reg = await registerFor(sys, gw);
    const created = await reg.pay({ amount: 150000 });
    expect(created.status).toBe(202);
    const id = String(created.body.id);
    expect((await reg.final(id)).status).toBe('approved');

    const events: { id: string; type: string }[] = await sys.db.dataSource.query('SELECT id, type FROM outbox WHERE subject = $1 ORDER BY seq', [id]);
    expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(['payment.accepted', 'payment.approved']));
    const about = () => lines.map((raw) => JSON.parse(raw) as Record<string, unknown>).filter((l) => l.operationId === id);
    // Whichever app's relay holds the lock publishes, shortly after the commit.
    const published = await waitFor(
      async () => {
        const found = about().filter((l) => l.msg === 'event published');
        return found.length >= events.length ? found : undefined;
      },
      { timeoutMs: 5000, what: `the events of ${id} in the logs` },
    );
    const mine = about();

    // Gateway: the command, and through its reqId the HTTP request that carried it.
    const accepted = mine.find((l) => l.app === 'gateway' && l.msg === 'command accepted');
    expect(accepted).toMatchObject({ type: 'payment', merchantId: reg.merchantId });
    const request = lines.map((raw) => JSON.parse(raw) as Record<string, unknown>).find((l) => l.msg === 'request' && l.reqId === accepted?.reqId);
    expect(request).toMatchObject({ app: 'gateway', method: 'POST', route: '/v1/payments', status: 202 });

    // Worker: its job's steps, to the last.
    const steps = mine.filter((l) => l.app === 'payments' && l.msg === 'job step');
    expect(steps.length).toBeGreaterThan(0);
    expect(steps.at(-1)).toMatchObject({ jobId: id, step: 'done' });

    // Relay: every event of the operation, once, with its id and type.
    expect(published.map((l) => ({ eventId: l.eventId, type: l.type })).sort((a, b) => String(a.eventId).localeCompare(String(b.eventId)))).toEqual(
      events.map((e) => ({ eventId: e.id, type: e.type })).sort((a, b) => a.eventId.localeCompare(b.eventId)),
    );
    for (const l of published) expect(['gateway', 'payments']).toContain(l.app);
  });
});
