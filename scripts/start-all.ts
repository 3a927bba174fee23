// `npm start`: the whole system on one machine, against the built-in sandbox by default. Runs the
// migrations, starts every app as its own process (as in production), seeds a demo merchant with
// terminals, and prints the URLs and the demo key. Ctrl-C stops everything.
import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const DIST = join(__dirname, '..');
const DEMO_CUIT = process.env.DEMO_CUIT ?? '30-71234567-1';
const DEMO_TERMINALS = (process.env.DEMO_TERMINALS ?? '38011128,38011129,38011130').split(',');

interface AppSpec {
  name: string;
  entry: string;
  port: number;
  env?: Record<string, string>;
}

const env = { ...process.env };
env.ADMIN_API_KEY ??= `adm_${randomBytes(24).toString('base64url')}`;
const sandboxPort = Number(env.SANDBOX_PORT ?? 4010);
const gatewayPort = Number(env.PORT ?? 3000);
const usingSandbox = !process.env.PAYSTORE_BASE_URL;
env.PAYSTORE_BASE_URL ??= `http://127.0.0.1:${sandboxPort}`;
if (usingSandbox) {
  env.KLIO_BASE_URL ??= `http://127.0.0.1:${sandboxPort}`;
  env.PAGOUNO_BASE_URL ??= `http://127.0.0.1:${sandboxPort}/pagouno`;
}
/** The demo's pagoUno account, registered as a terminal of the demo merchant. */
const DEMO_PAGOUNO = 'pagouno-demo';

const apps: AppSpec[] = [
  ...(usingSandbox
    ? [
        {
          name: 'sandbox',
          entry: 'apps/sandbox/src/main.js',
          port: sandboxPort,
          // The demo's POS page needs the control routes, which NODE_ENV=production turns off by default.
          env: { SANDBOX_TERMINALS: `${DEMO_CUIT}:${DEMO_TERMINALS.join(',')}`, SANDBOX_CONTROL: env.SANDBOX_CONTROL ?? 'true' },
        },
      ]
    : []),
  { name: 'gateway', entry: 'apps/gateway/src/main.js', port: gatewayPort },
  { name: 'payments', entry: 'apps/payments/src/main.js', port: gatewayPort + 1 },
  { name: 'reversals', entry: 'apps/reversals/src/main.js', port: gatewayPort + 2 },
  { name: 'settlements', entry: 'apps/settlements/src/main.js', port: gatewayPort + 3 },
  { name: 'webhooks', entry: 'apps/webhooks/src/main.js', port: gatewayPort + 4 },
].filter((a) => existsSync(join(DIST, a.entry)));

const children: ChildProcess[] = [];
let stopping = false;

function run(name: string, args: string[], extra: Record<string, string> = {}): ChildProcess {
  const child = spawn(process.execPath, args, { env: { ...env, ...extra }, stdio: ['ignore', 'pipe', 'pipe'] });
  const prefix = `[${name}] `;
  const pipe = (stream: NodeJS.ReadableStream, out: NodeJS.WriteStream) => {
    let buf = '';
    stream.on('data', (chunk: Buffer) => {
      buf += chunk.toString();
      const lines = buf.split('\n');
      buf = lines.pop() ?? '';
      for (const line of lines) out.write(prefix + line + '\n');
    });
  };
  pipe(child.stdout!, process.stdout);
  pipe(child.stderr!, process.stderr);
  return child;
}

async function waitReady(url: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${url} did not become ready`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

async function admin<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(`http://127.0.0.1:${gatewayPort}${path}`, {
    method,
    headers: { authorization: `Bearer ${env.ADMIN_API_KEY}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, body: (await res.json().catch(() => ({}))) as T };
}

async function seedDemo(): Promise<{ merchantId: string; apiKey: string; klio: string[] }> {
  const created = await admin<{ id: string; apiKey: string }>('POST', '/v1/admin/merchants', { name: 'Demo Kiosco', cuit: DEMO_CUIT });
  let merchantId: string;
  let apiKey: string;
  if (created.status === 201) {
    merchantId = created.body.id;
    apiKey = created.body.apiKey;
  } else {
    const list = await admin<{ data: { id: string; cuit: string }[] }>('GET', '/v1/admin/merchants?limit=200');
    const found = list.body.data?.find((m) => m.cuit === DEMO_CUIT);
    if (!found) throw new Error(`could not create or find the demo merchant (HTTP ${created.status})`);
    merchantId = found.id;
    const key = await admin<{ apiKey: string }>('POST', `/v1/admin/merchants/${merchantId}/api-keys`);
    apiKey = key.body.apiKey;
  }
  for (const terminalId of DEMO_TERMINALS) {
    await admin('PUT', `/v1/admin/merchants/${merchantId}/terminals/${terminalId}`, { provider: 'paystore', label: `Caja ${terminalId.slice(-1)}` });
  }
  // Against the sandbox, the demo also charges on Klio SmartPos devices and on pagoUno.
  const klio: string[] = [];
  if (usingSandbox) {
    const synced = await admin<{ registered?: { terminalId: string }[]; updated?: { terminalId: string }[] }>(
      'POST',
      `/v1/admin/merchants/${merchantId}/klio-devices/sync`,
      {},
    );
    klio.push(...[...(synced.body.registered ?? []), ...(synced.body.updated ?? [])].map((t) => t.terminalId));
    await admin('PUT', `/v1/admin/merchants/${merchantId}/terminals/${DEMO_PAGOUNO}`, { provider: 'pagouno', label: 'Tienda online' });
  }
  return { merchantId, apiKey, klio };
}

function stopAll(code = 0): void {
  if (stopping) return;
  stopping = true;
  for (const c of children) c.kill('SIGTERM');
  setTimeout(() => process.exit(code), 10_000).unref();
  Promise.all(children.map((c) => new Promise((r) => (c.exitCode !== null ? r(null) : c.once('exit', r))))).then(() => process.exit(code));
}

async function main(): Promise<void> {
  const migrate = run('migrate', [join(DIST, 'libs/persistence/src/migrate.js')]);
  const code = await new Promise<number>((r) => migrate.once('exit', (c) => r(c ?? 1)));
  if (code !== 0) throw new Error('migrations failed; is Postgres running (DATABASE_URL)?');

  for (const app of apps) {
    const child = run(app.name, [join(DIST, app.entry)], {
      ...(app.env ?? {}),
      ...(app.name === 'sandbox' ? { SANDBOX_PORT: String(app.port) } : { PORT: String(app.port) }),
    });
    child.once('exit', (c) => {
      if (!stopping) {
        process.stderr.write(`[${app.name}] exited with code ${c}; stopping everything\n`);
        stopAll(1);
      }
    });
    children.push(child);
  }
  for (const app of apps) {
    const path = app.name === 'sandbox' ? '/sandbox/terminals' : '/health/ready';
    await waitReady(`http://127.0.0.1:${app.port}${path}`);
  }
  const demo = await seedDemo();
  const lines = [
    '',
    'ecr-bridge is running.',
    `  Gateway API       http://127.0.0.1:${gatewayPort}        (OpenAPI: /docs)`,
    usingSandbox ? `  Sandbox           http://127.0.0.1:${sandboxPort}` : `  Provider          ${env.PAYSTORE_BASE_URL}`,
    ...(usingSandbox ? DEMO_TERMINALS.map((t) => `  Virtual POS       http://127.0.0.1:${sandboxPort}/sandbox/pos/${t}`) : []),
    ...apps.filter((a) => a.name !== 'sandbox' && a.name !== 'gateway').map((a) => `  ${a.name.padEnd(17)} http://127.0.0.1:${a.port}/health/ready`),
    `  Demo merchant     ${demo.merchantId} (CUIT ${DEMO_CUIT}), terminals ${DEMO_TERMINALS.join(', ')}`,
    ...(demo.klio.length > 0 ? [`  Klio devices      ${demo.klio.join(', ')}; pagoUno account ${DEMO_PAGOUNO} (docs/providers.md)`] : []),
    `  Demo API key      ${demo.apiKey}`,
    `  Admin API key     ${process.env.ADMIN_API_KEY ? '(from ADMIN_API_KEY)' : env.ADMIN_API_KEY}`,
    '',
    'Try it:',
    `  curl -s -X POST http://127.0.0.1:${gatewayPort}/v1/payments -H "Authorization: Bearer ${demo.apiKey}" \\`,
    `    -H "Idempotency-Key: demo-$(date +%s)" -H "Content-Type: application/json" -H "Prefer: wait=10" \\`,
    `    -d '{"terminalIds":["${DEMO_TERMINALS[0]}"],"amount":150000,"currency":"ARS"}'`,
    '',
  ];
  process.stdout.write(lines.join('\n') + '\n');
}

process.once('SIGINT', () => stopAll(0));
process.once('SIGTERM', () => stopAll(0));
main().catch((err: unknown) => {
  process.stderr.write(`start failed: ${err instanceof Error ? err.message : String(err)}\n`);
  stopAll(1);
});
