// `npm run bench`: what the product costs over the bare queue it is built on, measured in one run.
//   1. Commands accepted per second at the gateway (burst, bounded concurrency), with latency.
//   2. Command → `payment.approved` on the SSE stream, at a steady rate, the sandbox answering at once.
//   3. Baseline: raw BullMQ add → processed on the same Redis, burst throughput and latency.
// Every app runs as its own process, as in production. Prints figures; asserts nothing.
// Latencies (2 and 3) are both measured at the same steady rate; throughputs (1 and 3) in a burst.
import { randomBytes } from 'node:crypto';
import { Queue, QueueEvents, Worker } from 'bullmq';
import Redis from 'ioredis';
import { readSse } from '@app/events';
import { deleteKeysWithPrefix } from '@app/jobs';
import { runMigrations } from '@app/persistence';
import { fmt, pool, sleep, startApp, stopAll, summary, waitHttp } from './bench.util';

const BURST = Number(process.env.BENCH_BURST ?? 2000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 50);
const RATE = Number(process.env.BENCH_RATE ?? 100);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const POLL_MS = process.env.BENCH_POLL_MS ?? '100';
const BASE_DB = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

function cuit(): string {
  const body = `30${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;
  const w = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2];
  const c = 11 - (w.reduce((a, x, i) => a + x * Number(body[i]), 0) % 11);
  return c === 10 ? cuit() : `${body.slice(0, 2)}-${body.slice(2)}-${c === 11 ? 0 : c}`;
}

async function main(): Promise<void> {
  const tag = `bench_${Date.now().toString(36)}`;
  const dbUrl = new URL(BASE_DB);
  dbUrl.pathname = `/${tag}`;
  await runMigrations(dbUrl.toString());
  const adminKey = `adm_${randomBytes(16).toString('hex')}`;
  const ports = { sandbox: 14010, gateway: 13000, payments: 13001 };
  const env = {
    DATABASE_URL: dbUrl.toString(),
    REDIS_URL,
    BULLMQ_PREFIX: tag,
    EVENT_STREAM_KEY: `${tag}:events`,
    ADMIN_API_KEY: adminKey,
    PAYSTORE_BASE_URL: `http://127.0.0.1:${ports.sandbox}`,
    POLL_INTERVAL_MS: POLL_MS,
    HOST: '127.0.0.1',
  };
  const children = [
    startApp('sandbox', { ...env, SANDBOX_PORT: String(ports.sandbox), SANDBOX_TAKE_DELAY_MS: '0', SANDBOX_HOST: '127.0.0.1' }),
    startApp('gateway', { ...env, PORT: String(ports.gateway) }),
  ];
  const startWorker = async () => {
    children.push(startApp('payments', { ...env, PORT: String(ports.payments) }));
    await waitHttp(`http://127.0.0.1:${ports.payments}/health/ready`);
  };
  const gw = `http://127.0.0.1:${ports.gateway}`;
  try {
    await waitHttp(`http://127.0.0.1:${ports.sandbox}/sandbox/terminals`);
    await waitHttp(`${gw}/health/ready`);

    const merchantCuit = cuit();
    const merchant = (await (
      await fetch(`${gw}/v1/admin/merchants`, {
        method: 'POST',
        headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'Bench', cuit: merchantCuit }),
      })
    ).json()) as { id: string; apiKey: string };
    const terminals = Array.from({ length: 10 }, (_, i) => String(40_000_000 + i));
    for (const t of terminals) {
      await fetch(`${gw}/v1/admin/merchants/${merchant.id}/terminals/${t}`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ provider: 'paystore' }),
      });
      await fetch(`http://127.0.0.1:${ports.sandbox}/sandbox/terminals`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ terminalId: t, cuit: merchantCuit, mode: 'auto', takeDelayMs: 0 }),
      });
    }
    const pay = async (i: number): Promise<{ id: string; status: number }> => {
      const res = await fetch(`${gw}/v1/payments`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${merchant.apiKey}`,
          'content-type': 'application/json',
          'idempotency-key': `bench-${tag}-${i}-${Math.random()}`,
        },
        body: JSON.stringify({ terminalIds: [terminals[i % terminals.length]], amount: 100000 + (i % 50) * 100, currency: 'ARS' }),
      });
      const body = (await res.json()) as { id: string };
      return { id: body.id, status: res.status };
    };

    // Warm-up: JIT, pools, tokens.
    await pool(100, 10, async (i) => void (await pay(1_000_000 + i)));
    await sleep(1000);

    // 1. Burst of commands.
    const acceptLatency: number[] = [];
    let rejected = 0;
    const t0 = performance.now();
    await pool(BURST, CONCURRENCY, async (i) => {
      const s = performance.now();
      const r = await pay(i);
      acceptLatency.push(performance.now() - s);
      if (r.status !== 202 && r.status !== 200) rejected++;
    });
    const burstSeconds = (performance.now() - t0) / 1000;
    // The gateway alone is measured above; now the worker drains the burst before the steady run.
    await startWorker();
    await drained(env.DATABASE_URL);

    // 2. Steady rate, command → payment.approved seen on the SSE stream.
    const sent = new Map<string, number>();
    const approvedLatency: number[] = [];
    const controller = new AbortController();
    const sse = await fetch(`${gw}/v1/events?types=payment.approved`, {
      headers: { authorization: `Bearer ${merchant.apiKey}` },
      signal: controller.signal,
    });
    void readSse(sse.body!, (m) => {
      const at = sent.get((JSON.parse(m.data) as { subject: string }).subject);
      if (at !== undefined) approvedLatency.push(performance.now() - at);
    });
    const total = RATE * SECONDS;
    const start = performance.now();
    const inflight: Promise<void>[] = [];
    for (let i = 0; i < total; i++) {
      const due = start + (i * 1000) / RATE;
      const now = performance.now();
      if (due > now) await sleep(due - now);
      const s = performance.now();
      inflight.push(
        pay(2_000_000 + i).then((r) => {
          sent.set(r.id, s);
        }),
      );
    }
    await Promise.all(inflight);
    const deadline = Date.now() + 30_000;
    while (approvedLatency.length < total && Date.now() < deadline) await sleep(200);
    controller.abort();

    // 3. Baseline: raw BullMQ on the same Redis.
    const baseline = await bullmqBaseline(tag);

    const accept = summary(acceptLatency);
    const approved = summary(approvedLatency);
    const productRate = BURST / burstSeconds;
    const lines = [
      '',
      `ecr-bridge benchmark  (node ${process.version}, ${new Date().toISOString()})`,
      `settings: burst ${BURST} commands at concurrency ${CONCURRENCY}; steady ${RATE}/s for ${SECONDS}s; POLL_INTERVAL_MS=${POLL_MS}; sandbox answers at once`,
      '',
      `1. gateway accepted commands     ${productRate.toFixed(0)} /s   (non-2xx: ${rejected})`,
      `   accept latency                p50 ${fmt(accept.p50)}  p95 ${fmt(accept.p95)}  p99 ${fmt(accept.p99)}`,
      `2. command → payment.approved    p50 ${fmt(approved.p50)}  p95 ${fmt(approved.p95)}  p99 ${fmt(approved.p99)}  (${approved.n}/${total} seen)`,
      `3. baseline BullMQ add (burst)   ${baseline.rate.toFixed(0)} /s`,
      `   baseline add → processed at ${RATE}/s  p50 ${fmt(baseline.latency.p50)}  p95 ${fmt(baseline.latency.p95)}  p99 ${fmt(baseline.latency.p99)}`,
      '',
      `ratios: throughput product/baseline ${(productRate / baseline.rate).toFixed(3)}; ` +
        `p50 latency product/baseline ${(approved.p50 / baseline.latency.p50).toFixed(1)}x`,
      '',
    ];
    process.stdout.write(lines.join('\n'));
  } finally {
    await stopAll(children);
    const redis = new Redis(REDIS_URL);
    await deleteKeysWithPrefix(redis, tag);
    redis.disconnect();
  }
}

/** Waits until no payment is left open (the burst has been worked off). */
async function drained(url: string): Promise<void> {
  const { DataSource } = await import('typeorm');
  const ds = new DataSource({ type: 'postgres', url });
  await ds.initialize();
  try {
    for (;;) {
      const [row] = (await ds.query(
        `SELECT count(*)::int AS n FROM operations WHERE status NOT IN ('approved','rejected','cancelled','expired','failed')`,
      )) as { n: number }[];
      if (row.n === 0) return;
      await sleep(500);
    }
  } finally {
    await ds.destroy();
  }
}

async function bullmqBaseline(tag: string): Promise<{ rate: number; latency: ReturnType<typeof summary> }> {
  const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const prefix = `${tag}-baseline`;
  const queue = new Queue('baseline', { connection, prefix });
  const addedAt = new Map<string, number>();
  const latency: number[] = [];
  let processed = 0;
  const worker = new Worker(
    'baseline',
    async (job) => {
      const at = addedAt.get(job.id!);
      if (at !== undefined) latency.push(performance.now() - at);
      processed++;
    },
    { connection: new Redis(REDIS_URL, { maxRetriesPerRequest: null }), prefix, concurrency: 50 },
  );
  const events = new QueueEvents('baseline', { connection: new Redis(REDIS_URL, { maxRetriesPerRequest: null }), prefix });
  await worker.waitUntilReady();
  const t0 = performance.now();
  await pool(BURST, CONCURRENCY, async (i) => {
    const id = `b-${i}`;
    addedAt.set(id, performance.now());
    await queue.add('noop', { i }, { jobId: id, removeOnComplete: true });
  });
  const rate = BURST / ((performance.now() - t0) / 1000);
  while (processed < BURST) await sleep(50);
  // Latency at the same steady rate as the product's, so the two are comparable.
  latency.length = 0;
  const total = RATE * SECONDS;
  const start = performance.now();
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / RATE;
    const now = performance.now();
    if (due > now) await sleep(due - now);
    const id = `s-${i}`;
    addedAt.set(id, performance.now());
    await queue.add('noop', { i }, { jobId: id, removeOnComplete: true });
  }
  while (processed < BURST + total) await sleep(50);
  await worker.close();
  await events.close();
  await queue.obliterate({ force: true });
  await queue.close();
  connection.disconnect();
  return { rate, latency: summary(latency) };
}

main().catch((err: unknown) => {
  process.stderr.write(`benchmark failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
