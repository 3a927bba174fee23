// End-to-end helpers: the gateway over HTTP on the same database and Redis as the workers, a cash
// register client, an SSE listener, and workers as separate processes for crash tests.
import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { AppConfig } from '@app/common';
import { readSse } from '@app/events';
import { waitFor } from '@app/testing';
import { createGatewayApp } from '../../apps/gateway/src/gateway.app';
import { randomCuit, System } from './system';

export interface Answer<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: T;
}

export interface StartedGateway {
  app: NestFastifyApplication;
  url: string;
  adminKey: string;
  call<T = Record<string, unknown>>(
    method: string,
    path: string,
    opts?: { key?: string; body?: unknown; headers?: Record<string, string> },
  ): Promise<Answer<T>>;
}

export async function startGatewayFor(sys: System, extra: Partial<AppConfig> = {}): Promise<StartedGateway> {
  const adminKey = `adm_${randomBytes(16).toString('hex')}`;
  const app = await createGatewayApp({ ...sys.config, ADMIN_API_KEY: adminKey, ...extra });
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address();
  if (!address || typeof address === 'string') throw new Error('gateway is not listening');
  const url = `http://127.0.0.1:${address.port}`;
  sys.onStop(() => app.close());
  return {
    app,
    url,
    adminKey,
    async call(method, path, opts = {}) {
      const headers: Record<string, string> = { ...(opts.headers ?? {}) };
      if (opts.key) headers.authorization = `Bearer ${opts.key}`;
      if (opts.body !== undefined) headers['content-type'] = 'application/json';
      const res = await fetch(url + path, { method, headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body) });
      const text = await res.text();
      return { status: res.status, headers: res.headers, body: (text ? JSON.parse(text) : undefined) as never };
    },
  };
}

export interface Register {
  merchantId: string;
  apiKey: string;
  cuit: string;
  terminals: string[];
  pay(body: Record<string, unknown>, opts?: { key?: string; wait?: number }): Promise<Answer>;
  get(id: string): Promise<Answer>;
  cancel(id: string): Promise<Answer>;
  final(id: string, timeoutMs?: number): Promise<Record<string, unknown>>;
}

const FINAL = new Set(['approved', 'rejected', 'cancelled', 'expired', 'failed']);

/** A merchant created through the admin API, its terminals registered here and at the sandbox. */
export async function registerFor(
  sys: System,
  gw: StartedGateway,
  terminalCount = 1,
  mode: 'auto' | 'manual' = 'auto',
): Promise<Register> {
  const cuit = randomCuit();
  const created = await gw.call<{ id: string; apiKey: string }>('POST', '/v1/admin/merchants', {
    key: gw.adminKey,
    body: { name: 'Almacén de prueba', cuit },
  });
  if (created.status !== 201) throw new Error(`merchant: ${created.status} ${JSON.stringify(created.body)}`);
  const terminals: string[] = [];
  for (let i = 0; i < terminalCount; i++) {
    const terminalId = String(10_000_000 + Math.floor(Math.random() * 89_999_999));
    const put = await gw.call('PUT', `/v1/admin/merchants/${created.body.id}/terminals/${terminalId}`, {
      key: gw.adminKey,
      body: { provider: 'paystore' },
    });
    if (put.status >= 300) throw new Error(`terminal: ${put.status} ${JSON.stringify(put.body)}`);
    await sys.sandboxCall('POST', '/sandbox/terminals', { terminalId, cuit, mode });
    terminals.push(terminalId);
  }
  const key = created.body.apiKey;
  const reg: Register = {
    merchantId: created.body.id,
    apiKey: key,
    cuit,
    terminals,
    pay: (body, opts = {}) =>
      gw.call('POST', '/v1/payments', {
        key: opts.key ?? key,
        body: { terminalIds: [terminals[0]], currency: 'ARS', ...body },
        headers: {
          'idempotency-key': `k-${randomBytes(8).toString('hex')}`,
          ...(opts.wait ? { prefer: `wait=${opts.wait}` } : {}),
        },
      }),
    get: (id) => gw.call('GET', `/v1/payments/${id}`, { key }),
    cancel: (id) =>
      gw.call('POST', `/v1/payments/${id}/cancel`, { key, headers: { 'idempotency-key': `c-${randomBytes(8).toString('hex')}` } }),
    final: (id, timeoutMs = 20_000) =>
      waitFor(
        async () => {
          const res = await reg.get(id);
          return FINAL.has(String(res.body.status)) ? res.body : undefined;
        },
        { timeoutMs, intervalMs: 100, what: `payment ${id} to be final` },
      ),
  };
  return reg;
}

export interface SseEvent {
  id: string;
  event: string;
  data: { id: string; type: string; subject: string; data: Record<string, unknown> };
}

/** Listens to `GET /v1/events` and collects every event until closed. */
export async function listen(gw: StartedGateway, key: string, query = '', lastEventId?: string) {
  const controller = new AbortController();
  const events: SseEvent[] = [];
  const res = await fetch(`${gw.url}/v1/events${query}`, {
    headers: { authorization: `Bearer ${key}`, accept: 'text/event-stream', ...(lastEventId ? { 'last-event-id': lastEventId } : {}) },
    signal: controller.signal,
  });
  if (res.status !== 200 || !res.body) throw new Error(`SSE answered ${res.status}`);
  const pump = readSse(res.body, (m) => events.push({ id: m.id ?? '', event: m.event ?? '', data: JSON.parse(m.data) }));
  return {
    events,
    of: (subject: string) => events.filter((e) => e.data.subject === subject).map((e) => e.event),
    async close() {
      controller.abort();
      await pump;
    },
  };
}

/** Runs an app from dist/ as its own process (what a pod runs), for crash tests. */
export class AppProcess {
  private child: ChildProcess | null = null;
  readonly output: string[] = [];

  constructor(
    private readonly entry: string,
    private readonly env: Record<string, string>,
  ) {
    if (!existsSync(entry)) throw new Error(`${entry} is missing: run \`npm run build\` before the end-to-end tests`);
  }

  start(): void {
    this.child = spawn(process.execPath, [this.entry], { env: { ...process.env, ...this.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout?.on('data', (d: Buffer) => this.output.push(d.toString()));
    this.child.stderr?.on('data', (d: Buffer) => this.output.push(d.toString()));
  }

  kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.child;
    this.child = null;
    if (!child || child.exitCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      child.once('exit', () => resolve());
      child.kill(signal);
    });
  }
}

/** A single-use pagoUno card token, made as a buyer's device would (the sandbox keeps only BIN and last four). */
export async function pagounoToken(sys: System, pan = '4545454545458745'): Promise<string> {
  const res = await fetch(`${sys.sandbox.url}/pagouno/v1/Transaction/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'pagouno-sandbox-public-key', 'x-api-fp': '' },
    body: JSON.stringify([{ primary_account_number: pan, expiration_date: '3012', card_security_code: '123', card_holder: { front_name: 'ANA PEREZ' } }]),
  });
  const body = (await res.json()) as { status: number; data: { id: string }[] };
  if (body.status !== 200) throw new Error(`tokenize answered ${JSON.stringify(body)}`);
  return body.data[0].id;
}

export function distEntry(app: string): string {
  return join(__dirname, '..', '..', 'dist', 'apps', app, 'src', 'main.js');
}

export function envOf(config: Partial<AppConfig>, extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(config)) if (v !== undefined) env[k] = String(v);
  return { ...env, ...extra };
}
