// What the fault matrix runs on, all of its own so restarting it disturbs nothing else: a
// throw-away redis-server child (append-only file on, noeviction), a Postgres cluster of its own
// (Debian's pg_createcluster, on another port), and every app from dist/ as a separate process.
import { ChildProcess, execFile, spawn } from 'node:child_process';
import { createWriteStream, existsSync, readdirSync, WriteStream } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';

const run = promisify(execFile);

export const ROOT = join(__dirname, '..', '..');

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A port nothing listens on right now. */
export async function freePort(): Promise<number> {
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

/** Polls `probe` until it answers something other than undefined. */
export async function until<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 60_000, intervalMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last instanceof Error ? ` (${last.message})` : ''}`);
    await sleep(intervalMs);
  }
}

/** A redis-server child on its own port and directory; restarts keep the append-only file. */
export class RedisServer {
  private child: ChildProcess | null = null;

  constructor(
    readonly port: number,
    private readonly dir: string,
    private readonly log: WriteStream,
  ) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.dir, '--appendonly', 'yes', '--appendfsync', 'everysec'];
    args.push('--maxmemory-policy', 'noeviction', '--save', '', '--daemonize', 'no');
    const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.pipe(this.log, { end: false });
    child.stderr?.pipe(this.log, { end: false });
    this.child = child;
    await until(async () => ((await this.cli('PING')) === 'PONG' ? true : undefined), `redis-server on ${this.port}`, 20_000);
  }

  /** SIGTERM: Redis writes the append-only file and exits. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const child = this.child;
    this.child = null;
    if (!child || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill(signal);
    });
  }

  async cli(...args: string[]): Promise<string> {
    const { stdout } = await run('redis-cli', ['-h', '127.0.0.1', '-p', String(this.port), ...args]);
    return stdout.trim();
  }
}

/** A Postgres cluster of its own (Debian's pg_createcluster), made once and reused. */
export class PgCluster {
  readonly version: string;

  constructor(
    readonly name: string,
    readonly port: number,
  ) {
    const versions = existsSync('/etc/postgresql') ? readdirSync('/etc/postgresql').filter((v) => /^\d+$/.test(v)) : [];
    if (versions.length === 0) throw new Error('no PostgreSQL server installed (/etc/postgresql is empty); the fault matrix needs pg_createcluster');
    this.version = versions.sort((a, b) => Number(b) - Number(a))[0];
  }

  url(database: string): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${database}`;
  }

  async ensure(): Promise<void> {
    const { stdout } = await run('pg_lsclusters', ['--no-header']);
    const line = stdout.split('\n').find((l) => l.split(/\s+/)[0] === this.version && l.split(/\s+/)[1] === this.name);
    if (!line) {
      await run('pg_createcluster', [this.version, this.name, '-p', String(this.port), '--', '--auth=trust']);
      await this.ctl('start');
    } else {
      const port = Number(line.split(/\s+/)[2]);
      if (port !== this.port) throw new Error(`cluster ${this.version}/${this.name} exists on port ${port}, not ${this.port}`);
      if (!/\bonline\b/.test(line)) await this.ctl('start');
    }
    await until(async () => ((await this.ready()) ? true : undefined), `Postgres ${this.version}/${this.name}`, 30_000, 300);
  }

  async ready(): Promise<boolean> {
    const client = new Client({ connectionString: this.url('postgres') });
    try {
      await client.connect();
      await client.query('SELECT 1');
      return true;
    } catch {
      return false;
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  async ctl(action: 'start' | 'stop' | 'restart'): Promise<void> {
    await run('pg_ctlcluster', ['--skip-systemctl-redirect', this.version, this.name, action, ...(action === 'start' ? [] : ['-m', 'fast'])]);
  }

  async recreateDatabase(name: string): Promise<void> {
    const client = new Client({ connectionString: this.url('postgres') });
    await client.connect();
    try {
      await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await client.query(`CREATE DATABASE "${name}"`);
    } finally {
      await client.end();
    }
  }
}

/** One app from dist/ as its own process, its output appended to a log file. */
export class AppProcess {
  private child: ChildProcess | null = null;
  private exits = 0;

  constructor(
    readonly name: string,
    private readonly entry: string,
    private readonly env: Record<string, string>,
    private readonly log: WriteStream,
  ) {
    if (!existsSync(entry)) throw new Error(`${entry} is missing: build first (npm run test:faults builds)`);
  }

  get running(): boolean {
    return this.child !== null && this.child.exitCode === null;
  }

  start(): void {
    // The entry travels in the environment, not on the command line: a process list shows no app
    // path, so nothing matching app paths by name (another checkout's clean-up) can stop these.
    const child = spawn(process.execPath, ['-e', 'require(process.env.FAULTS_APP_ENTRY)'], {
      env: { ...process.env, ...this.env, FAULTS_APP_ENTRY: this.entry },
      stdio: ['ignore', 'pipe', 'pipe'],
      cwd: ROOT,
    });
    this.log.write(`\n---- ${new Date().toISOString()} start ${this.name} (pid ${child.pid})\n`);
    child.stdout?.pipe(this.log, { end: false });
    child.stderr?.pipe(this.log, { end: false });
    child.once('exit', (code, signal) => {
      this.exits++;
      this.log.write(`\n---- ${new Date().toISOString()} ${this.name} exited (${code ?? signal})\n`);
    });
    this.child = child;
  }

  kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.child;
    this.child = null;
    if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      child.once('exit', () => resolve());
      child.kill(signal);
    });
  }

  /** SIGTERM, then SIGKILL if it has not left after `graceMs`. */
  async stop(graceMs = 10_000): Promise<void> {
    const child = this.child;
    if (!child) return;
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await this.kill('SIGTERM');
    clearTimeout(timer);
  }
}

export function distEntry(...parts: string[]): string {
  return join(ROOT, 'dist', ...parts);
}

export function logFile(dir: string, name: string): WriteStream {
  return createWriteStream(join(dir, `${name}.log`), { flags: 'a' });
}

/** Runs a one-shot script from dist/ (the migrations) and fails on a non-zero exit. */
export async function runOnce(entry: string, env: Record<string, string>): Promise<void> {
  await run(process.execPath, [entry], { env: { ...process.env, ...env }, cwd: ROOT, timeout: 120_000 });
}
