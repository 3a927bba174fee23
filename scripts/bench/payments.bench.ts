// `npm run bench`: what the product costs, each figure beside a baseline measured in the same run.
// Every section starts its own throw-away system (database, Redis prefix, ports, apps as separate
// processes, as in production) and removes it afterwards. Prints figures; asserts nothing.
//
//   gateway   accepted commands/s and accept latency, open loop at BENCH_GATEWAY_RATE (500/s);
//             baseline: a bare Fastify route doing one Postgres insert and one BullMQ add.
//   flow      command accepted → intent created at the provider (baseline: raw BullMQ add →
//             processed) and provider final → event read by a Redis Streams consumer group and
//             by SSE (baseline: raw XADD → XREADGROUP), at a steady BENCH_RATE.
//   inflight  open intents the payments worker holds with poll lag p99 under 1 s, stepping
//             BENCH_INFLIGHT_STEPS; memory per open intent (worker RSS/heap at N vs idle).
//   soak      BENCH_SOAK_RATE for BENCH_SOAK_SECONDS, every app's RSS/heap sampled, slopes judged.
//
// Choose sections with `npm run bench -- --only=gateway,soak` (or BENCH_ONLY); default: all.
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { Queue, Worker } from 'bullmq';
import Redis from 'ioredis';
import { readSse } from '@app/events';
import {
  judgeFlat,
  lagsOf,
  mb,
  ms,
  pcts,
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
  REDIS_URL,
  scrape,
  sleep,
  waitHttp,
} from './bench.util';

const num = (name: string, def: number) => Number(process.env[name] ?? def);
const CFG = {
  gatewayRate: num('BENCH_GATEWAY_RATE', 500),
  gatewaySeconds: num('BENCH_GATEWAY_SECONDS', 20),
  flowRate: num('BENCH_RATE', 25),
  flowSeconds: num('BENCH_SECONDS', 30),
  flowTakeDelayMs: num('BENCH_TAKE_DELAY_MS', 100),
  inflightSteps: (process.env.BENCH_INFLIGHT_STEPS ?? '100,250,500,1000,2000,5000').split(',').map(Number),
  /** Memory per intent is also measured at this many open intents when stepping stopped below it. */
  memoryIntents: num('BENCH_MEMORY_INTENTS', 2000),
  inflightWindowSeconds: num('BENCH_INFLIGHT_WINDOW_SECONDS', 20),
  fillRate: num('BENCH_FILL_RATE', 250),
  soakRate: num('BENCH_SOAK_RATE', 50),
  soakSeconds: num('BENCH_SOAK_SECONDS', 600),
  soakSampleSeconds: num('BENCH_SOAK_SAMPLE_SECONDS', 10),
};
const POLL_MS = 1000; // the product's default POLL_INTERVAL_MS, which every section runs with
const PAYMENT_PATH = '/terminal_payments/payments';

const wallNow = () => performance.timeOrigin + performance.now();
/** [section, figure, product, baseline, note] rows of the final table. */
const rows: string[][] = [];
const row = (...cells: string[]) => rows.push(cells);
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

// ---------------------------------------------------------------------------------------------
// 1. Gateway accept rate and latency, open loop, against a bare Fastify + insert + add.

async function gatewaySection(): Promise<void> {
  out(`\n== 1. gateway: open loop at ${CFG.gatewayRate}/s for ${CFG.gatewaySeconds}s (payments worker not running) ==`);
  const sys = await BenchSystem.start({ apps: ['gateway'], terminals: 10 });
  try {
    const gateway = sys.procs.get('gateway')!;
    await pool(300, 10, async (i) => void (await sys.pay(1_000_000 + i)));
    await sleep(1000);
    let cpu = cpuMeter([gateway]);
    const m0 = await scrape(`${sys.gw}/metrics`);
    const product = await openLoop(CFG.gatewayRate, CFG.gatewaySeconds, (i) => sys.pay(i));
    const m1 = await scrape(`${sys.gw}/metrics`);
    const productLat = describeOpenLoop('gateway POST /v1/payments', product);
    out(`    ${cpu()}`);
    const served = meanBetween(m0, m1, 'http_request_duration_seconds');
    out(`    inside the gateway (http_request_duration_seconds): mean ${ms(served.mean)} over ${served.count} requests; the rest of the latency is waiting for a socket or the event loop`);

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
    const baseLat = describeOpenLoop('baseline Fastify + INSERT + queue.add', baseline);
    out(`    ${cpu()}`);

    const notify = await notifyProbe(sys.dbUrl);
    out(
      `  Postgres commits/s on the same database, 10 connections, 1000 each: INSERT ${notify.plain.toFixed(0)}/s; ` +
        `INSERT + pg_notify in the same transaction (what every command and event write does) ${notify.notify.toFixed(0)}/s`,
    );
    const errs = (r: OpenLoopResult) => String(Object.values(r.errors).reduce((a, b) => a + b, 0));
    row('1 gateway', `accepted/s at ${CFG.gatewayRate}/s offered`, product.achievedRate.toFixed(0), baseline.achievedRate.toFixed(0), '');
    row('1 gateway', 'errors', errs(product), errs(baseline), `of ${product.sent}`);
    row('1 gateway', 'accept latency p50', ms(productLat.p50), ms(baseLat.p50), `${(productLat.p50 / baseLat.p50).toFixed(1)}x`);
    row('1 gateway', 'accept latency p95', ms(productLat.p95), ms(baseLat.p95), '');
    row('1 gateway', 'accept latency p99', ms(productLat.p99), ms(baseLat.p99), '');
    row('1 gateway', 'Postgres commits/s with NOTIFY', notify.notify.toFixed(0), notify.plain.toFixed(0), 'baseline: the same INSERT without NOTIFY');
  } finally {
    await sys.stop();
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
  out(`\n== 2-3. flow: ${rate}/s for ${seconds}s; terminals automatic, takeDelayMs ${take}; POLL_INTERVAL_MS ${POLL_MS} ==`);
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
    let errors = 0;
    const sends: Promise<void>[] = [];
    const procs = [...sys.procs.values()];
    const cpu = cpuMeter(procs);
    const metricsUrl = `http://127.0.0.1:${sys.ports.payments}/metrics`;
    const m0 = await scrape(metricsUrl);
    await atRate(rate, seconds, (i) =>
      sends.push(
        sys.pay(i).then(
          (r) => void (r.status === 202 ? ids.push(r.id) : errors++),
          () => void errors++,
        ),
      ),
    );
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
    }

    const queueBase = await bullmqBaseline(sys.tag, rate, seconds);
    const streamBase = await streamBaseline(`${sys.tag}:baseline-stream`, rate, seconds);

    const a2c = summary(acceptToCreate);
    const l2g = summary(lookToGroup);
    const l2s = summary(lookToSse);
    const f2g = summary(finalToGroup);
    const a2g = summary(acceptToGroup);
    out(`  sent ${ids.length + errors}, accepted ${ids.length}, errors ${errors}; approved seen by the group ${ids.filter((id) => groupAt.has(id)).length}, by SSE ${ids.filter((id) => sseAt.has(id)).length}`);
    out(`  2. accepted (row created_at) → intent create arrives at the provider: ${pcts(a2c)} max ${ms(a2c.max)}`);
    out(`     baseline BullMQ add → processed at ${rate}/s: ${pcts(queueBase)}`);
    out(`  3. provider answer that showed the final status → payment.approved read by the consumer group: ${pcts(l2g)}`);
    out(`     same → payment.approved on SSE: ${pcts(l2s)}`);
    out(`     baseline XADD → XREADGROUP at ${rate}/s: ${pcts(streamBase)}`);
    out(`     intent final at the provider (create + 2 × takeDelayMs) → consumer group, poll wait included: ${pcts(f2g)}`);
    out(`  end to end, accepted → payment.approved at the consumer group: ${pcts(a2g)}`);
    out(`  ${cpuLine}`);
    out(`  payments worker: ${step.count} job steps, mean ${ms(step.mean)}; ${call.count} provider calls, mean ${ms(call.mean)}`);
    row('2 provider', 'accepted → intent created p50', ms(a2c.p50), ms(queueBase.p50), 'baseline: BullMQ add → processed');
    row('2 provider', 'accepted → intent created p95', ms(a2c.p95), ms(queueBase.p95), '');
    row('2 provider', 'accepted → intent created p99', ms(a2c.p99), ms(queueBase.p99), '');
    row('3 events', 'provider final → group p50', ms(l2g.p50), ms(streamBase.p50), 'baseline: XADD → XREADGROUP');
    row('3 events', 'provider final → group p95', ms(l2g.p95), ms(streamBase.p95), '');
    row('3 events', 'provider final → group p99', ms(l2g.p99), ms(streamBase.p99), '');
    row('3 events', 'provider final → SSE p50/p99', `${ms(l2s.p50)} / ${ms(l2s.p99)}`, '', '');
    row('3 events', 'final incl. poll wait → group p50/p99', `${ms(f2g.p50)} / ${ms(f2g.p99)}`, '', `POLL_INTERVAL_MS ${POLL_MS}`);
    row('2-3 flow', 'accepted → approved at group p50/p99', `${ms(a2g.p50)} / ${ms(a2g.p99)}`, '', `${rate}/s, takeDelayMs ${take}`);
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
  const worker = new Worker(
    'baseline',
    async (job) => {
      const at = addedAt.get(job.id!);
      if (at !== undefined) latency.push(performance.now() - at);
    },
    { connection: new Redis(REDIS_URL, { maxRetriesPerRequest: null }), prefix, concurrency: 50 },
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
        `${(gets.length / wSeconds).toFixed(0)} polls/s of ${reached}${pass ? '' : '; FAILS p99 < 1 s'}${failedAt ? ' (memory step)' : ''}`,
      );
      row(
        '5 memory',
        `${reached} open: worker RSS / heap per intent`,
        `${(perRss / 1024).toFixed(2)} KB / ${(perHeap / 1024).toFixed(2)} KB`,
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
        `${verdict}; heap ${mb(first?.heap)} → ${mb(last?.heap)}`,
      );
    }
    row('6 soak', `${rate}/s × ${seconds}s: accepted / approved / errors`, `${accepted} / ${approved} / ${errors}`, '', `${backlogAtEnd} open at the last answer`);
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
  out(`sections: ${sections.join(', ')}; started ${startedAt.toISOString()}`);
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
  out(table([['section', 'figure', 'ecr-bridge', 'baseline', 'note'], ...rows]));
  if (failed.length) out(`\nfailed sections: ${failed.join(', ')}`);
  closeClients();
  // Nothing is left to wait for; leave even if a reader's socket lingers.
  process.exit(failed.length ? 1 : 0);
}

main().catch((err: unknown) => {
  process.stderr.write(`benchmark failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
