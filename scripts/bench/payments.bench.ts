// `npm run bench`: what the product costs, each figure beside a baseline measured in the same run.
// Every section starts its own throw-away system (database, Redis prefix, ports, apps as separate
// processes, as in production) and removes it afterwards. Prints figures; asserts nothing.
//
//   gateway   accepted commands/s and accept latency, open loop at BENCH_GATEWAY_RATE (500/s),
//             and the capacity, closed loop with BENCH_GATEWAY_CLIENTS (16,64) clients sending as
//             fast as answers come back; baseline: a bare Fastify route doing one Postgres insert
//             and one BullMQ add, under the same loads, and raw BullMQ add → processed closed loop.
//   flow      command sent → payment.approved seen by a consumer group, with the sandbox's
//             terminals answering at once (BENCH_TAKE_DELAY_MS 0), at a steady BENCH_RATE (10/s);
//             baseline: raw BullMQ add → processed at the same rate on the same Redis. In the same
//             run: accepted → intent created at the provider (same baseline) and provider final →
//             event read by a Redis Streams consumer group and by SSE (baseline: XADD → XREADGROUP).
//   inflight  open intents the payments worker holds with poll lag p99 under 1 s, stepping
//             BENCH_INFLIGHT_STEPS; memory per open intent (worker RSS/heap at N vs idle).
//   soak      BENCH_SOAK_RATE for BENCH_SOAK_SECONDS, every app's RSS/heap sampled, slopes judged.
//
// Choose sections with `npm run bench -- --only=gateway,soak` (or BENCH_ONLY); default: all.
// `--short` (or BENCH_SHORT=1) shortens every section, to check that it runs.
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { Queue, Worker } from 'bullmq';
import Redis from 'ioredis';
import { readSse } from '@app/events';
import {
  benchConfig,
  isShort,
  judgeFlat,
  lagsOf,
  mb,
  ms,
  pctRatios,
  pcts,
  ratio,
  rateWithin,
  Section,
  selectSections,
  SOAK_FLAT_RULE,
  summary,
  Summary,
  table,
} from './bench.stats';
import {
  atRate,
  BenchSystem,
  consumeGroup,
  freePort,
  log,
  meanBetween,
  Memory,
  openLoop,
  OpenLoopResult,
  pool,
  Proc,
  BASE_DB,
  closeClients,
  closedLoop,
  ClosedLoopResult,
  REDIS_URL,
  scrape,
  sleep,
  waitHttp,
} from './bench.util';

const SHORT = isShort(process.argv.slice(2), process.env);
const CFG = benchConfig(process.env, SHORT);
const POLL_MS = 1000; // the product's default POLL_INTERVAL_MS, which every section runs with
const PAYMENT_PATH = '/terminal_payments/payments';

const wallNow = () => performance.timeOrigin + performance.now();
/** [section, figure, product, baseline, ratio, note] rows of the final table. */
const rows: string[][] = [];
const row = (section: string, figure: string, product: string, baseline = '', ratioCell = '', note = '') =>
  rows.push([section, figure, product, baseline, ratioCell, note]);
const out = (line = '') => process.stdout.write(`${line}\n`);

/** CPU seconds a process has used so far (user + system), from /proc. */
function cpuSeconds(pid: number | undefined): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return Number.NaN;
  }
}

function cpuMeter(procs: Proc[]): () => string {
  const t0 = performance.now();
  const start = procs.map((p) => cpuSeconds(p.child.pid));
  const self0 = process.cpuUsage();
  return () => {
    const s = (performance.now() - t0) / 1000;
    const self = process.cpuUsage(self0);
    const parts = procs.map((p, i) => `${p.name} ${((100 * (cpuSeconds(p.child.pid) - start[i])) / s).toFixed(0)}%`);
    parts.push(`bench client ${((100 * (self.user + self.system)) / 1e6 / s).toFixed(0)}%`);
    return `CPU (100% = one core): ${parts.join(', ')}`;
  };
}

function describeOpenLoop(label: string, r: OpenLoopResult): Summary {
  const lat = summary(r.latency);
  const lag = summary(r.sendLag);
  const errs = Object.entries(r.errors)
    .map(([k, v]) => `${k}×${v}`)
    .join(' ');
  out(`  ${label}: offered ${r.offered}/s × ${r.sent}; accepted ${r.ok} at ${r.achievedRate.toFixed(0)}/s; errors ${errs || 'none'}`);
  out(`    latency from scheduled send: ${pcts(lat)} max ${ms(lat.max)}; sender lag p99 ${ms(lag.p99)}`);
  return lat;
}

function describeClosedLoop(label: string, r: ClosedLoopResult): Summary {
  const lat = summary(r.latency);
  const errs = Object.entries(r.errors)
    .map(([k, v]) => `${k}×${v}`)
    .join(' ');
  out(`  ${label}: ${r.clients} clients × ${r.seconds}s measured; accepted ${r.ok} at ${r.rate.toFixed(0)}/s; errors ${errs || 'none'}`);
  out(`    latency send → answer: ${pcts(lat)} max ${ms(lat.max)}`);
  return lat;
}

const closedWarmup = (seconds: number) => Math.min(3, seconds / 5);

/** The client count whose closed loop accepted the most per second. */
const bestOf = (runs: ClosedLoopResult[]): ClosedLoopResult => runs.reduce((a, b) => (b.rate > a.rate ? b : a));

/** One closed loop per client count against `send`, each preceded by its warm-up. */
async function closedLoops(label: string, send: (i: number) => Promise<{ status: number }>, cpuOf: Proc[]): Promise<ClosedLoopResult[]> {
  const runs: ClosedLoopResult[] = [];
  for (const clients of CFG.gatewayClients) {
    const warm = closedWarmup(CFG.gatewayClosedSeconds);
    const cpu = cpuMeter(cpuOf);
    const r = await closedLoop(clients, CFG.gatewayClosedSeconds - warm, warm, send);
    describeClosedLoop(`${label}, closed loop`, r);
    out(`    ${cpu()} (warm-up included)`);
    runs.push(r);
    await sleep(1000);
  }
  return runs;
}

// ---------------------------------------------------------------------------------------------
// 1. Gateway accept rate and latency, open loop and closed loop, against a bare Fastify + insert
//    + add, and raw BullMQ add → processed.

async function gatewaySection(): Promise<void> {
  out(
    `\n== 1. gateway: open loop at ${CFG.gatewayRate}/s for ${CFG.gatewaySeconds}s; closed loop with ${CFG.gatewayClients.join(', ')} clients ` +
      `for ${CFG.gatewayClosedSeconds}s each (the first ${closedWarmup(CFG.gatewayClosedSeconds)}s not counted); payments worker not running ==`,
  );
  const sys = await BenchSystem.start({ apps: ['gateway'], terminals: 10 });
  try {
    const gateway = sys.procs.get('gateway')!;
    await pool(300, 10, async (i) => void (await sys.pay(1_000_000 + i)));
    await sleep(1000);
    let cpu = cpuMeter([gateway]);
    const m0 = await scrape(`${sys.gw}/metrics`);
    const product = await openLoop(CFG.gatewayRate, CFG.gatewaySeconds, (i) => sys.pay(i));
    const m1 = await scrape(`${sys.gw}/metrics`);
    const productLat = describeOpenLoop('gateway POST /v1/payments, open loop', product);
    out(`    ${cpu()}`);
    const served = meanBetween(m0, m1, 'http_request_duration_seconds');
    out(`    inside the gateway (http_request_duration_seconds): mean ${ms(served.mean)} over ${served.count} requests; the rest of the latency is waiting for a socket or the event loop`);
    await sleep(2000);
    const productClosed = await closedLoops('gateway POST /v1/payments', (i) => sys.pay(2_000_000 + i), [gateway]);

    const port = await freePort();
    const bare = sys.adopt(
      Proc.start('bare-fastify', join(__dirname, 'baseline.server.js'), { ...sys.env, BULLMQ_PREFIX: `${sys.tag}-bare`, PORT: String(port) }),
    );
    const base = `http://127.0.0.1:${port}`;
    await waitHttp(`${base}/health`);
    await pool(300, 10, async (i) => void (await sys.pay(1_000_000 + i, { base })));
    await sleep(1000);
    cpu = cpuMeter([bare]);
    const baseline = await openLoop(CFG.gatewayRate, CFG.gatewaySeconds, (i) => sys.pay(i, { base }));
    const baseLat = describeOpenLoop('baseline Fastify + INSERT + queue.add, open loop', baseline);
    out(`    ${cpu()}`);
    await sleep(2000);
    const baseClosed = await closedLoops('baseline Fastify + INSERT + queue.add', (i) => sys.pay(2_000_000 + i, { base }), [bare]);
    await bare.stop();

    const clients = Math.max(...CFG.gatewayClients);
    const raw = await bullmqCapacity(sys.tag, clients, CFG.gatewayClosedSeconds);
    out(
      `  baseline raw BullMQ, closed loop: ${clients} clients each awaiting queue.add, a worker (concurrency 50) in this process; ` +
        `${raw.processed} processed at ${raw.rate.toFixed(0)}/s`,
    );

    const notify = await notifyProbe(sys.dbUrl);
    out(
      `  Postgres commits/s on the same database, 10 connections, 1000 each: INSERT ${notify.plain.toFixed(0)}/s; ` +
        `INSERT + pg_notify in the same transaction (what every command and event write does) ${notify.notify.toFixed(0)}/s`,
    );
    const pBest = bestOf(productClosed);
    const bBest = bestOf(baseClosed);
    out(
      `  capacity (closed loop, best client count): gateway ${pBest.rate.toFixed(0)}/s at ${pBest.clients} clients; ` +
        `bare route ${bBest.rate.toFixed(0)}/s at ${bBest.clients} (${ratio(pBest.rate, bBest.rate)}); raw BullMQ ${raw.rate.toFixed(0)}/s (${ratio(pBest.rate, raw.rate)})`,
    );
    const errs = (r: OpenLoopResult) => String(Object.values(r.errors).reduce((a, b) => a + b, 0));
    const rate = (v: number) => `${v.toFixed(0)}/s`;
    row('1 gateway', `accepted/s, open loop at ${CFG.gatewayRate}/s offered`, rate(product.achievedRate), rate(baseline.achievedRate), ratio(product.achievedRate, baseline.achievedRate), 'baseline: bare Fastify + INSERT + add');
    row('1 gateway', 'open loop: errors', errs(product), errs(baseline), '', `of ${product.sent}`);
    row('1 gateway', 'open loop: accept latency p50', ms(productLat.p50), ms(baseLat.p50), ratio(productLat.p50, baseLat.p50), 'from the scheduled send');
    row('1 gateway', 'open loop: accept latency p95', ms(productLat.p95), ms(baseLat.p95), ratio(productLat.p95, baseLat.p95));
    row('1 gateway', 'open loop: accept latency p99', ms(productLat.p99), ms(baseLat.p99), ratio(productLat.p99, baseLat.p99));
    for (const [k, r] of productClosed.entries()) {
      const b = baseClosed[k];
      const pl = summary(r.latency);
      const bl = summary(b.latency);
      row('1 gateway', `capacity: accepted/s, closed loop ${r.clients} clients`, rate(r.rate), rate(b.rate), ratio(r.rate, b.rate), 'baseline: bare Fastify + INSERT + add');
      row('1 gateway', `closed loop ${r.clients} clients: latency p50/p99`, `${ms(pl.p50)} / ${ms(pl.p99)}`, `${ms(bl.p50)} / ${ms(bl.p99)}`, `${ratio(pl.p50, bl.p50)} / ${ratio(pl.p99, bl.p99)}`);
    }
    row('1 gateway', 'capacity: best accepted/s, closed loop', rate(pBest.rate), rate(raw.rate), ratio(pBest.rate, raw.rate), `baseline: raw BullMQ add → processed, ${clients} clients`);
    row('1 gateway', 'Postgres commits/s with NOTIFY', notify.notify.toFixed(0), notify.plain.toFixed(0), ratio(notify.notify, notify.plain), 'baseline: the same INSERT without NOTIFY');
  } finally {
    await sys.stop();
  }
}

/**
 * Raw BullMQ on the same Redis, closed loop: `clients` lanes each awaiting `queue.add` and adding
 * the next at once, a worker (concurrency 50, as the payments worker) in this process; jobs
 * processed per second after the warm-up.
 */
async function bullmqCapacity(tag: string, clients: number, seconds: number): Promise<{ processed: number; rate: number }> {
  const prefix = `${tag}-capacity`;
  const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const queue = new Queue('capacity', { connection, prefix });
  const processedAt: number[] = [];
  const workerConnection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const worker = new Worker('capacity', async () => void processedAt.push(performance.now()), {
    connection: workerConnection,
    prefix,
    concurrency: 50,
  });
  try {
    await worker.waitUntilReady();
    const warm = closedWarmup(seconds);
    const t0 = performance.now();
    const from = t0 + warm * 1000;
    const to = t0 + seconds * 1000;
    let i = 0;
    await Promise.all(
      Array.from({ length: clients }, async () => {
        while (performance.now() < to) await queue.add('noop', { i: i++ }, { removeOnComplete: true, removeOnFail: true });
      }),
    );
    const rate = rateWithin(processedAt, from, to);
    return { processed: Math.round(rate * (seconds - warm)), rate };
  } finally {
    await worker.close(true);
    await queue.obliterate({ force: true });
    await queue.close();
    connection.disconnect();
    workerConnection.disconnect();
  }
}

/**
 * Commit throughput of a one-row INSERT with and without a NOTIFY in the same transaction. Postgres
 * serialises the commits of notifying transactions (one cluster-wide lock held through the commit
 * record's flush), so this shows what the outbox's wake-up costs on this machine.
 */
async function notifyProbe(dbUrl: string): Promise<{ plain: number; notify: number }> {
  const { Pool } = await import('pg');
  const db = new Pool({ connectionString: dbUrl, max: 10 });
  try {
    await db.query('CREATE TABLE IF NOT EXISTS bench_notify_probe (id bigserial PRIMARY KEY, v text)');
    const run = async (sql: string) => {
      const n = 1000;
      let i = 0;
      const t0 = performance.now();
      await Promise.all(
        Array.from({ length: 10 }, async () => {
          while (i++ < n) await db.query(sql);
        }),
      );
      return n / ((performance.now() - t0) / 1000);
    };
    const plainSql = `INSERT INTO bench_notify_probe (v) VALUES ('x')`;
    const notifySql = `WITH e AS (INSERT INTO bench_notify_probe (v) VALUES ('x') RETURNING 1) SELECT pg_notify('bench_probe', '') FROM e`;
    await run(plainSql);
    const plain = await run(plainSql);
    const notify = await run(notifySql);
    return { plain, notify };
  } finally {
    await db.end();
  }
}

/** Round trips to the services right now, from this process: how loaded the machine is. */
async function infraProbe(): Promise<string> {
  const { Client } = await import('pg');
  const pg = new Client({ connectionString: BASE_DB });
  await pg.connect();
  const redis = new Redis(REDIS_URL);
  const pgLat: number[] = [];
  const redisLat: number[] = [];
  try {
    for (let i = 0; i < 200; i++) {
      let t = performance.now();
      await pg.query('SELECT 1');
      pgLat.push(performance.now() - t);
      t = performance.now();
      await redis.ping();
      redisLat.push(performance.now() - t);
    }
  } finally {
    await pg.end();
    redis.disconnect();
  }
  const p = summary(pgLat);
  const r = summary(redisLat);
  const h = await httpProbe();
  return (
    `Postgres SELECT 1 p50 ${ms(p.p50)} p99 ${ms(p.p99)}; Redis PING p50 ${ms(r.p50)} p99 ${ms(r.p99)}; ` +
    `GET to a trivial local HTTP server: node:http p50 ${ms(h.http.p50)} p99 ${ms(h.http.p99)}, fetch p50 ${ms(h.fetch.p50)} p99 ${ms(h.fetch.p99)}`
  );
}

/** One round trip to a do-nothing HTTP server in this process, by node:http (keep-alive) and by fetch (as the provider client does). */
async function httpProbe(): Promise<{ http: Summary; fetch: Summary }> {
  const http = await import('node:http');
  const server = http.createServer((_req, res) => res.end('{}'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/`;
  const agent = new http.Agent({ keepAlive: true });
  const viaHttp = () =>
    new Promise<void>((resolve, reject) =>
      http.get(url, { agent }, (res) => res.resume().on('end', () => resolve())).on('error', reject),
    );
  const viaFetch = async () => void (await (await fetch(url)).text());
  const time = async (fn: () => Promise<void>) => {
    const lat: number[] = [];
    for (let i = 0; i < 100; i++) {
      const t = performance.now();
      await fn();
      lat.push(performance.now() - t);
    }
    return summary(lat);
  };
  try {
    await time(viaFetch);
    return { http: await time(viaHttp), fetch: await time(viaFetch) };
  } finally {
    agent.destroy();
    server.closeAllConnections();
    server.close();
  }
}

// ---------------------------------------------------------------------------------------------
// 2 and 3. Accepted → intent created at the provider; provider final → event at a consumer.

async function flowSection(): Promise<void> {
  const { flowRate: rate, flowSeconds: seconds, flowTakeDelayMs: take } = CFG;
  out(
    `\n== 2-3 and end to end. flow: ${rate}/s for ${seconds}s; terminals automatic, takeDelayMs ${take}${take === 0 ? ' (the sandbox answers at once)' : ''}; ` +
      `POLL_INTERVAL_MS ${POLL_MS} ==`,
  );
  const sys = await BenchSystem.start({ apps: ['sandbox', 'gateway', 'payments'], terminals: 10, mode: 'auto', takeDelayMs: take });
  const groupAt = new Map<string, number>();
  const sseAt = new Map<string, number>();
  const consumer = consumeGroup(sys.eventStream, (f, at) => {
    if (f.type === 'payment.approved' && !groupAt.has(f.subject)) groupAt.set(f.subject, at);
  });
  const controller = new AbortController();
  let pump: Promise<void> = Promise.resolve();
  try {
    await consumer.ready;
    const sse = await fetch(`${sys.gw}/v1/events?types=payment.approved`, {
      headers: { authorization: `Bearer ${sys.merchant.apiKey}`, accept: 'text/event-stream' },
      signal: controller.signal,
    });
    pump = readSse(sse.body!, (m) => {
      const subject = (JSON.parse(m.data) as { subject: string }).subject;
      if (!sseAt.has(subject)) sseAt.set(subject, wallNow());
    }).catch(() => undefined);

    // Warm-up: JIT, pools, the provider token.
    const warm: string[] = [];
    await pool(100, 10, async (i) => void warm.push((await sys.pay(1_000_000 + i)).id));
    await waitUntil(() => warm.every((id) => groupAt.has(id)), 30_000);
    await sys.clearRequestLog();

    const ids: string[] = [];
    /** When each accepted command's HTTP request was sent (this process's clock, as the consumers' readings). */
    const sentAt = new Map<string, number>();
    let errors = 0;
    const sends: Promise<void>[] = [];
    const procs = [...sys.procs.values()];
    const cpu = cpuMeter(procs);
    const metricsUrl = `http://127.0.0.1:${sys.ports.payments}/metrics`;
    const m0 = await scrape(metricsUrl);
    await atRate(rate, seconds, (i) => {
      const t = wallNow();
      sends.push(
        sys.pay(i).then(
          (r) => {
            if (r.status !== 202) return void errors++;
            ids.push(r.id);
            sentAt.set(r.id, t);
          },
          () => void errors++,
        ),
      );
    });
    await Promise.all(sends);
    await waitUntil(() => ids.every((id) => groupAt.has(id) && sseAt.has(id)), 60_000);
    const cpuLine = cpu();
    const m1 = await scrape(metricsUrl);
    const step = meanBetween(m0, m1, 'ecr_job_step_seconds');
    const call = meanBetween(m0, m1, 'ecr_provider_call_seconds');

    const ops = await sys.query<{ id: string; provider_id: string | null; created: number }>(
      `SELECT id, provider_id, (extract(epoch FROM created_at) * 1000)::float8 AS created FROM operations`,
    );
    const entries = await sys.requestLog();
    const createAt = new Map<string, number>();
    const lastLook = new Map<string, number>();
    for (const e of entries) {
      const at = Date.parse(e.at);
      if (e.method === 'POST' && e.path.endsWith(PAYMENT_PATH)) {
        const ref = (e.body as { payment_request_data?: { ecr_transaction_id?: string } })?.payment_request_data?.ecr_transaction_id;
        if (ref && !createAt.has(ref)) createAt.set(ref, at);
        if (ref) lastLook.set(ref, Math.max(lastLook.get(ref) ?? 0, at));
      }
    }
    const byProvider = new Map(ops.filter((o) => o.provider_id).map((o) => [o.provider_id!, o.id]));
    for (const e of entries) {
      if (e.method !== 'GET' || !e.path.includes(`${PAYMENT_PATH}/`)) continue;
      const id = byProvider.get(e.path.slice(e.path.lastIndexOf('/') + 1));
      if (id) lastLook.set(id, Math.max(lastLook.get(id) ?? 0, Date.parse(e.at)));
    }
    const sent = new Set(ids);
    const acceptToCreate: number[] = [];
    const lookToGroup: number[] = [];
    const lookToSse: number[] = [];
    const finalToGroup: number[] = [];
    const acceptToGroup: number[] = [];
    const sentToGroup: number[] = [];
    const sentToSse: number[] = [];
    for (const o of ops) {
      if (!sent.has(o.id)) continue;
      const c = createAt.get(o.id);
      const g = groupAt.get(o.id);
      const s = sseAt.get(o.id);
      const look = lastLook.get(o.id);
      if (c !== undefined) acceptToCreate.push(c - o.created);
      if (look !== undefined && g !== undefined) lookToGroup.push(g - look);
      if (look !== undefined && s !== undefined) lookToSse.push(s - look);
      if (c !== undefined && g !== undefined) finalToGroup.push(g - (c + 2 * take));
      if (g !== undefined) acceptToGroup.push(g - o.created);
      const t = sentAt.get(o.id);
      if (t !== undefined && g !== undefined) sentToGroup.push(g - t);
      if (t !== undefined && s !== undefined) sentToSse.push(s - t);
    }

    const queueBase = await bullmqBaseline(sys.tag, rate, seconds);
    const streamBase = await streamBaseline(`${sys.tag}:baseline-stream`, rate, seconds);

    const a2c = summary(acceptToCreate);
    const l2g = summary(lookToGroup);
    const l2s = summary(lookToSse);
    const f2g = summary(finalToGroup);
    const a2g = summary(acceptToGroup);
    const s2g = summary(sentToGroup);
    const s2s = summary(sentToSse);
    out(`  sent ${ids.length + errors}, accepted ${ids.length}, errors ${errors}; approved seen by the group ${ids.filter((id) => groupAt.has(id)).length}, by SSE ${ids.filter((id) => sseAt.has(id)).length}`);
    out(`  end to end: command sent (HTTP request) → payment.approved read by the consumer group: ${pcts(s2g)} max ${ms(s2g.max)}`);
    out(`     baseline raw BullMQ add → processed at ${rate}/s on the same Redis: ${pcts(queueBase)}; ratio ${pctRatios(s2g, queueBase)}`);
    out(`     same → payment.approved on SSE: ${pcts(s2s)}`);
    out(`     accepted (row created_at) → payment.approved at the consumer group: ${pcts(a2g)}`);
    out(`  2. accepted (row created_at) → intent create arrives at the provider: ${pcts(a2c)} max ${ms(a2c.max)}`);
    out(`     baseline BullMQ add → processed at ${rate}/s: ${pcts(queueBase)}; ratio ${pctRatios(a2c, queueBase)}`);
    out(`  3. provider answer that showed the final status → payment.approved read by the consumer group: ${pcts(l2g)}`);
    out(`     same → payment.approved on SSE: ${pcts(l2s)}`);
    out(`     baseline XADD → XREADGROUP at ${rate}/s: ${pcts(streamBase)}; ratio ${pctRatios(l2g, streamBase)}`);
    out(`     intent final at the provider (create + 2 × takeDelayMs) → consumer group, poll wait included: ${pcts(f2g)}`);
    out(`  ${cpuLine}`);
    out(`  payments worker: ${step.count} job steps, mean ${ms(step.mean)}; ${call.count} provider calls, mean ${ms(call.mean)}`);
    const e2eNote = `${rate}/s, takeDelayMs ${take}; baseline: raw BullMQ add → processed, same rate`;
    for (const k of ['p50', 'p95', 'p99'] as const) {
      row('end to end', `command sent → payment.approved ${k}`, ms(s2g[k]), ms(queueBase[k]), ratio(s2g[k], queueBase[k]), k === 'p50' ? e2eNote : '');
    }
    row('end to end', 'command sent → approved on SSE p50/p99', `${ms(s2s.p50)} / ${ms(s2s.p99)}`);
    for (const k of ['p50', 'p95', 'p99'] as const) {
      row('2 provider', `accepted → intent created ${k}`, ms(a2c[k]), ms(queueBase[k]), ratio(a2c[k], queueBase[k]), k === 'p50' ? 'baseline: BullMQ add → processed' : '');
    }
    for (const k of ['p50', 'p95', 'p99'] as const) {
      row('3 events', `provider final → group ${k}`, ms(l2g[k]), ms(streamBase[k]), ratio(l2g[k], streamBase[k]), k === 'p50' ? 'baseline: XADD → XREADGROUP' : '');
    }
    row('3 events', 'provider final → SSE p50/p99', `${ms(l2s.p50)} / ${ms(l2s.p99)}`);
    row('3 events', 'final incl. poll wait → group p50/p99', `${ms(f2g.p50)} / ${ms(f2g.p99)}`, '', '', `POLL_INTERVAL_MS ${POLL_MS}`);
  } finally {
    controller.abort();
    await pump;
    await consumer.stop();
    await sys.stop();
  }
}

async function waitUntil(done: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) return false;
    await sleep(200);
  }
  return true;
}

/** Raw BullMQ on the same Redis: add → processed latency at a steady rate, worker in this process. */
async function bullmqBaseline(tag: string, rate: number, seconds: number): Promise<Summary> {
  const prefix = `${tag}-baseline`;
  const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const queue = new Queue('baseline', { connection, prefix });
  const addedAt = new Map<string, number>();
  const latency: number[] = [];
  const workerConnection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const worker = new Worker(
    'baseline',
    async (job) => {
      const at = addedAt.get(job.id!);
      if (at !== undefined) latency.push(performance.now() - at);
    },
    { connection: workerConnection, prefix, concurrency: 50 },
  );
  await worker.waitUntilReady();
  const warm = 100;
  await atRate(rate, warm / rate, (i) => {
    addedAt.set(`w-${i}`, performance.now());
    void queue.add('noop', { i }, { jobId: `w-${i}`, removeOnComplete: true });
  });
  await waitUntil(() => latency.length >= warm, 10_000);
  latency.length = 0;
  const total = Math.round(rate * seconds);
  await atRate(rate, seconds, (i) => {
    addedAt.set(`s-${i}`, performance.now());
    void queue.add('noop', { i }, { jobId: `s-${i}`, removeOnComplete: true });
  });
  await waitUntil(() => latency.length >= total, 30_000);
  await worker.close();
  await queue.obliterate({ force: true });
  await queue.close();
  connection.disconnect();
  workerConnection.disconnect();
  return summary(latency);
}

/** Raw Redis Streams: XADD → XREADGROUP latency at a steady rate. */
async function streamBaseline(key: string, rate: number, seconds: number): Promise<Summary> {
  const producer = new Redis(REDIS_URL);
  const latency: number[] = [];
  let measuring = false;
  const consumer = consumeGroup(key, (f, at) => {
    if (measuring) latency.push(at - Number(f.t));
  });
  await consumer.ready;
  await atRate(rate, 2, (i) => void producer.xadd(key, '*', 't', String(wallNow()), 'i', String(i)));
  await sleep(500);
  measuring = true;
  const total = Math.round(rate * seconds);
  await atRate(rate, seconds, (i) => void producer.xadd(key, '*', 't', String(wallNow()), 'i', String(i)));
  await waitUntil(() => latency.length >= total, 10_000);
  await consumer.stop();
  await producer.del(key);
  producer.disconnect();
  return summary(latency);
}

// ---------------------------------------------------------------------------------------------
// 4 and 5. Open intents held by the payments worker, poll lag, memory per open intent.

async function inflightSection(): Promise<void> {
  const { inflightSteps: steps, inflightWindowSeconds: window, fillRate } = CFG;
  out(`\n== 4-5. in-flight intents: steps ${steps.join(', ')}; terminals manual (intents stay open); window ${window}s per step ==`);
  const sys = await BenchSystem.start({
    apps: ['sandbox', 'gateway', 'payments'],
    terminals: 20,
    mode: 'manual',
    sandboxEnv: { SANDBOX_REQUEST_LOG_LIMIT: '1000000' },
  });
  const redis = new Redis(REDIS_URL);
  try {
    const payments = sys.procs.get('payments')!;
    const sandbox = sys.procs.get('sandbox')!;
    await pool(50, 10, async (i) => void (await sys.pay(1_000_000 + i, { expiresInSeconds: 900 })));
    await waitPending(sys, 50, 30_000);
    await sleep(3000);
    const idle = await steadyMemory(payments);
    const sandboxIdle = await sandbox.memory(true);
    let open = 50;
    out(`  idle (${open} open intents): payments worker RSS ${mb(idle.rss)} heap ${mb(idle.heapUsed)}`);
    let best = 0;
    let failedAt = 0;
    let sent = 0;
    const plan = [...steps];
    for (let k = 0; k < plan.length; k++) {
      const n = plan[k];
      if (n <= open) continue;
      const fill = n - open;
      const t0 = Date.now();
      let errors = 0;
      const sends: Promise<void>[] = [];
      await atRate(fillRate, fill / fillRate, () =>
        sends.push(
          sys.pay(sent++, { expiresInSeconds: 900 }).then(
            (r) => void (r.status === 202 ? undefined : errors++),
            () => void errors++,
          ),
        ),
      );
      await Promise.all(sends);
      const reached = await waitPending(sys, n - errors, 180_000);
      open = reached;
      out(`  step ${n}: filled in ${((Date.now() - t0) / 1000).toFixed(0)}s (${errors} errors); ${reached} intents open and polled`);
      await sleep(5000);
      await sys.clearRequestLog();
      const cpu = cpuMeter([payments, sandbox, sys.procs.get('gateway')!]);
      const metricsUrl = `http://127.0.0.1:${sys.ports.payments}/metrics`;
      const m0 = await scrape(metricsUrl);
      const w0 = Date.now();
      await sleep(window * 1000);
      const cpuLine = cpu();
      const m1 = await scrape(metricsUrl);
      const step = meanBetween(m0, m1, 'ecr_job_step_seconds');
      const call = meanBetween(m0, m1, 'ecr_provider_call_seconds');
      const loopLag = (m1.get('nodejs_eventloop_lag_p99_seconds') ?? Number.NaN) * 1000;
      const wSeconds = (Date.now() - w0) / 1000;
      const gets = (await sys.requestLog('GET')).filter((e) => e.path.includes(`${PAYMENT_PATH}/`));
      const byIntent = new Map<string, number[]>();
      for (const e of gets) {
        const id = e.path.slice(e.path.lastIndexOf('/') + 1);
        const list = byIntent.get(id) ?? [];
        list.push(Date.parse(e.at));
        byIntent.set(id, list);
      }
      const lags: number[] = [];
      for (const times of byIntent.values()) lags.push(...lagsOf(times, POLL_MS));
      const unpolled = Math.max(0, reached - [...byIntent.values()].filter((t) => t.length >= 2).length);
      const lag = summary(lags);
      const mem = await steadyMemory(payments);
      const sbx = await sandbox.memory(true);
      const jobBytes = await sampleJobBytes(redis, sys.tag);
      const added = Math.max(1, reached - 50);
      const perRss = (mem.rss - idle.rss) / added;
      const perHeap = (mem.heapUsed - idle.heapUsed) / added;
      const perSandbox = (sbx.heapUsed - sandboxIdle.heapUsed) / added;
      out(
        `    polls ${gets.length} in ${wSeconds.toFixed(0)}s (${(gets.length / wSeconds).toFixed(0)}/s, ideal ${reached}/s); ` +
          `poll lag ${pcts(lag)} max ${ms(lag.max)}; intents polled < 2 times: ${unpolled}`,
      );
      out(
        `    payments worker RSS ${mb(mem.rss)} heap ${mb(mem.heapUsed)} → per open intent RSS ${(perRss / 1024).toFixed(2)} KB, heap ${(perHeap / 1024).toFixed(2)} KB; ` +
          `sandbox heap per intent ${(perSandbox / 1024).toFixed(2)} KB; Redis per job hash ~${(jobBytes / 1024).toFixed(2)} KB`,
      );
      out(`    ${cpuLine}`);
      out(
        `    worker: ${step.count} steps, mean ${ms(step.mean)} each, of which the provider GET mean ${ms(call.mean)}; ` +
          `event loop lag p99 ${ms(loopLag)}`,
      );
      const pass = reached >= n * 0.99 && unpolled === 0 && lag.p99 < 1000;
      row(
        '4 in-flight',
        `${n} open: poll lag p50/p95/p99`,
        `${ms(lag.p50)} / ${ms(lag.p95)} / ${ms(lag.p99)}`,
        '',
        '',
        `${(gets.length / wSeconds).toFixed(0)} polls/s of ${reached}${pass ? '' : '; FAILS p99 < 1 s'}${failedAt ? ' (memory step)' : ''}`,
      );
      row(
        '5 memory',
        `${reached} open: worker RSS / heap per intent`,
        `${(perRss / 1024).toFixed(2)} KB / ${(perHeap / 1024).toFixed(2)} KB`,
        '',
        '',
        `sandbox heap ${(perSandbox / 1024).toFixed(2)} KB, Redis job hash ~${(jobBytes / 1024).toFixed(2)} KB`,
      );
      if (failedAt) break;
      if (pass) {
        best = n;
        continue;
      }
      failedAt = n;
      // Stepping stops here; memory per intent is still worth one larger reading.
      if (open < CFG.memoryIntents * 0.99) {
        out(`  stepping stops at ${n}; one more step to ${CFG.memoryIntents} for memory per intent`);
        plan.splice(k + 1, plan.length, CFG.memoryIntents);
      } else break;
    }
    row(
      '4 in-flight',
      'max open intents with poll lag p99 < 1 s',
      best ? String(best) : `< ${steps[0]}`,
      '',
      '',
      failedAt ? `largest step that passed; ${failedAt} failed` : 'every step passed',
    );
    out(`  largest step with poll lag p99 < 1 s: ${best || 'none'}`);
  } finally {
    redis.disconnect();
    await sys.stop();
  }
}

async function openOperations(sys: BenchSystem): Promise<number> {
  const [r] = await sys.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM operations WHERE status NOT IN ('approved','rejected','cancelled','expired','failed')`,
  );
  return r.n;
}

async function waitPending(sys: BenchSystem, n: number, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [r] = await sys.query<{ n: number }>(`SELECT count(*)::int AS n FROM operations WHERE status = 'pending'`);
    if (r.n >= n || Date.now() > deadline) return r.n;
    await sleep(1000);
  }
}

/** The smallest of three post-GC readings a second apart (a reading can land mid-step). */
async function steadyMemory(p: Proc): Promise<Memory> {
  const readings: Memory[] = [];
  for (let i = 0; i < 3; i++) {
    readings.push(await p.memory(true));
    await sleep(1000);
  }
  return readings.reduce((a, b) => (b.heapUsed < a.heapUsed ? b : a));
}

/** Average MEMORY USAGE of up to 50 delayed job hashes of the payments queue. */
async function sampleJobBytes(redis: Redis, tag: string): Promise<number> {
  const ids = await redis.zrange(`${tag}:payments:delayed`, 0, 49);
  if (ids.length === 0) return Number.NaN;
  let total = 0;
  for (const id of ids) total += Number((await redis.memory('USAGE', `${tag}:payments:${id}`)) ?? 0);
  return total / ids.length;
}

// ---------------------------------------------------------------------------------------------
// 6. Soak: steady rate, every app's memory sampled, slopes judged.

async function soakSection(): Promise<void> {
  const { soakRate: rate, soakSeconds: seconds, soakSampleSeconds: every } = CFG;
  out(`\n== 6. soak: ${rate}/s for ${seconds}s, memory sampled every ${every}s (after a full GC) ==`);
  const sys = await BenchSystem.start({
    apps: ['sandbox', 'gateway', 'payments'],
    terminals: 10,
    mode: 'auto',
    takeDelayMs: 300,
    sandboxEnv: { SANDBOX_REQUEST_LOG_LIMIT: '1000' },
  });
  let approved = 0;
  const consumer = consumeGroup(sys.eventStream, (f) => void (f.type === 'payment.approved' && approved++));
  const controller = new AbortController();
  let sseApproved = 0;
  let pump: Promise<void> = Promise.resolve();
  const procs = [...sys.procs.values()];
  const series = new Map<string, { t: number; rss: number; heap: number }[]>(procs.map((p) => [p.name, []]));
  try {
    await consumer.ready;
    const sse = await fetch(`${sys.gw}/v1/events?types=payment.approved`, {
      headers: { authorization: `Bearer ${sys.merchant.apiKey}`, accept: 'text/event-stream' },
      signal: controller.signal,
    });
    pump = readSse(sse.body!, () => void sseApproved++).catch(() => undefined);
    let accepted = 0;
    let errors = 0;
    const t0 = performance.now();
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const t = (performance.now() - t0) / 1000;
        for (const p of procs) {
          const m = await p.memory(true).catch(() => null);
          if (m) series.get(p.name)!.push({ t, rss: m.rss, heap: m.heapUsed });
        }
        const next = t0 + (Math.floor((performance.now() - t0) / 1000 / every) + 1) * every * 1000;
        while (sampling && performance.now() < next) await sleep(Math.min(500, next - performance.now()));
      }
    })();
    const cpu = cpuMeter(procs);
    const sends: Promise<void>[] = [];
    await atRate(rate, seconds, (i) =>
      sends.push(
        sys.pay(i).then(
          (r) => void (r.status === 202 ? accepted++ : errors++),
          () => void errors++,
        ),
      ),
    );
    await Promise.all(sends);
    const cpuLine = cpu();
    sampling = false;
    await sampler;
    const backlogAtEnd = await openOperations(sys);
    await waitUntil(() => approved >= accepted, 60_000);
    out(
      `  sent ${rate * seconds}; accepted ${accepted}; errors ${errors}; payments still open when the last answer came ${backlogAtEnd}; ` +
        `payment.approved at the group ${approved}, on SSE ${sseApproved} (after up to 60 s more)`,
    );
    out(`  ${cpuLine}`);
    const names = procs.map((p) => p.name);
    const header = ['t (s)', ...names.flatMap((n) => [`${n} RSS MB`, `${n} heap MB`])];
    const n = Math.min(...names.map((nm) => series.get(nm)!.length));
    const lines: string[][] = [header];
    for (let i = 0; i < n; i++) {
      const cells = [series.get(names[0])![i].t.toFixed(0)];
      for (const nm of names) {
        const s = series.get(nm)![i];
        cells.push((s.rss / 2 ** 20).toFixed(1), (s.heap / 2 ** 20).toFixed(1));
      }
      lines.push(cells);
    }
    out(table(lines).replace(/^/gm, '  '));
    const rule = { ...SOAK_FLAT_RULE, warmupSeconds: Math.min(SOAK_FLAT_RULE.warmupSeconds, Math.round(seconds / 5)) };
    out(
      `  rule: "flat" = least-squares slope over the samples after the first ${rule.warmupSeconds}s (warm-up) at most ` +
        `${rule.maxMbPerMin} MB/min for the heap after a full GC and ${2 * rule.maxMbPerMin} MB/min for RSS`,
    );
    for (const nm of names) {
      const s = series.get(nm)!;
      const heap = judgeFlat(
        s.map((x) => ({ t: x.t, bytes: x.heap })),
        rule,
      );
      const rss = judgeFlat(
        s.map((x) => ({ t: x.t, bytes: x.rss })),
        { ...rule, maxMbPerMin: rule.maxMbPerMin * 2 },
      );
      const first = s[0];
      const last = s[s.length - 1];
      const verdict = heap.flat && rss.flat ? 'flat' : 'GROWING';
      out(
        `  ${nm}: heap ${mb(first?.heap)} → ${mb(last?.heap)} slope ${heap.mbPerMin.toFixed(3)} MB/min; ` +
          `RSS ${mb(first?.rss)} → ${mb(last?.rss)} slope ${rss.mbPerMin.toFixed(3)} MB/min: ${verdict}`,
      );
      row(
        '6 soak',
        `${nm} heap / RSS slope`,
        `${heap.mbPerMin.toFixed(3)} / ${rss.mbPerMin.toFixed(3)} MB/min`,
        '',
        '',
        `${verdict}; heap ${mb(first?.heap)} → ${mb(last?.heap)}`,
      );
    }
    row('6 soak', `${rate}/s × ${seconds}s: accepted / approved / errors`, `${accepted} / ${approved} / ${errors}`, '', '', `${backlogAtEnd} open at the last answer`);
  } finally {
    controller.abort();
    await pump;
    await consumer.stop();
    await sys.stop();
  }
}

// ---------------------------------------------------------------------------------------------

const RUNNERS: Record<Section, () => Promise<void>> = {
  gateway: gatewaySection,
  flow: flowSection,
  inflight: inflightSection,
  soak: soakSection,
};

async function main(): Promise<void> {
  // Interrupted: stop the apps, delete the keys and drop the databases before leaving.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      log(`${signal}: cleaning up`);
      void Promise.allSettled([...BenchSystem.live].map((s) => s.stop())).then(() => process.exit(130));
    });
  }
  const sections = selectSections(process.argv.slice(2), process.env.BENCH_ONLY);
  const startedAt = new Date();
  const os = await import('node:os');
  out(
    `ecr-bridge benchmark  node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ` +
      `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, load average at start ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`,
  );
  out(`sections: ${sections.join(', ')}${SHORT ? ' (short run: --short / BENCH_SHORT)' : ''}; started ${startedAt.toISOString()}`);
  const failed: string[] = [];
  for (const s of sections) {
    log(`section ${s} starting`);
    out(`\n[${new Date().toISOString()}] load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}; ${await infraProbe()}`);
    try {
      await RUNNERS[s]();
    } catch (err) {
      failed.push(s);
      out(`  section ${s} failed: ${err instanceof Error ? err.stack : String(err)}`);
    }
    log(`section ${s} done`);
  }
  out(`\n== summary (${startedAt.toISOString()} → ${new Date().toISOString()}, load average now ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}) ==`);
  out(table([['section', 'figure', 'ecr-bridge', 'baseline', 'ratio', 'note'], ...rows]));
  out('ratio: ecr-bridge ÷ baseline (for latencies above 1 is slower; for rates below 1 is fewer)');
  if (failed.length) out(`\nfailed sections: ${failed.join(', ')}`);
  closeClients();
  // Nothing is left to wait for; leave even if a reader's socket lingers.
  process.exit(failed.length ? 1 : 0);
}

main().catch((err: unknown) => {
  process.stderr.write(`benchmark failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
