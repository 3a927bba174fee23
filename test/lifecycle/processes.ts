// Apps as their own processes from dist/ (what a pod runs), for start-up and shutdown tests: start,
// wait until ready, signal, and how it exited and how long that took. Also a throw-away Redis.
import { ChildProcess, spawn } from 'node:child_process';
import { appendFileSync, existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { AppConfig } from '@app/common';
import { waitFor } from '@app/testing';

export type AppName = 'gateway' | 'payments' | 'reversals' | 'settlements' | 'webhooks' | 'sandbox';

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** From the signal to the exit. */
  ms: number;
}

export function distEntry(app: AppName): string {
  return join(__dirname, '..', '..', 'dist', 'apps', app, 'src', 'main.js');
}

/** A free TCP port on 127.0.0.1 (free when asked; the caller binds it soon after). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export function envOf(config: Partial<AppConfig>, extra: Record<string, string | number | boolean> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...config, ...extra })) if (v !== undefined) env[k] = String(v);
  return env;
}

export class AppProcess {
  readonly output: string[] = [];
  private child: ChildProcess | null = null;
  private exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }> | null = null;

  constructor(
    readonly app: AppName,
    readonly port: number,
    private readonly env: Record<string, string>,
  ) {
    if (!existsSync(distEntry(app))) throw new Error(`${distEntry(app)} is missing: run \`npm run build\` first`);
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }

  start(): this {
    const portVar = this.app === 'sandbox' ? 'SANDBOX_PORT' : 'PORT';
    const child = spawn(process.execPath, [distEntry(this.app)], {
      env: { ...process.env, ...this.env, [portVar]: String(this.port), HOST: '127.0.0.1', SANDBOX_HOST: '127.0.0.1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // LIFECYCLE_LOG_DIR keeps each process's output in a file too, to read after a failure.
    const file = process.env.LIFECYCLE_LOG_DIR ? join(process.env.LIFECYCLE_LOG_DIR, `${this.app}-${this.port}.log`) : null;
    const keep = (d: Buffer) => {
      this.output.push(d.toString());
      if (file) appendFileSync(file, d);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    this.child = child;
    return this;
  }

  text(): string {
    return this.output.join('');
  }

  /** Resolves when the process exits by itself (within `timeoutMs`). */
  async exit(timeoutMs = 30_000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (!this.exited) throw new Error(`${this.app} was never started`);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${this.app} did not exit within ${timeoutMs} ms:\n${this.text()}`)), timeoutMs);
    });
    return Promise.race([this.exited, timeout]).finally(() => clearTimeout(timer));
  }

  /** Waits until the app answers its health (or, for the sandbox, its terminal list) with 200. */
  async ready(timeoutMs = 30_000): Promise<this> {
    const path = this.app === 'sandbox' ? '/sandbox/terminals' : '/health/ready';
    await waitFor(
      async () => {
        if (!this.running) throw new Error(`${this.app} exited:\n${this.text()}`);
        const res = await fetch(this.url + path).catch(() => null);
        return res?.status === 200 ? true : undefined;
      },
      { timeoutMs, intervalMs: 250, what: `${this.app} on ${this.port} to be ready` },
    ).catch((err: Error) => {
      throw new Error(`${err.message}\n${this.text()}`);
    });
    return this;
  }

  /** Sends `signal` and measures how long the process takes to exit. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 60_000): Promise<Exit> {
    const child = this.child;
    if (!child || !this.running) throw new Error(`${this.app} is not running:\n${this.text()}`);
    const started = Date.now();
    child.kill(signal);
    const { code, signal: by } = await this.exit(timeoutMs);
    return { code, signal: by, ms: Date.now() - started };
  }

  /** Kills it if it still runs (test clean-up). */
  async kill(): Promise<void> {
    if (!this.running) return;
    this.child?.kill('SIGKILL');
    await this.exit(5000).catch(() => undefined);
  }
}

/** A throw-away `redis-server` on a free port, without persistence, with the given eviction policy. */
export class ThrowawayRedis {
  private constructor(
    readonly port: number,
    private readonly child: ChildProcess,
  ) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  static async start(policy: string): Promise<ThrowawayRedis> {
    const port = await freePort();
    const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--maxmemory-policy', policy, '--daemonize', 'no'], {
      stdio: 'ignore',
    });
    const redis = new ThrowawayRedis(port, child);
    await waitFor(
      () =>
        new Promise<true | undefined>((resolve) => {
          const probe = createServer();
          // Bound means nobody listens yet; in use means redis-server does.
          probe.once('error', () => resolve(true));
          probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(undefined)));
        }),
      { timeoutMs: 5000, intervalMs: 50, what: `redis-server on ${port}` },
    );
    return redis;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      this.child.once('exit', () => resolve());
      this.child.kill('SIGKILL');
    });
  }
}
