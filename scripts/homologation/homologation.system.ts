// `HOMOLOGATION_SETUP=sandbox`: the whole system for one homologation run, as `npm start` builds
// it — a throw-away database migrated from scratch, the sandbox (PayStore, Klio SmartPos and
// pagoUno), gateway and workers from dist/ as their own processes, a merchant with its PayStore
// terminals, Klio devices and pagoUno account made through the admin API — and gone again
// afterwards (processes stopped, database dropped, Redis keys deleted).
import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, WriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import Redis from 'ioredis';
import { deleteKeysWithPrefix } from '@app/jobs';
import { Client } from 'pg';
import { runMigrations } from '@app/persistence';
import { adminApi, setUpMerchant } from './homologation.setup';

const DIST = join(__dirname, '..', '..');
const MERCHANT_CUIT = '30-71234567-1';
const APPS = ['sandbox', 'gateway', 'payments', 'reversals', 'settlements'] as const;
type AppName = (typeof APPS)[number];

export interface OwnSystem {
  gatewayUrl: string;
  sandboxUrl: string;
  apiKey: string;
  /** PayStore's terminals. */
  terminals: string[];
  /** The Klio devices' terminals (device sync). */
  klioTerminals: string[];
  /** The pagoUno account. */
  pagounoAccounts: string[];
  /** Where the apps' output went. */
  logPath: string;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
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

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitReady(url: string, exited: () => string | null, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const gone = exited();
    if (gone) throw new Error(gone);
    try {
      if ((await fetch(url, { signal: AbortSignal.timeout(2000) })).ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${url} did not become ready within ${timeoutMs / 1000} s`);
    await sleep(250);
  }
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const force = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

async function dropDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.slice(1));
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name.replace(/"/g, '""')}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

async function deleteRedisKeys(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    await deleteKeysWithPrefix(redis, prefix);
  } finally {
    redis.disconnect();
  }
}

export async function startOwnSystem(options: { terminals: string[]; logPath: string; baseDatabaseUrl?: string; redisUrl?: string }): Promise<OwnSystem> {
  for (const app of APPS) {
    const entry = join(DIST, 'apps', app, 'src', 'main.js');
    if (!existsSync(entry)) throw new Error(`${entry} is missing: run \`npm run build\` first`);
  }
  const tag = `homologation_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const dbUrl = new URL(options.baseDatabaseUrl ?? 'postgres://postgres@127.0.0.1:5432/postgres');
  dbUrl.pathname = `/${tag}`;
  const redisUrl = options.redisUrl ?? 'redis://127.0.0.1:6379';
  const adminKey = `adm_${randomBytes(24).toString('base64url')}`;
  const ports = {} as Record<AppName, number>;
  for (const app of APPS) ports[app] = await freePort();

  await mkdir(dirname(options.logPath), { recursive: true });
  const logFile: WriteStream = createWriteStream(options.logPath, { flags: 'a' });
  const children = new Map<AppName, ChildProcess>();
  let stopping = false;
  let exitedEarly: string | null = null;

  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await Promise.all([...children.values()].map(stopChild));
    await new Promise((resolve) => logFile.end(resolve));
    await dropDatabase(dbUrl.toString()).catch(() => undefined);
    await deleteRedisKeys(redisUrl, tag).catch(() => undefined);
  };

  try {
    await runMigrations(dbUrl.toString());
    const env = {
      ...process.env,
      DATABASE_URL: dbUrl.toString(),
      REDIS_URL: redisUrl,
      BULLMQ_PREFIX: tag,
      EVENT_STREAM_KEY: `${tag}:events`,
      ADMIN_API_KEY: adminKey,
      PAYSTORE_BASE_URL: `http://127.0.0.1:${ports.sandbox}`,
      KLIO_BASE_URL: `http://127.0.0.1:${ports.sandbox}`,
      PAGOUNO_BASE_URL: `http://127.0.0.1:${ports.sandbox}/pagouno`,
      HOST: '127.0.0.1',
      POLL_INTERVAL_MS: '250',
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
    };
    for (const app of APPS) {
      const appEnv =
        app === 'sandbox'
          ? {
              SANDBOX_PORT: String(ports.sandbox),
              SANDBOX_HOST: '127.0.0.1',
              SANDBOX_TERMINALS: `${MERCHANT_CUIT}:${options.terminals.join(',')}`,
              SANDBOX_KLIO_CUIT: MERCHANT_CUIT,
            }
          : { PORT: String(ports[app]) };
      const child = spawn(process.execPath, [join(DIST, 'apps', app, 'src', 'main.js')], { env: { ...env, ...appEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
      for (const stream of [child.stdout, child.stderr]) {
        stream?.on('data', (chunk: Buffer) => {
          for (const line of chunk.toString().split('\n')) if (line) logFile.write(`[${app}] ${line}\n`);
        });
      }
      child.once('exit', (code, signal) => {
        if (!stopping) exitedEarly ??= `${app} exited with ${signal ?? `code ${code}`} (its output is in ${options.logPath})`;
      });
      children.set(app, child);
    }
    for (const app of APPS) {
      await waitReady(`http://127.0.0.1:${ports[app]}${app === 'sandbox' ? '/sandbox/terminals' : '/health/ready'}`, () => exitedEarly);
    }

    const gatewayUrl = `http://127.0.0.1:${ports.gateway}`;
    const merchant = await setUpMerchant(adminApi(gatewayUrl, adminKey), { name: 'Homologación', cuit: MERCHANT_CUIT, paystoreTerminals: options.terminals });
    return {
      gatewayUrl,
      sandboxUrl: `http://127.0.0.1:${ports.sandbox}`,
      apiKey: merchant.apiKey,
      terminals: options.terminals,
      klioTerminals: merchant.terminals.klio,
      pagounoAccounts: merchant.terminals.pagouno,
      logPath: options.logPath,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
