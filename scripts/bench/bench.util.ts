// What the benchmark sections share: a throw-away system (its own database, Redis key prefix and
// ports, the apps as separate processes, a merchant with terminals), memory probes over IPC, an
// open-loop sender and the sandbox's request log. Everything a system creates is removed by stop().
import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Agent, request } from 'node:http';
import { createServer } from 'node:net';
import { join } from 'node:path';
import Redis from 'ioredis';
import { Client } from 'pg';
import { deleteKeysWithPrefix } from '@app/jobs';
import { runMigrations } from '@app/persistence';
import { dueAt, dueCount, rateWithin } from './bench.stats';

export { percentile, summary } from './bench.stats';

export const BASE_DB = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs `task` for 0..count-1 with at most `concurrency` in flight. */
export async function pool(count: number, concurrency: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(concurrency, count) }, async () => {
    while (next < count) await task(next++);
  });
  await Promise.all(lanes);
}

export function log(line: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
}

const DIST = join(__dirname, '..', '..');
const PRELOAD = join(__dirname, 'mem.preload.js');

export interface Memory {
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
}

/** A child process with the memory probe preloaded. */
export class Proc {
  private nextId = 1;
  private readonly waiting = new Map<number, (m: Memory) => void>();

  constructor(
    readonly name: string,
    readonly child: ChildProcess,
  ) {
    child.on('message', (m: { type?: string; id?: number } & Memory) => {
      if (m?.type !== 'bench:mem' || m.id === undefined) return;
      this.waiting.get(m.id)?.(m);
      this.waiting.delete(m.id);
    });
  }

  static start(name: string, entry: string, env: Record<string, string>): Proc {
    const child = spawn(process.execPath, ['--expose-gc', '--require', PRELOAD, entry], {
      env: { ...process.env, LOG_LEVEL: 'error', ...env },
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    return new Proc(name, child);
  }

  static app(app: string, env: Record<string, string>): Proc {
    return Proc.start(app, join(DIST, 'apps', app, 'src', 'main.js'), env);
  }

  /** RSS and heap; after a full GC when `gc` (so a heap series shows what is retained). */
  memory(gc = true, timeoutMs = 10_000): Promise<Memory> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(new Error(`${this.name} did not answer the memory probe`));
      }, timeoutMs);
      this.waiting.set(id, (m) => {
        clearTimeout(timer);
        resolve(m);
      });
      this.child.send({ type: 'bench:mem', id, gc });
    });
  }

  stop(): Promise<void> {
    const c = this.child;
    return new Promise<void>((resolve) => {
      if (c.exitCode !== null || c.signalCode !== null) return resolve();
      c.once('exit', () => resolve());
      c.kill('SIGTERM');
      setTimeout(() => c.kill('SIGKILL'), 10_000).unref();
    });
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export async function waitHttp(url: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`${url} did not come up`);
    await sleep(200);
  }
}

/**
 * Keep-alive connections for the load, at most 256 per server: commands beyond that wait in the
 * client, and that wait counts in their latency (measured from the schedule, not the socket).
 */
const agent = new Agent({ keepAlive: true, maxSockets: 256 });

/** Closes the keep-alive connections (they would keep the process alive). */
export function closeClients(): void {
  agent.destroy();
}

/** POST a JSON body over the keep-alive pool; the status and parsed answer. */
export function postJson(url: string, headers: Record<string, string>, body: unknown, timeoutMs = 30_000): Promise<{ status: number; body: unknown }> {
  const data = Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: 'POST', agent, headers: { ...headers, 'content-type': 'application/json', 'content-length': String(data.length) }, timeout: timeoutMs },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          let parsed: unknown = undefined;
          try {
            parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'));
          } catch {
            // not JSON
          }
          resolve({ status: res.statusCode ?? 0, body: parsed });
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { name: 'TimeoutError' })));
    req.on('error', reject);
    req.end(data);
  });
}

function cuit(): string {
  const body = `30${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;
  const w = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2];
  const c = 11 - (w.reduce((a, x, i) => a + x * Number(body[i]), 0) % 11);
  return c === 10 ? cuit() : `${body.slice(0, 2)}-${body.slice(2)}-${c === 11 ? 0 : c}`;
}

async function json<T>(res: Response, what: string): Promise<T> {
  const text = await res.text();
  if (!res.ok) throw new Error(`${what}: ${res.status} ${text.slice(0, 300)}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

export interface SystemOptions {
  apps: ('sandbox' | 'gateway' | 'payments')[];
  terminals?: number;
  mode?: 'auto' | 'manual';
  takeDelayMs?: number;
  /** Extra environment for every app. */
  env?: Record<string, string>;
  sandboxEnv?: Record<string, string>;
}

export interface RequestLogEntry {
  at: string;
  method: string;
  path: string;
  body: unknown;
  status: number | null;
}

/**
 * One throw-away ecr-bridge: database `bench_<tag>`, every Redis key under `bench_<tag>`, free
 * ports, the chosen apps as processes. stop() stops them, deletes the keys and drops the database.
 */
export class BenchSystem {
  readonly procs = new Map<string, Proc>();
  readonly tag = `bench_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  readonly dbUrl: string;
  readonly adminKey = `adm_${randomBytes(16).toString('hex')}`;
  env: Record<string, string> = {};
  ports: Record<string, number> = {};
  merchant = { id: '', apiKey: '', cuit: cuit() };
  terminals: string[] = [];
  private readonly extra: Proc[] = [];

  private constructor(readonly options: SystemOptions) {
    const u = new URL(BASE_DB);
    u.pathname = `/${this.tag}`;
    this.dbUrl = u.toString();
  }

  get gw(): string {
    return `http://127.0.0.1:${this.ports.gateway}`;
  }

  get sandbox(): string {
    return `http://127.0.0.1:${this.ports.sandbox}`;
  }

  get eventStream(): string {
    return `${this.tag}:events`;
  }

  /** Systems not stopped yet, for cleanup on SIGINT/SIGTERM. */
  static readonly live = new Set<BenchSystem>();

  static async start(options: SystemOptions): Promise<BenchSystem> {
    const sys = new BenchSystem(options);
    BenchSystem.live.add(sys);
    try {
      await sys.boot();
    } catch (err) {
      await sys.stop();
      throw err;
    }
    return sys;
  }

  private async boot(): Promise<void> {
    await runMigrations(this.dbUrl);
    for (const name of ['sandbox', 'gateway', 'payments']) this.ports[name] = await freePort();
    this.env = {
      DATABASE_URL: this.dbUrl,
      REDIS_URL,
      BULLMQ_PREFIX: this.tag,
      EVENT_STREAM_KEY: this.eventStream,
      COMMAND_STREAM_KEY: `${this.tag}:commands`,
      COMMAND_REPLY_STREAM_KEY: `${this.tag}:command-replies`,
      ADMIN_API_KEY: this.adminKey,
      PAYSTORE_BASE_URL: `http://127.0.0.1:${this.ports.sandbox}`,
      HOST: '127.0.0.1',
      // The per-merchant limit still runs (its Redis call is part of a command's cost) but never
      // refuses: the bench sends every command as one merchant, far above the default 3000/min.
      RATE_LIMIT_PER_MINUTE: '1000000000',
      ...(this.options.env ?? {}),
    };
    const { apps } = this.options;
    if (apps.includes('sandbox')) {
      this.procs.set(
        'sandbox',
        Proc.app('sandbox', {
          ...this.env,
          SANDBOX_PORT: String(this.ports.sandbox),
          SANDBOX_HOST: '127.0.0.1',
          SANDBOX_TAKE_DELAY_MS: String(this.options.takeDelayMs ?? 0),
          ...(this.options.sandboxEnv ?? {}),
        }),
      );
      await waitHttp(`${this.sandbox}/sandbox/terminals`);
    }
    this.procs.set('gateway', Proc.app('gateway', { ...this.env, PORT: String(this.ports.gateway) }));
    await waitHttp(`${this.gw}/health/ready`);
    await this.seed();
    if (apps.includes('payments')) await this.startPayments();
  }

  async startPayments(): Promise<void> {
    this.procs.set('payments', Proc.app('payments', { ...this.env, PORT: String(this.ports.payments) }));
    await waitHttp(`http://127.0.0.1:${this.ports.payments}/health/ready`);
  }

  /** Another process that stop() stops too (a baseline server). */
  adopt(p: Proc): Proc {
    this.extra.push(p);
    return p;
  }

  private async seed(): Promise<void> {
    const admin = { authorization: `Bearer ${this.adminKey}`, 'content-type': 'application/json' };
    const m = await json<{ id: string; apiKey: string }>(
      await fetch(`${this.gw}/v1/admin/merchants`, { method: 'POST', headers: admin, body: JSON.stringify({ name: 'Bench', cuit: this.merchant.cuit }) }),
      'create merchant',
    );
    this.merchant.id = m.id;
    this.merchant.apiKey = m.apiKey;
    const count = this.options.terminals ?? 10;
    for (let i = 0; i < count; i++) {
      const t = String(40_000_000 + i);
      await json(
        await fetch(`${this.gw}/v1/admin/merchants/${m.id}/terminals/${t}`, { method: 'PUT', headers: admin, body: JSON.stringify({ provider: 'paystore' }) }),
        'register terminal',
      );
      if (this.options.apps.includes('sandbox')) {
        await json(
          await fetch(`${this.sandbox}/sandbox/terminals`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({
              terminalId: t,
              cuit: this.merchant.cuit,
              mode: this.options.mode ?? 'auto',
              takeDelayMs: this.options.takeDelayMs ?? 0,
            }),
          }),
          'sandbox terminal',
        );
      }
      this.terminals.push(t);
    }
  }

  /** POST /v1/payments to `base` (the gateway unless given); resolves with status, id and the answer's wall-clock time. */
  async pay(i: number, opts: { base?: string; amount?: number; expiresInSeconds?: number } = {}) {
    const res = await postJson(
      `${opts.base ?? this.gw}/v1/payments`,
      { authorization: `Bearer ${this.merchant.apiKey}`, 'idempotency-key': `${this.tag}-${i}-${randomBytes(4).toString('hex')}` },
      {
        terminalIds: [this.terminals[i % this.terminals.length]],
        amount: opts.amount ?? 100000 + (i % 50) * 100,
        currency: 'ARS',
        reference: `bench-${i}`,
        ...(opts.expiresInSeconds ? { expiresInSeconds: opts.expiresInSeconds } : {}),
      },
    );
    return { status: res.status, id: (res.body as { id?: string } | undefined)?.id ?? '', at: Date.now() };
  }

  async query<T>(sql: string, params: unknown[] = []): Promise<T[]> {
    const c = new Client({ connectionString: this.dbUrl });
    await c.connect();
    try {
      return (await c.query(sql, params)).rows as T[];
    } finally {
      await c.end();
    }
  }

  async requestLog(method?: string): Promise<RequestLogEntry[]> {
    const q = method ? `?method=${method}` : '';
    return (await json<{ data: RequestLogEntry[] }>(await fetch(`${this.sandbox}/sandbox/requests${q}`), 'request log')).data;
  }

  async clearRequestLog(): Promise<void> {
    await fetch(`${this.sandbox}/sandbox/requests`, { method: 'DELETE' });
  }

  async stop(): Promise<void> {
    BenchSystem.live.delete(this);
    await Promise.all([...this.extra, ...this.procs.values()].map((p) => p.stop()));
    const redis = new Redis(REDIS_URL);
    try {
      await deleteKeysWithPrefix(redis, this.tag);
    } finally {
      redis.disconnect();
    }
    const admin = new Client({ connectionString: BASE_DB });
    await admin.connect();
    try {
      await admin.query(`DROP DATABASE IF EXISTS "${this.tag}" WITH (FORCE)`);
    } finally {
      await admin.end();
    }
  }
}

/** A Prometheus text page summed per metric name (labels dropped); empty when unreachable. */
export async function scrape(url: string): Promise<Map<string, number>> {
  const m = new Map<string, number>();
  try {
    const text = await (await fetch(url, { signal: AbortSignal.timeout(10_000) })).text();
    for (const line of text.split('\n')) {
      if (!line || line.startsWith('#')) continue;
      const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{[^}]*\})?\s+(\S+)/.exec(line);
      if (match) m.set(match[1], (m.get(match[1]) ?? 0) + Number(match[2]));
    }
  } catch {
    // no figures
  }
  return m;
}

/** Mean of a histogram (ms) between two scrapes. */
export function meanBetween(a: Map<string, number>, b: Map<string, number>, histogram: string): { mean: number; count: number } {
  const count = (b.get(`${histogram}_count`) ?? 0) - (a.get(`${histogram}_count`) ?? 0);
  const sum = (b.get(`${histogram}_sum`) ?? 0) - (a.get(`${histogram}_sum`) ?? 0);
  return { mean: count > 0 ? (1000 * sum) / count : Number.NaN, count };
}

export interface OpenLoopResult {
  offered: number;
  sent: number;
  ok: number;
  errors: Record<string, number>;
  /** Latency from each command's scheduled send time to its answer (ms). */
  latency: number[];
  /** How late the sender itself was against the schedule (ms): if high, the client, not the server, lagged. */
  sendLag: number[];
  /** 2xx answers per second over the run (first send → last answer). */
  achievedRate: number;
}

/**
 * Open loop: sends `rate × seconds` commands on a fixed schedule whatever the answers, never more
 * than `maxOutstanding` unanswered (beyond that a due command counts as a `client-backlog` error).
 */
export async function openLoop(
  rate: number,
  seconds: number,
  send: (i: number) => Promise<{ status: number }>,
  maxOutstanding = 4000,
): Promise<OpenLoopResult> {
  const total = Math.round(rate * seconds);
  const latency: number[] = [];
  const sendLag: number[] = [];
  const errors: Record<string, number> = {};
  const err = (k: string) => (errors[k] = (errors[k] ?? 0) + 1);
  let ok = 0;
  let outstanding = 0;
  let lastAnswer = 0;
  const all: Promise<void>[] = [];
  const t0 = performance.now();
  let i = 0;
  while (i < total) {
    const due = dueCount(rate, performance.now() - t0, total);
    for (; i < due; i++) {
      const scheduled = t0 + dueAt(rate, i);
      sendLag.push(performance.now() - scheduled);
      if (outstanding >= maxOutstanding) {
        err('client-backlog');
        continue;
      }
      outstanding++;
      all.push(
        send(i)
          .then(
            (r) => {
              const now = performance.now();
              lastAnswer = now;
              latency.push(now - scheduled);
              if (r.status >= 200 && r.status < 300) ok++;
              else err(`http-${r.status}`);
            },
            (e: unknown) => void err(e instanceof Error ? (e.name === 'TimeoutError' ? 'timeout' : e.message.slice(0, 40)) : 'error'),
          )
          .finally(() => outstanding--),
      );
    }
    if (i < total) await sleep(Math.max(0, t0 + dueAt(rate, i) - performance.now()));
  }
  await Promise.all(all);
  const spanS = ((lastAnswer || performance.now()) - t0) / 1000;
  return { offered: rate, sent: total, ok, errors, latency, sendLag, achievedRate: ok / spanS };
}

export interface ClosedLoopResult {
  clients: number;
  /** Length of the measuring window (s), after the warm-up. */
  seconds: number;
  /** 2xx answers inside the window. */
  ok: number;
  errors: Record<string, number>;
  /** Send → answer (ms) of the 2xx answers inside the window. */
  latency: number[];
  /** 2xx answers per second inside the window: the capacity at this many clients. */
  rate: number;
}

/**
 * Closed loop: `clients` lanes, each sending the next command as soon as its previous answer came
 * back, for `warmupSeconds + seconds`. Only answers that arrive in the last `seconds` count, so the
 * rate is what the server sustains with that many commands always outstanding.
 */
export async function closedLoop(
  clients: number,
  seconds: number,
  warmupSeconds: number,
  send: (i: number) => Promise<{ status: number }>,
): Promise<ClosedLoopResult> {
  const t0 = performance.now();
  const from = t0 + warmupSeconds * 1000;
  const to = from + seconds * 1000;
  const okAt: number[] = [];
  const latency: number[] = [];
  const errors: Record<string, number> = {};
  const err = (k: string) => (errors[k] = (errors[k] ?? 0) + 1);
  let next = 0;
  const lanes = Array.from({ length: clients }, async () => {
    while (performance.now() < to) {
      const sent = performance.now();
      try {
        const r = await send(next++);
        const at = performance.now();
        const counted = at >= from && at < to;
        if (r.status >= 200 && r.status < 300) {
          okAt.push(at);
          if (counted) latency.push(at - sent);
        } else if (counted) err(`http-${r.status}`);
      } catch (e) {
        const at = performance.now();
        if (at >= from && at < to) err(e instanceof Error ? (e.name === 'TimeoutError' ? 'timeout' : e.message.slice(0, 40)) : 'error');
        await sleep(10); // a refused connection fails at once: do not spin
      }
    }
  });
  await Promise.all(lanes);
  const rate = rateWithin(okAt, from, to);
  return { clients, seconds, ok: Math.round(rate * seconds), errors, latency, rate };
}

/** Sends at a fixed rate and awaits nothing (for steady loads whose answers are looked at elsewhere). */
export async function atRate(rate: number, seconds: number, send: (i: number) => void): Promise<void> {
  const total = Math.round(rate * seconds);
  const t0 = performance.now();
  let i = 0;
  while (i < total) {
    const due = dueCount(rate, performance.now() - t0, total);
    for (; i < due; i++) send(i);
    if (i < total) await sleep(Math.max(0, t0 + dueAt(rate, i) - performance.now()));
  }
}

/**
 * Reads a stream through its own consumer group (created at the stream's end) and calls `onEntry`
 * with each entry's fields and the wall-clock time it arrived (performance.timeOrigin + now(), so
 * sub-millisecond and comparable with readings this process takes the same way), acknowledging as
 * it goes.
 */
export function consumeGroup(key: string, onEntry: (fields: Record<string, string>, at: number) => void): { ready: Promise<void>; stop(): Promise<void> } {
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  let running = true;
  const group = 'bench';
  const ready = redis
    .xgroup('CREATE', key, group, '$', 'MKSTREAM')
    .catch((e: Error) => {
      if (!e.message.includes('BUSYGROUP')) throw e;
    })
    .then(() => undefined);
  const loop = (async () => {
    await ready;
    while (running) {
      const res = (await redis.xreadgroup('GROUP', group, 'c1', 'COUNT', 500, 'BLOCK', 500, 'STREAMS', key, '>')) as
        | [string, [string, string[]][]][]
        | null;
      const at = performance.timeOrigin + performance.now();
      if (!res) continue;
      const ids: string[] = [];
      for (const [, entries] of res)
        for (const [id, flat] of entries) {
          const fields: Record<string, string> = {};
          for (let j = 0; j < flat.length; j += 2) fields[flat[j]] = flat[j + 1];
          onEntry(fields, at);
          ids.push(id);
        }
      if (ids.length) await redis.xack(key, group, ...ids);
    }
  })();
  return {
    ready,
    async stop() {
      running = false;
      await loop.catch(() => undefined);
      redis.disconnect();
    },
  };
}
