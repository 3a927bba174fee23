// The fault matrix: every app from dist/ as its own process on a Redis and a Postgres of the
// matrix's own, 1,000 PayStore payments with mixed outcomes plus reversals and AMEX refunds, Klio
// SmartPos card and QR payments with annulments, pagoUno split charges with annulments, and meanwhile,
// in turn: a payments worker SIGKILLed mid-submit and mid-poll, Redis restarted and flushed,
// Postgres restarted, the provider failing half its requests for a minute, a create whose answer
// is lost, one command sent 20 times at once under one key, and the consumers down for minutes.
// Then the checker compares the providers' ledgers, the database and what every consumer got.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { Pool } from 'pg';
import { SUBSCRIBABLE_EVENT_TYPES } from '@app/webhooks';
import { checkFaultRun, FINAL_STATUSES, formatVerdict, PagounoAdjustmentRecord, PagounoGroupRecord, PlannedOperation, ResumeMeasure } from './checker';
import { FaultReceiver, FaultSseClient } from './consumers';
import { AppProcess, distEntry, freePort, logFile, PgCluster, RedisServer, runOnce, sleep, until } from './infra';
import {
  isCreate,
  KLIO_SUBMIT,
  LoggedRequest,
  mentions,
  PAGOUNO_CHARGE,
  pagounoChargesOf,
  ProviderLedger,
  providerOfPath,
  referencesOf,
} from './provider-ledger';
import { faultSettings } from './settings';

const S = faultSettings();
const PREFIX = 'ecr';
const QUEUES = ['payments', 'reversals', 'settlements', 'webhook-deliveries'];

interface Kind {
  label: string;
  ending: number;
  amex?: boolean;
  expected: string;
  failure?: string;
  cancel?: boolean;
  expiresInSeconds?: number;
  reversal?: { expected: string; failure?: string; cancel?: boolean };
}

// One cycle of twenty payments; the last two digits of the amount choose the sandbox's outcome.
const KINDS: Kind[] = [
  { label: '…00 approved, reversed', ending: 0, expected: 'approved', reversal: { expected: 'approved' } },
  { label: '…11 approved', ending: 11, expected: 'approved' },
  { label: '…23 approved', ending: 23, expected: 'approved' },
  { label: '…42 approved', ending: 42, expected: 'approved' },
  { label: '…99 approved', ending: 99, expected: 'approved' },
  { label: '…05 declined', ending: 5, expected: 'rejected' },
  { label: '…06 terminal error', ending: 6, expected: 'failed', failure: 'TERMINAL.ERROR' },
  { label: '…07 never taken, cancelled', ending: 7, expected: 'cancelled', cancel: true },
  { label: '…07 never taken, expired', ending: 7, expected: 'expired', expiresInSeconds: 30 },
  { label: '…08 slow', ending: 8, expected: 'approved' },
  { label: '…09 answer lost', ending: 9, expected: 'approved' },
  { label: '7…50 AMEX, given back through Refunds', ending: 50, amex: true, expected: 'approved', reversal: { expected: 'approved' } },
  { label: '…15 reversal declined', ending: 15, expected: 'approved', reversal: { expected: 'rejected' } },
  { label: '…16 reversal error', ending: 16, expected: 'approved', reversal: { expected: 'failed', failure: 'TERMINAL.ERROR' } },
  { label: '…17 reversal never taken, cancelled', ending: 17, expected: 'approved', reversal: { expected: 'cancelled', cancel: true } },
  { label: '…31 approved', ending: 31, expected: 'approved' },
  // A long deadline: the capped create attempts end it, not the deadline (an open breaker spends none).
  { label: '…10 provider 503', ending: 10, expected: 'failed', failure: 'PAYSTORE.UNAVAILABLE', expiresInSeconds: 900 },
  { label: '…64 approved', ending: 64, expected: 'approved' },
  { label: '…02 approved', ending: 2, expected: 'approved' },
  { label: '…77 approved', ending: 77, expected: 'approved' },
];

/** A Klio SmartPos payment: the same amount rules (docs/sandbox.md, Klio), card or QR, and its annulments. */
interface KlioKind {
  label: string;
  ending: number;
  amex?: boolean;
  qr?: boolean;
  expected: string;
  failure?: string;
  cancel?: boolean;
  expiresInSeconds?: number;
  /** Once approved, in turn: a part (`amount`) or, without it, all that is left; annulment outcomes go by the payment's amount. */
  annulments?: { amount?: number; expected: string; failure?: string; cancel?: boolean }[];
}

// One cycle of eighteen Klio payments on the merchant's Klio devices.
const KLIO_KINDS: KlioKind[] = [
  { label: 'Klio …00 approved, annulled', ending: 0, expected: 'approved', annulments: [{ expected: 'approved' }] },
  { label: 'Klio …11 approved', ending: 11, expected: 'approved' },
  { label: 'Klio …23 approved, annulled in two parts', ending: 23, expected: 'approved', annulments: [{ amount: 25_000, expected: 'approved' }, { expected: 'approved' }] },
  { label: 'Klio …05 declined', ending: 5, expected: 'rejected', failure: 'PAYMENT.DECLINED' },
  { label: 'Klio …06 task failed', ending: 6, expected: 'failed', failure: 'TERMINAL.ERROR' },
  { label: 'Klio …07 never taken, cancelled', ending: 7, expected: 'cancelled', cancel: true },
  { label: 'Klio …07 never taken, expired', ending: 7, expected: 'expired', expiresInSeconds: 30 },
  { label: 'Klio …08 slow', ending: 8, expected: 'approved' },
  { label: 'Klio …09 answer lost', ending: 9, expected: 'approved' },
  { label: 'Klio …10 Klio 503', ending: 10, expected: 'failed', failure: 'PAYSTORE.UNAVAILABLE', expiresInSeconds: 900 },
  { label: 'Klio …15 annulment declined', ending: 15, expected: 'approved', annulments: [{ expected: 'rejected', failure: 'REVERSAL.DECLINED' }] },
  { label: 'Klio …16 annulment failed', ending: 16, expected: 'approved', annulments: [{ expected: 'failed', failure: 'TERMINAL.ERROR' }] },
  { label: 'Klio …17 annulment never taken, cancelled', ending: 17, expected: 'approved', annulments: [{ expected: 'cancelled', cancel: true }] },
  { label: 'Klio …42 approved, a part annulled', ending: 42, expected: 'approved', annulments: [{ amount: 10_000, expected: 'approved' }] },
  { label: 'Klio 7…31 AMEX approved', ending: 31, amex: true, expected: 'approved' },
  { label: 'Klio QR …00 collected', ending: 0, qr: true, expected: 'approved' },
  { label: 'Klio QR …05 not paid', ending: 5, qr: true, expected: 'rejected', failure: 'PAYMENT.DECLINED' },
  { label: 'Klio QR …64 collected, annulled', ending: 64, qr: true, expected: 'approved', annulments: [{ expected: 'approved' }] },
];

/** A pagoUno split charge: per card, the last two digits of each purchase (each one's outcome). */
interface PagounoKind {
  label: string;
  cards: number[][];
  expected: string;
  failure?: string;
  expiresInSeconds?: number;
  /** Annulled (every transaction) once approved. */
  annul?: boolean;
}

// One cycle of six pagoUno charges on the merchant's pagoUno account.
const PAGOUNO_KINDS: PagounoKind[] = [
  { label: 'pagoUno two cards, three purchases, annulled', cards: [[0, 23], [42]], expected: 'approved', annul: true },
  { label: 'pagoUno one card', cards: [[11]], expected: 'approved' },
  { label: 'pagoUno two cards, the second declined (…05): rejected, the first reversed', cards: [[0, 23], [5]], expected: 'rejected', failure: 'PAYMENT.DECLINED' },
  { label: 'pagoUno two cards, answer lost (…09)', cards: [[9], [31]], expected: 'approved' },
  { label: 'pagoUno two cards, annulled', cards: [[64], [77]], expected: 'approved', annul: true },
  // A long deadline, as PayStore's …10: the capped charge attempts end it.
  { label: 'pagoUno 503 (…10)', cards: [[10]], expected: 'failed', failure: 'PAYSTORE.UNAVAILABLE', expiresInSeconds: 900 },
];
const PAGOUNO_ACCOUNT = 'pagouno-fallas';
const PANS = ['4545454545458745', '5100000000000008'];

/** Klio payment batches, in turn: each one request to one device, run in order (`…09` loses the whole answer). */
const KLIO_BATCHES: Pick<KlioKind, 'label' | 'ending' | 'expected' | 'failure'>[][] = [
  [
    { label: 'Klio batch …00 approved', ending: 0, expected: 'approved' },
    { label: 'Klio batch …05 declined', ending: 5, expected: 'rejected', failure: 'PAYMENT.DECLINED' },
    { label: 'Klio batch …11 approved', ending: 11, expected: 'approved' },
  ],
  [
    { label: 'Klio batch …23 approved', ending: 23, expected: 'approved' },
    { label: 'Klio batch …09 answer lost, approved', ending: 9, expected: 'approved' },
  ],
];

function amountOf(i: number, kind: { ending: number; amex?: boolean }): number {
  const thousands = 100 + (i % 400);
  // Last three digits 7xx make the sandbox's card AMEX; every other amount keeps them at 1xx (Visa).
  return thousands * 1000 + (kind.amex ? 700 : 100) + kind.ending;
}

function randomCuit(): string {
  const body = `30${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;
  const weights = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2];
  const sum = weights.reduce((acc, w, i) => acc + w * Number(body[i]), 0);
  const check = 11 - (sum % 11);
  if (check === 10) return randomCuit();
  return `${body.slice(0, 2)}-${body.slice(2)}-${check === 11 ? 0 : check}`;
}

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

describe('fault matrix', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ecr-faults-'));
  const pg = new PgCluster(S.pgCluster, S.pgPort);
  const dbName = 'ecr_faults';
  const accountingDb = 'ecr_faults_accounting';
  const apps = new Map<string, AppProcess>();
  const notes: string[] = [];
  let redis: RedisServer;
  let redisClient: Redis;
  let db: Pool;
  let passed = false;
  let sandboxUrl = '';
  let gatewayUrl = '';
  let receiver: FaultReceiver;
  let sse: FaultSseClient | null = null;
  const started = Date.now();

  const note = (line: string) => {
    const text = `[faults +${((Date.now() - started) / 1000).toFixed(1)}s] ${line}`;
    notes.push(text);
    process.stdout.write(`${text}\n`);
  };

  beforeAll(async () => {
    note(`logs in ${dir}`);
    await pg.ensure();
    await pg.recreateDatabase(dbName);
    await pg.recreateDatabase(accountingDb);
    redis = new RedisServer(S.redisPort || (await freePort()), dir, logFile(dir, 'redis'));
    await redis.start();
    redisClient = new Redis(redis.url, { maxRetriesPerRequest: null, lazyConnect: false });
    redisClient.on('error', () => undefined);
    const databaseUrl = pg.url(dbName);
    await runOnce(distEntry('libs', 'persistence', 'src', 'migrate.js'), { DATABASE_URL: databaseUrl });
    // A pool: its connections die with the Postgres restart and are made again.
    db = new Pool({ connectionString: databaseUrl, max: 2 });
    db.on('error', () => undefined);

    const ports = { sandbox: await freePort(), gateway: await freePort(), 'payments-1': await freePort(), 'payments-2': await freePort() };
    const more = { reversals: await freePort(), settlements: await freePort(), webhooks: await freePort() };
    sandboxUrl = `http://127.0.0.1:${ports.sandbox}`;
    gatewayUrl = `http://127.0.0.1:${ports.gateway}`;
    const adminKey = `adm_${randomBytes(16).toString('hex')}`;
    const common: Record<string, string> = {
      LOG_LEVEL: 'warn',
      HOST: '127.0.0.1',
      DATABASE_URL: databaseUrl,
      REDIS_URL: redis.url,
      BULLMQ_PREFIX: PREFIX,
      EVENT_STREAM_KEY: 'ecr-bridge:events',
      PAYSTORE_BASE_URL: sandboxUrl,
      PAYSTORE_TIMEOUT_MS: String(S.providerTimeoutMs),
      KLIO_BASE_URL: sandboxUrl,
      KLIO_TIMEOUT_MS: String(S.providerTimeoutMs),
      PAGOUNO_BASE_URL: `${sandboxUrl}/pagouno`,
      PAGOUNO_TIMEOUT_MS: String(S.providerTimeoutMs),
      WEBHOOK_SECRET_KEY: randomBytes(24).toString('hex'),
    };
    const app = (name: string, entry: string, env: Record<string, string>) => {
      const proc = new AppProcess(name, entry, { ...common, ...env }, logFile(dir, name));
      apps.set(name, proc);
      proc.start();
      return proc;
    };
    app('sandbox', distEntry('apps', 'sandbox', 'src', 'main.js'), {
      SANDBOX_PORT: String(ports.sandbox),
      SANDBOX_HOST: '127.0.0.1',
      SANDBOX_SLOW_MS: '3000',
      SANDBOX_REQUEST_LOG_LIMIT: '2000000',
    });
    app('gateway', distEntry('apps', 'gateway', 'src', 'main.js'), { PORT: String(ports.gateway), ADMIN_API_KEY: adminKey });
    // Two payments workers, as two pods: one is killed, the other takes over its jobs.
    const paymentsLog = process.env.FAULTS_PAYMENTS_LOG_LEVEL || 'info';
    app('payments-1', distEntry('apps', 'payments', 'src', 'main.js'), { PORT: String(ports['payments-1']), LOG_LEVEL: paymentsLog });
    app('payments-2', distEntry('apps', 'payments', 'src', 'main.js'), { PORT: String(ports['payments-2']), LOG_LEVEL: paymentsLog });
    app('reversals', distEntry('apps', 'reversals', 'src', 'main.js'), { PORT: String(more.reversals) });
    app('settlements', distEntry('apps', 'settlements', 'src', 'main.js'), { PORT: String(more.settlements) });
    app('webhooks', distEntry('apps', 'webhooks', 'src', 'main.js'), {
      PORT: String(more.webhooks),
      WEBHOOK_RETRY_SCHEDULE_MS: '1000,2000,5000',
      WEBHOOK_FAILURE_STREAK: '1000000',
      WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
      WEBHOOK_SWEEP_INTERVAL_MS: '5000',
    });
    app('accounting', distEntry('examples', 'accounting', 'src', 'main.js'), {
      ACCOUNTING_DATABASE_URL: pg.url(accountingDb),
      ACCOUNTING_CONSUMER: 'accounting-0',
    });
    await until(async () => ((await fetch(`${sandboxUrl}/sandbox/terminals`)).ok ? true : undefined), 'the sandbox');
    await until(async () => ((await fetch(`${gatewayUrl}/health/ready`)).ok ? true : undefined), 'the gateway');
    for (const [name, port] of Object.entries({ 'payments-1': ports['payments-1'], 'payments-2': ports['payments-2'], ...more })) {
      await until(async () => ((await fetch(`http://127.0.0.1:${port}/health/ready`)).ok ? true : undefined), `the ${name} worker`);
    }
    adminKeyRef.value = adminKey;
    portsRef.payments1 = ports['payments-1'];
    note('every app is up');
  }, 180_000);

  const adminKeyRef = { value: '' };
  const portsRef = { payments1: 0 };

  afterAll(async () => {
    await sse?.stop();
    await receiver?.stop();
    await Promise.all([...apps.values()].map((proc) => proc.stop(5000)));
    redisClient?.disconnect();
    await db?.end().catch(() => undefined);
    await redis?.stop();
    await pg.ctl('stop').catch(() => undefined);
    if (passed && !process.env.FAULTS_KEEP_LOGS) rmSync(dir, { recursive: true, force: true });
  }, 120_000);

  async function call(method: string, path: string, key: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
    const res = await fetch(gatewayUrl + path, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  }

  // At most this many commands in flight from the test at once: the traffic is the planned rate
  // plus retries, not a flood that only measures how the gateway sheds load.
  let inFlight = 0;
  const queued: (() => void)[] = [];
  async function slot<T>(work: () => Promise<T>): Promise<T> {
    if (inFlight >= 24) await new Promise<void>((resolve) => queued.push(resolve));
    inFlight++;
    try {
      return await work();
    } finally {
      inFlight--;
      queued.shift()?.();
    }
  }

  /** A command as a cash register sends it: the same key again until the gateway gives an answer that is not a 5xx. */
  function command(path: string, key: string, body: unknown, idempotencyKey: string): Promise<Answer> {
    return slot(() => commandNow(path, key, body, idempotencyKey));
  }

  async function commandNow(path: string, key: string, body: unknown, idempotencyKey: string): Promise<Answer> {
    const deadline = Date.now() + 360_000;
    let pause = 250;
    for (;;) {
      try {
        const res = await call('POST', path, key, body, { 'idempotency-key': idempotencyKey });
        if (res.status < 500) return res;
      } catch {
        // refused or cut: the same again
      }
      if (Date.now() > deadline) throw new Error(`${path} got no answer for six minutes`);
      await sleep(pause + Math.random() * pause);
      pause = Math.min(5000, pause * 2);
    }
  }

  async function statusOf(path: string, key: string): Promise<string | undefined> {
    try {
      const res = await call('GET', path, key);
      return res.status === 200 ? String(res.body.status) : undefined;
    } catch {
      return undefined;
    }
  }

  async function finalOf(path: string, key: string, timeoutMs = 400_000): Promise<string> {
    return until(async () => {
      const s = await statusOf(path, key);
      return s && FINAL_STATUSES.has(s) ? s : undefined;
    }, `${path} to be final`, timeoutMs, 3000);
  }

  /** Active payment jobs and the worker holding each (the worker part of its BullMQ lock token). */
  async function lockOwners(): Promise<Map<string, string>> {
    const ids = await redisClient.lrange(`${PREFIX}:payments:active`, 0, -1);
    const owners = new Map<string, string>();
    if (ids.length === 0) return owners;
    const tokens = await redisClient.mget(...ids.map((id) => `${PREFIX}:payments:${id}:lock`));
    ids.forEach((id, i) => {
      const token = tokens[i];
      if (token) owners.set(id, token.slice(0, token.lastIndexOf(':')));
    });
    return owners;
  }

  it('keeps every payment, intent and event through the faults', async () => {
    // A merchant with four terminals, a webhook to our receiver, an SSE client.
    const cuit = randomCuit();
    const merchant = await call('POST', '/v1/admin/merchants', adminKeyRef.value, { name: 'Almacén de las fallas', cuit });
    expect(merchant.status).toBe(201);
    const merchantId = String(merchant.body.id);
    const key = String(merchant.body.apiKey);
    const terminals: string[] = [];
    for (let i = 0; i < 4; i++) {
      const terminalId = String(20_000_000 + i * 1111 + Math.floor(Math.random() * 1000));
      const put = await call('PUT', `/v1/admin/merchants/${merchantId}/terminals/${terminalId}`, adminKeyRef.value, { provider: 'paystore' });
      expect(put.status).toBeLessThan(300);
      const ledger = new ProviderLedger(sandboxUrl);
      await ledger.control('POST', '/sandbox/terminals', { terminalId, cuit });
      terminals.push(terminalId);
    }
    // Klio devices and a pagoUno account, as scripts/start-all.ts sets up its demo merchant.
    const synced = await call('POST', `/v1/admin/merchants/${merchantId}/klio-devices/sync`, adminKeyRef.value, {});
    expect(synced.status).toBe(200);
    const klioTerminals = ((synced.body.registered ?? []) as { terminalId: string }[]).map((t) => t.terminalId);
    if (S.klioPayments > 0 || S.klioBatches > 0) expect(klioTerminals.length).toBeGreaterThan(0);
    const pagounoAccount = await call('PUT', `/v1/admin/merchants/${merchantId}/terminals/${PAGOUNO_ACCOUNT}`, adminKeyRef.value, {
      provider: 'pagouno',
      label: 'Tienda online',
    });
    expect(pagounoAccount.status).toBeLessThan(300);
    note(`Klio devices ${klioTerminals.join(', ')}; pagoUno account ${PAGOUNO_ACCOUNT}`);
    receiver = new FaultReceiver(await freePort());
    await receiver.start();
    const hook = await call('POST', '/v1/webhooks', key, { url: receiver.url });
    expect(hook.status).toBe(201);
    receiver.secret = String(hook.body.secret);
    sse = new FaultSseClient(gatewayUrl, key);
    sse.start();
    const ledger = new ProviderLedger(sandboxUrl);

    const planned: PlannedOperation[] = [];
    const followUps: Promise<void>[] = [];
    const problems: string[] = [];
    const resumes: ResumeMeasure[] = [];
    const kills: { name: string; at: number; operations: string[] }[] = [];
    const bursts: { key: string; answers: { status: number; id: string | null }[]; reference: string }[] = [];
    let lostAnswerWindow: { from: number; to: number } | null = null;
    let postgresRestartWindow: { from: number; to: number } | null = null;
    let providerErrorWindow: { from: number; to: number } | null = null;

    /** A reversal command once `paymentId` is approved; planned with what it must end as. */
    const reverse = async (
      paymentId: string,
      label: string,
      expect: { amount?: number; expected: string; failure?: string; cancel?: boolean },
      idemKey: string,
    ): Promise<string | null> => {
      const rev = await command('/v1/reversals', key, { paymentId, ...(expect.amount ? { amount: expect.amount } : {}) }, idemKey);
      if (rev.status !== 202 && rev.status !== 200) {
        problems.push(`reversal of ${paymentId} (${label}) answered ${rev.status} ${JSON.stringify(rev.body)}`);
        return null;
      }
      const revId = String(rev.body.id);
      planned.push({ id: revId, type: 'reversal', label, expected: expect.expected, expectedFailure: expect.failure });
      if (expect.cancel) {
        await sleep(2000);
        const cancel = await command(`/v1/reversals/${revId}/cancel`, key, undefined, `${idemKey}-cancel`);
        if (cancel.status >= 300) problems.push(`cancel of ${revId} answered ${cancel.status}`);
      }
      return revId;
    };

    const pay = async (i: number) => {
      const kind = KINDS[i % KINDS.length];
      const body = {
        terminalIds: [terminals[i % terminals.length]],
        amount: amountOf(i, kind),
        currency: 'ARS',
        reference: `ticket-${i}`,
        ...(kind.expiresInSeconds ? { expiresInSeconds: kind.expiresInSeconds } : {}),
      };
      const res = await command('/v1/payments', key, body, `pay-${i}`);
      if (res.status !== 202 && res.status !== 200) throw new Error(`payment ${i} answered ${res.status} ${JSON.stringify(res.body)}`);
      const id = String(res.body.id);
      planned.push({ id, type: 'payment', label: `payment ${kind.label}`, expected: kind.expected, expectedFailure: kind.failure });
      if (kind.cancel) {
        await sleep(2000);
        const cancel = await command(`/v1/payments/${id}/cancel`, key, undefined, `cancel-${i}`);
        if (cancel.status >= 300) problems.push(`cancel of ${id} answered ${cancel.status}`);
      }
      if (kind.reversal) {
        const status = await finalOf(`/v1/payments/${id}`, key);
        if (status !== 'approved') return; // the outcome row reports it
        await reverse(id, `reversal of ${kind.label}`, kind.reversal, `rev-${i}`);
      }
    };

    const refund = async (j: number) => {
      const declined = j % 5 === 4;
      const body = { terminalIds: [terminals[j % terminals.length]], amount: (50 + j) * 1000 + 100 + (declined ? 5 : 20), currency: 'ARS' };
      const res = await command('/v1/refunds', key, body, `refund-${j}`);
      if (res.status !== 202 && res.status !== 200) throw new Error(`refund ${j} answered ${res.status} ${JSON.stringify(res.body)}`);
      planned.push({
        id: String(res.body.id),
        type: 'refund',
        label: declined ? 'AMEX refund …05 declined' : 'AMEX refund approved',
        expected: declined ? 'rejected' : 'approved',
        expectedFailure: declined ? 'REFUND.DECLINED' : undefined,
      });
    };

    const klioPay = async (i: number) => {
      const kind = KLIO_KINDS[i % KLIO_KINDS.length];
      const body = {
        terminalIds: [klioTerminals[i % klioTerminals.length]],
        amount: amountOf(i, kind),
        currency: 'ARS',
        reference: `klio-${i}`,
        ...(kind.qr ? { method: 'qr' } : {}),
        ...(kind.expiresInSeconds ? { expiresInSeconds: kind.expiresInSeconds } : {}),
      };
      const res = await command('/v1/payments', key, body, `klio-pay-${i}`);
      if (res.status !== 202 && res.status !== 200) throw new Error(`Klio payment ${i} answered ${res.status} ${JSON.stringify(res.body)}`);
      const id = String(res.body.id);
      planned.push({ id, type: 'payment', label: kind.label, expected: kind.expected, expectedFailure: kind.failure });
      if (kind.cancel) {
        await sleep(2000);
        const cancel = await command(`/v1/payments/${id}/cancel`, key, undefined, `klio-cancel-${i}`);
        if (cancel.status >= 300) problems.push(`cancel of ${id} answered ${cancel.status}`);
      }
      if (!kind.annulments) return;
      if ((await finalOf(`/v1/payments/${id}`, key)) !== 'approved') return; // the outcome row reports it
      for (const [j, annulment] of kind.annulments.entries()) {
        const last = j === kind.annulments.length - 1;
        const label = `annulment ${j + 1}/${kind.annulments.length}${annulment.amount ? ` (part)` : ''} of ${kind.label}`;
        const revId = await reverse(id, label, annulment, `klio-rev-${i}-${j}`);
        // The next part only once this one is approved (what is left is then known).
        if (revId === null || last || (await finalOf(`/v1/reversals/${revId}`, key)) !== 'approved') return;
      }
    };

    const klioBatch = async (i: number) => {
      const kinds = KLIO_BATCHES[i % KLIO_BATCHES.length]!;
      const body = {
        terminalId: klioTerminals[i % klioTerminals.length],
        payments: kinds.map((kind, j) => ({ amount: amountOf(200 + i * 5 + j, kind), currency: 'ARS', reference: `klio-batch-${i}-${j}`, expiresInSeconds: 300 })),
      };
      const res = await command('/v1/payment-batches', key, body, `klio-batch-${i}`);
      if (res.status !== 202) throw new Error(`Klio batch ${i} answered ${res.status} ${JSON.stringify(res.body)}`);
      const payments = res.body.payments as { id: string }[];
      payments.forEach((p, j) => planned.push({ id: p.id, type: 'payment', label: kinds[j]!.label, expected: kinds[j]!.expected, expectedFailure: kinds[j]!.failure }));
    };

    /** A single-use card token, made as the buyer's device does; the register only relays it. */
    const tokenize = async (pan: string): Promise<string> => {
      for (let tries = 0; ; tries++) {
        try {
          return await ledger.pagounoToken(pan);
        } catch (err) {
          if (tries >= 30) throw err; // the provider fault (f) fails half of them
          await sleep(1000);
        }
      }
    };

    const pagounoPay = async (i: number) => {
      const kind = PAGOUNO_KINDS[i % PAGOUNO_KINDS.length];
      const cards = [];
      for (const [c, endings] of kind.cards.entries()) {
        cards.push({
          token: await tokenize(PANS[c % PANS.length]),
          purchases: endings.map((ending, p) => ({
            merchantCode: `SHOP${c * 2 + p + 1}`,
            amount: (20 + ((i * 7 + c * 3 + p) % 80)) * 1000 + 100 + ending,
            sellerDescriptor: 'FALLAS*UNO',
          })),
        });
      }
      const amount = cards.reduce((sum, card) => sum + card.purchases.reduce((s2, p) => s2 + p.amount, 0), 0);
      const body = {
        terminalIds: [PAGOUNO_ACCOUNT],
        amount,
        currency: 'ARS',
        reference: `pagouno-${i}`,
        pagouno: { cards },
        ...(kind.expiresInSeconds ? { expiresInSeconds: kind.expiresInSeconds } : {}),
      };
      const res = await command('/v1/payments', key, body, `pagouno-pay-${i}`);
      if (res.status !== 202 && res.status !== 200) throw new Error(`pagoUno payment ${i} answered ${res.status} ${JSON.stringify(res.body)}`);
      const id = String(res.body.id);
      planned.push({ id, type: 'payment', label: kind.label, expected: kind.expected, expectedFailure: kind.failure });
      if (!kind.annul) return;
      if ((await finalOf(`/v1/payments/${id}`, key)) !== 'approved') return;
      await reverse(id, `annulment of ${kind.label}`, { expected: 'approved' }, `pagouno-rev-${i}`);
    };

    // ── the traffic ─────────────────────────────────────────────────────────────────────────────
    const t0 = Date.now();
    const traffic = (async () => {
      const every = (S.trafficSeconds * 1000) / Math.max(1, S.payments);
      const refundEvery = S.refunds > 0 ? Math.max(1, Math.floor(S.payments / S.refunds)) : Infinity;
      let refunds = 0;
      for (let i = 0; i < S.payments; i++) {
        const wait = t0 + i * every - Date.now();
        if (wait > 0) await sleep(wait);
        followUps.push(pay(i).catch((err: Error) => void problems.push(`payment ${i}: ${err.message}`)));
        if (i % refundEvery === 0 && refunds < S.refunds) {
          const j = refunds++;
          followUps.push(refund(j).catch((err: Error) => void problems.push(`refund ${j}: ${err.message}`)));
        }
      }
      note(`traffic sent: ${S.payments} payments, ${refunds} refunds`);
    })();
    /** `count` sends spread over the traffic window, starting `offset` of a step in. */
    const spread = (count: number, offset: number, send: (i: number) => Promise<void>, what: string) =>
      (async () => {
        const every = (S.trafficSeconds * 1000) / Math.max(1, count);
        for (let i = 0; i < count; i++) {
          const wait = t0 + (i + offset) * every - Date.now();
          if (wait > 0) await sleep(wait);
          followUps.push(send(i).catch((err: Error) => void problems.push(`${what} ${i}: ${err.message}`)));
        }
        note(`traffic sent: ${count} ${what}s`);
      })();
    const klioTraffic = spread(S.klioPayments, 0.3, klioPay, 'Klio payment');
    const klioBatchTraffic = spread(S.klioBatches, 0.45, klioBatch, 'Klio batch');
    const pagounoTraffic = spread(S.pagounoPayments, 0.6, pagounoPay, 'pagoUno payment');

    // ── the faults, in turn ─────────────────────────────────────────────────────────────────────
    const gap = () => sleep(S.gapSeconds * 1000);
    const victim = apps.get('payments-1')!;
    const victimPort = portsRef.payments1;
    const accounting = apps.get('accounting')!;

    const killPayments = async (name: string, holds: { method: string; path: string }[]) => {
      const added: string[] = [];
      for (const match of holds) {
        added.push(((await ledger.control('POST', '/sandbox/faults', { match, latencyMs: 2000, forSeconds: 60 })) as { data: { id: string } }).data.id);
      }
      // Let requests pile up at the provider, held by the latency, then kill a worker waiting on them.
      // Both workers busy: at least six jobs active, under two lock owners.
      await until(
        async () => {
          const owners = await lockOwners();
          return owners.size >= 6 && new Set(owners.values()).size >= 2 ? true : undefined;
        },
        `both payments workers holding jobs during ${name}`,
        90_000,
        100,
      );
      await sleep(300);
      const at = Date.now();
      await victim.kill('SIGKILL');
      // The dead worker's locks stay until they expire: what is active now, with its lock owner, is
      // both workers' jobs. The killed worker is the owner that never takes a job again.
      const held = await lockOwners();
      for (const id of added) await ledger.control('DELETE', `/sandbox/faults/${id}`).catch(() => undefined); // expired meanwhile
      const alive = new Set<string>();
      const watchUntil = Date.now() + 4000;
      while (Date.now() < watchUntil) {
        for (const [id, owner] of await lockOwners()) if (held.get(id) !== owner) alive.add(owner);
        await sleep(100);
      }
      const owners = [...new Set(held.values())];
      const dead = owners.filter((o) => !alive.has(o));
      const operations = dead.length === 1 ? [...held].filter(([, o]) => o === dead[0]).map(([id]) => id) : [];
      kills.push({ name, at, operations });
      note(`(${name}) payments-1 SIGKILLed; ${held.size} jobs active, ${operations.length} on the killed worker (lock owners ${owners.length}, dead ${dead.length})`);
      await sleep(Math.max(0, S.restartAfterMs - (Date.now() - at)));
      victim.start();
      await until(async () => ((await fetch(`http://127.0.0.1:${victimPort}/health/ready`)).ok ? true : undefined), 'payments-1 ready again', 120_000, 500);
      note(`(${name}) payments-1 started again`);
    };

    const consumersDown = (async () => {
      await sleep(10_000);
      await accounting.kill('SIGKILL');
      await receiver.stop();
      note(`(i) accounting SIGKILLed and webhook receiver down for ${S.consumerDownSeconds}s`);
      await sleep(S.consumerDownSeconds * 1000);
      accounting.start();
      await receiver.start();
      note('(i) accounting and webhook receiver back');
    })();

    /** One fault; a step that breaks is a problem of the run, and the next faults still happen. */
    const step = async (name: string, act: () => Promise<void>) => {
      try {
        await act();
      } catch (err) {
        problems.push(`fault ${name}: ${(err as Error).message}`);
        note(`fault ${name} broke: ${(err as Error).message}`);
      }
    };

    const faults = (async () => {
      await sleep(15_000);
      // (h) one command, 20 times at once, one Idempotency-Key.
      const burstKey = `burst-${randomBytes(4).toString('hex')}`;
      const burstBody = { terminalIds: [terminals[0]], amount: 777_100, currency: 'ARS', reference: 'burst-20' };
      const send = () =>
        call('POST', '/v1/payments', key, burstBody, { 'idempotency-key': burstKey }).then(
          (res) => ({ status: res.status, id: typeof res.body.id === 'string' ? res.body.id : null }),
          () => ({ status: 0, id: null }),
        );
      const first = await Promise.all(Array.from({ length: 20 }, send));
      // A 5xx or a cut connection is no answer: the register sends the same again, as it would.
      const answers = await Promise.all(
        first.map(async (answer) => {
          let current = answer;
          for (let tries = 0; (current.status === 0 || current.status >= 500) && tries < 30; tries++) {
            await sleep(1000);
            current = await send();
          }
          return current;
        }),
      );
      const unanswered = first.filter((a) => a.status === 0 || a.status >= 500).length;
      note(`(h) ${unanswered} of the 20 got no answer the first time (5xx or cut) and were sent again`);
      bursts.push({ key: burstKey, answers, reference: 'burst-20' });
      const burstId = answers.find((a) => a.id)?.id;
      if (burstId) planned.push({ id: burstId, type: 'payment', label: 'payment sent 20 times at once', expected: 'approved' });
      note(`(h) 20 concurrent payments under one key: ${[...new Set(answers.map((a) => `${a.status} ${a.id}`))].join('; ')}`);

      await sleep(5000);
      // Every provider's payment creates (a) and payment reads (b) are held: PayStore's, Klio's, pagoUno's.
      await step('a', () =>
        killPayments('a: SIGKILL mid-submit', [
          { method: 'POST', path: '/terminal_payments/payments' },
          { method: 'POST', path: KLIO_SUBMIT },
          { method: 'POST', path: PAGOUNO_CHARGE },
        ]),
      );
      await gap();
      await step('b', () =>
        killPayments('b: SIGKILL mid-poll', [
          { method: 'GET', path: '/terminal_payments/payments/' },
          { method: 'GET', path: '/external/posdevice-api/tasks/' },
          { method: 'GET', path: '/pagouno/v1/Transaction/purchase' },
        ]),
      );
      await gap();

      await redis.stop('SIGTERM');
      note('(c) Redis stopped');
      await sleep(2000);
      await redis.start();
      note('(c) Redis started again from its append-only file');
      await gap();

      const keys = await redis.cli('DBSIZE');
      await redis.cli('FLUSHALL');
      note(`(d) Redis FLUSHALL (${keys} keys gone)`);
      await gap();

      const restartFrom = Date.now();
      await pg.ctl('restart');
      // Writes fail until the pools have made new connections: a refusal answered meanwhile may
      // never be recorded.
      postgresRestartWindow = { from: restartFrom, to: Date.now() + 5000 };
      note('(e) Postgres restarted');
      await gap();

      const from = Date.now();
      for (const path of ['/terminal_payments/payments', KLIO_SUBMIT, PAGOUNO_CHARGE]) {
        await ledger.control('POST', '/sandbox/faults', { match: { method: 'POST', path }, latencyMs: S.providerTimeoutMs + 2000, forSeconds: 6 });
      }
      note(`(g) creates (PayStore, Klio, pagoUno) held ${S.providerTimeoutMs + 2000} ms, past the workers' ${S.providerTimeoutMs} ms timeout, for 6 s`);
      await sleep(6000);
      lostAnswerWindow = { from, to: Date.now() };
      await gap();

      const errorsFrom = Date.now();
      await ledger.control('POST', '/sandbox/faults', { errorRate: 0.5, latencyMs: S.providerLatencyMs, forSeconds: S.providerErrorSeconds });
      note(`(f) provider: 50% errors and ${S.providerLatencyMs} ms latency for ${S.providerErrorSeconds}s`);
      await sleep(S.providerErrorSeconds * 1000);
      providerErrorWindow = { from: errorsFrom, to: Date.now() };
      note('(f) provider healthy again');
    })();

    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        await sleep(5000);
        try {
          const [wait, active, delayed] = await Promise.all([
            redisClient.llen(`${PREFIX}:payments:wait`),
            redisClient.llen(`${PREFIX}:payments:active`),
            redisClient.zcard(`${PREFIX}:payments:delayed`),
          ]);
          const openNow = ((await db.query(`SELECT status, count(*)::int AS n FROM operations WHERE status NOT IN ('approved','rejected','cancelled','expired','failed') GROUP BY status`)).rows as { status: string; n: number }[])
            .map((r) => `${r.status} ${r.n}`)
            .join(', ');
          notes.push(`[sample +${((Date.now() - started) / 1000).toFixed(0)}s] payments wait ${wait} active ${active} delayed ${delayed}; open: ${openNow}`);
        } catch (err) {
          notes.push(`[sample] ${(err as Error).message}`);
        }
      }
    })();

    await Promise.all([traffic, klioTraffic, klioBatchTraffic, pagounoTraffic, faults, consumersDown]);
    await Promise.all(followUps);
    note(`every command answered; ${planned.length} operations planned`);

    // ── settle: everything final, published and delivered, or the time is up ──────────────────
    const settleBy = Date.now() + S.settleSeconds * 1000;
    const open = async () =>
      Number(((await db.query(`SELECT count(*)::int AS n FROM operations WHERE status NOT IN ('approved','rejected','cancelled','expired','failed')`)).rows[0] as { n: number }).n);
    await until(async () => ((await open()) === 0 ? true : undefined), 'every operation to be final', Math.max(1000, settleBy - Date.now()), 1000).catch(
      (err: Error) => note(err.message),
    );
    const outboxRows = async () =>
      (await db.query(`SELECT id, type, subject, published_at IS NOT NULL AS published FROM outbox WHERE merchant_id = $1 ORDER BY seq`, [merchantId]))
        .rows as { id: string; type: string; subject: string; published: boolean }[];
    const approvedOps = async () =>
      (
        (await db.query(`SELECT id FROM operations WHERE merchant_id = $1 AND status = 'approved' AND type IN ('payment','reversal','refund')`, [merchantId]))
          .rows as { id: string }[]
      ).map((r) => r.id);
    const acct = new Pool({ connectionString: pg.url(accountingDb), max: 1 });
    acct.on('error', () => undefined);
    const booked = async () =>
      ((await acct.query('SELECT operation_id FROM accounting.journal_entries').catch(() => ({ rows: [] }))).rows as { operation_id: string }[]).map(
        (r) => r.operation_id,
      );
    const deliverable = new Set(SUBSCRIBABLE_EVENT_TYPES);
    await until(
      async () => {
        const rows = await outboxRows();
        const seen = new Set(sse?.received);
        const hooked = new Set(receiver.acknowledged);
        const journal = new Set(await booked());
        const done =
          rows.every((r) => r.published && seen.has(r.id) && (!deliverable.has(r.type) || hooked.has(r.id))) &&
          (await approvedOps()).every((id) => journal.has(id));
        return done ? true : undefined;
      },
      'every event at every consumer',
      Math.max(1000, settleBy - Date.now()),
      2000,
    ).catch((err: Error) => note(err.message));
    // Jobs of final operations leave their queues within a step or two.
    await until(
      async () => {
        let n = 0;
        for (const q of QUEUES) n += (await redisClient.llen(`${PREFIX}:${q}:wait`)) + (await redisClient.llen(`${PREFIX}:${q}:active`));
        return n === 0 ? true : undefined;
      },
      'queues to drain',
      30_000,
      1000,
    ).catch((err: Error) => note(err.message));

    sampling = false;
    await sampler;

    // ── collect ─────────────────────────────────────────────────────────────────────────────────
    const operations = (
      (await db.query(
        `SELECT id, type, status, provider, amount::text, provider_id, payment_id, result->'failure'->>'code' AS failure_code,
                result->'transactions' AS transactions
           FROM operations WHERE merchant_id = $1`,
        [merchantId],
      )).rows as {
        id: string;
        type: string;
        status: string;
        provider: string;
        amount: string | null;
        provider_id: string | null;
        payment_id: string | null;
        failure_code: string | null;
        transactions: { id: string | null; status: string }[] | null;
      }[]
    ).map((r) => ({
      id: r.id,
      type: r.type,
      status: r.status,
      provider: r.provider,
      amount: r.amount,
      providerId: r.provider_id,
      paymentId: r.payment_id,
      failureCode: r.failure_code,
      transactions: r.transactions,
    }));
    const requests: LoggedRequest[] = await ledger.requests();
    const providerCreates = requests.filter(isCreate).flatMap((r) => referencesOf(r.body).map((reference) => ({ reference, status: r.status })));
    const providerIntents = await ledger.intentsByReference(cuit);
    const klioTasks = await ledger.klioTasks();
    const pagounoCharges = pagounoChargesOf(requests);
    const pagounoGroups: PagounoGroupRecord[] = [];
    const pagounoAdjustments: PagounoAdjustmentRecord[] = [];
    const pagounoOps = operations.filter((op) => op.provider === 'pagouno');
    // Every reference pagoUno could hold something under: our pagoUno operations and every charge sent.
    for (const reference of new Set([...pagounoOps.filter((op) => op.type === 'payment').map((op) => op.id), ...pagounoCharges.map((c) => c.reference)])) {
      const group = await ledger.pagounoGroup(reference);
      if (group) pagounoGroups.push(group);
    }
    for (const op of pagounoOps.filter((o) => o.type === 'reversal')) pagounoAdjustments.push(...(await ledger.pagounoAdjustments(op.id)));

    // Resume: from each SIGKILL to the next provider request about each operation the worker held.
    const providerIds = new Map(operations.map((op) => [op.id, op.providerId]));
    const finalAt = new Map(
      ((await db.query(`SELECT id, final_at FROM operations WHERE merchant_id = $1`, [merchantId])).rows as { id: string; final_at: Date | null }[]).map((r) => [
        r.id,
        r.final_at ? r.final_at.getTime() : null,
      ]),
    );
    for (const kill of kills) {
      for (const id of kill.operations) {
        const ended = finalAt.get(id);
        if (ended !== null && ended !== undefined && ended <= kill.at) continue; // already final when killed
        const pid = providerIds.get(id);
        const next = requests.find((r) => Date.parse(r.at) > kill.at && mentions(r, id, pid));
        resumes.push({ kill: kill.name, operationId: id, ms: next ? Date.parse(next.at) - kill.at : null });
      }
    }

    const rows = await outboxRows();
    const approved = await approvedOps();
    const journal = await booked();
    await acct.end();
    const leftovers = [];
    for (const q of QUEUES) {
      leftovers.push({ what: `${q} jobs waiting`, count: await redisClient.llen(`${PREFIX}:${q}:wait`) });
      leftovers.push({ what: `${q} jobs active`, count: await redisClient.llen(`${PREFIX}:${q}:active`) });
    }
    const pendingDeliveries = Number(
      ((await db.query(`SELECT count(*)::int AS n FROM webhook_deliveries WHERE status = 'pending'`)).rows[0] as { n: number }).n,
    );
    leftovers.push({ what: 'webhook deliveries pending', count: pendingDeliveries });
    leftovers.push({ what: 'open operations', count: operations.filter((op) => !FINAL_STATUSES.has(op.status)).length });
    const idempotency = [];
    for (const burst of bursts) {
      const stored = Number(
        ((await db.query(`SELECT count(*)::int AS n FROM operations WHERE merchant_id = $1 AND reference = $2`, [merchantId, burst.reference])).rows[0] as {
          n: number;
        }).n,
      );
      idempotency.push({ key: burst.key, answers: burst.answers, operations: stored });
    }
    const notApproved = operations.filter((op) => op.status !== 'approved').map((op) => op.id);

    const lost = lostAnswerWindow as { from: number; to: number } | null;
    const heldPastTimeout = lost
      ? requests.filter((r) => isCreate(r) && Date.parse(r.at) >= lost.from && Date.parse(r.at) <= lost.to).flatMap((r) => referencesOf(r.body))
      : [];
    // A create the provider refused (5xx) while Postgres was restarting: the worker may not have
    // been able to record that nothing was taken, so it looks the create up and never resends it.
    const restart = postgresRestartWindow as { from: number; to: number } | null;
    const refusedWhilePostgresDown = restart
      ? requests
          .filter((r) => isCreate(r) && r.status !== null && r.status >= 500 && Date.parse(r.at) >= restart.from && Date.parse(r.at) <= restart.to)
          .flatMap((r) => referencesOf(r.body))
      : [];
    const verdict = checkFaultRun({
      planned,
      operations,
      providerIntents,
      providerCreates,
      outbox: rows,
      consumers: [
        { name: 'SSE client', expected: rows.map((r) => r.id), received: sse?.received ?? [] },
        { name: 'webhook receiver', expected: rows.filter((r) => deliverable.has(r.type)).map((r) => r.id), received: receiver.acknowledged },
        { name: 'accounting journal', expected: approved, received: journal, forbidden: notApproved },
      ],
      leftovers,
      resumes,
      resumeLimitMs: S.resumeLimitMs,
      kills: kills.map((k) => k.name),
      // Creates whose outcome the worker never recorded: on a SIGKILLed worker, held past its
      // timeout (g), or refused while Postgres was restarting (e).
      interrupted: [...new Set([...kills.flatMap((k) => k.operations), ...heldPastTimeout, ...refusedWhilePostgresDown])],
      idempotency,
      createMaxAttempts: 5,
      klioTasks,
      pagounoCharges,
      pagounoGroups,
      pagounoAdjustments,
    });

    const window = lostAnswerWindow as { from: number; to: number } | null;
    const lostAnswers = window
      ? requests.filter((r) => isCreate(r) && r.status === null && Date.parse(r.at) >= window.from && Date.parse(r.at) <= window.to).length
      : 0;
    const byStatus = new Map<string, number>();
    const byProvider = new Map<string, Map<string, number>>();
    for (const op of operations) {
      const counts = byProvider.get(op.provider) ?? new Map<string, number>();
      byProvider.set(op.provider, counts);
      counts.set(`${op.type} ${op.status}`, (counts.get(`${op.type} ${op.status}`) ?? 0) + 1);
      byStatus.set(`${op.type} ${op.status}`, (byStatus.get(`${op.type} ${op.status}`) ?? 0) + 1);
    }
    const countsOf = (counts: Map<string, number>) => [...counts.entries()].sort().map(([k, v]) => `${k} ${v}`).join(', ');
    // What each fault did to each provider's operations: the faults hold and fail every provider's routes.
    const providerById = new Map(operations.map((op) => [op.id, op.provider]));
    const perProvider = (items: (string | undefined)[]) => {
      const counts = new Map<string, number>();
      for (const item of items) counts.set(item ?? 'none', (counts.get(item ?? 'none') ?? 0) + 1);
      return countsOf(counts) || 'none';
    };
    const errorWindow = providerErrorWindow as { from: number; to: number } | null;
    const exposure = [
      ...kills.map((k) => `${k.name.split(':')[0]} killed-worker operations ${perProvider(k.operations.map((id) => providerById.get(id)))}`),
      `g creates held ${perProvider(heldPastTimeout.map((id) => providerById.get(id)))}`,
      `f requests answered 5xx ${perProvider(
        errorWindow
          ? requests.filter((r) => r.status !== null && r.status >= 500 && Date.parse(r.at) >= errorWindow.from && Date.parse(r.at) <= errorWindow.to).map((r) => providerOfPath(r.path))
          : [],
      )}`,
    ].join('; ');
    const summary = [
      '',
      `fault matrix: ${operations.length} operations (${countsOf(byStatus)})`,
      ...[...byProvider.entries()].sort().map(([provider, counts]) => `  ${provider}: ${[...counts.values()].reduce((a, b) => a + b, 0)} (${countsOf(counts)})`),
      `provider: ${requests.length} requests logged, ${providerCreates.length} creates, ${lostAnswers} creates answered after the worker gave up (g)`,
      `Klio: ${klioTasks.length} tasks; pagoUno: ${pagounoCharges.length} charges logged, ${pagounoGroups.length} groups, ${pagounoAdjustments.length} adjustments`,
      `faults by provider: ${exposure}`,
      `outbox: ${rows.length} events; SSE reconnects ${sse?.reconnects ?? 0}; webhook signatures refused ${receiver.rejected}`,
      `run: ${((Date.now() - started) / 1000).toFixed(0)} s`,
      ...(problems.length ? [`traffic problems: ${problems.slice(0, 10).join('; ')}`] : []),
      '',
      formatVerdict(verdict),
      '',
    ].join('\n');
    process.stdout.write(summary);
    writeFileSync(join(dir, 'summary.txt'), `${notes.join('\n')}\n${summary}`);
    // Every operation beside its plan, for a failed row whose problems the summary only samples.
    const plans = new Map(planned.map((p) => [p.id, p]));
    writeFileSync(
      join(dir, 'operations.tsv'),
      ['id\tprovider\ttype\tamount\tstatus\tfailure\tprovider_id\texpected\tplan']
        .concat(
          operations.map((op) => {
            const plan = plans.get(op.id);
            const expected = plan ? `${plan.expected}${plan.expectedFailure ? ` ${plan.expectedFailure}` : ''}` : '';
            return [op.id, op.provider, op.type, op.amount ?? '', op.status, op.failureCode ?? '', op.providerId ?? '', expected, plan?.label ?? ''].join('\t');
          }),
        )
        .join('\n') + '\n',
    );
    expect(problems).toEqual([]);
    expect(verdict.ok).toBe(true);
    passed = true;
  }, 1_800_000);
});
