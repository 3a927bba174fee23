// The payments worker's log lines for one payment, read from its pino output: every line written
// while the payment's job runs names the operation (and the job), no key appears twice, and no
// line carries a secret, a token or a card number.
import { Writable } from 'node:stream';
import type * as Common from '@app/common';
import { Registry } from 'prom-client';
import { WorkerMetrics } from '@app/workers';
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
});
