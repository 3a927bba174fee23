// `npm run homologation`: runs the provider's homologation cases against the configured
// environment and writes the report (.csv and .xlsx). With no GATEWAY_URL it starts a system of
// its own on the sandbox (HOMOLOGATION_SETUP=sandbox) and stops it afterwards. Exit code 0 when
// every case passed, 1 when one failed, 2 when the run could not start. docs/homologation.md.
import { join } from 'node:path';
import { HOMOLOGATION_CASES, HomologationCase, terminalsNeeded } from './homologation.cases';
import { SandboxDesk } from './homologation.client';
import { runHomologation } from './homologation.runner';
import { OwnSystem, startOwnSystem } from './homologation.system';

const DEFAULT_TERMINALS = '38011128,38011129,38011130';

class ConfigError extends Error {}

function pickCases(list: string | undefined): readonly HomologationCase[] {
  if (!list) return HOMOLOGATION_CASES;
  const ids = list.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = ids.filter((id) => !HOMOLOGATION_CASES.some((c) => c.id === id));
  if (unknown.length) {
    throw new ConfigError(`HOMOLOGATION_CASES: unknown case ${unknown.join(', ')}; the cases are ${HOMOLOGATION_CASES.map((c) => c.id).join(', ')}`);
  }
  return HOMOLOGATION_CASES.filter((c) => ids.includes(c.id));
}

function stamp(date: Date): string {
  return date.toISOString().replace(/\.\d+Z$/, 'Z').replace(/:/g, '-');
}

async function main(): Promise<number> {
  const env = process.env;
  const setup = (env.HOMOLOGATION_SETUP ?? (env.GATEWAY_URL ? 'none' : 'sandbox')).toLowerCase();
  if (setup !== 'sandbox' && setup !== 'none') throw new ConfigError(`HOMOLOGATION_SETUP must be "sandbox" or "none", not "${setup}"`);
  const terminals = (env.HOMOLOGATION_TERMINALS ?? DEFAULT_TERMINALS).split(',').map((s) => s.trim()).filter(Boolean);
  const actions = env.HOMOLOGATION_TERMINAL_ACTIONS?.toLowerCase();
  if (actions !== undefined && actions !== 'sandbox' && actions !== 'person') {
    throw new ConfigError(`HOMOLOGATION_TERMINAL_ACTIONS must be "sandbox" or "person", not "${actions}"`);
  }
  const cases = pickCases(env.HOMOLOGATION_CASES);
  const needed = terminalsNeeded(cases);
  if (terminals.length < needed) {
    throw new ConfigError(`HOMOLOGATION_TERMINALS: the cases need ${needed} terminals, ${terminals.length} given (${terminals.join(', ')})`);
  }
  const outDir = env.HOMOLOGATION_OUT ?? join('reports', `homologation-${stamp(new Date())}`);

  let system: OwnSystem | null = null;
  let gatewayUrl: string;
  let apiKey: string;
  let sandboxUrl = env.SANDBOX_URL ?? 'http://127.0.0.1:4010';
  let terminalActions: 'sandbox' | 'person';
  const stopSystem = async () => {
    const running = system;
    system = null;
    if (running) {
      process.stdout.write('Stopping the system started for this run…\n');
      await running.stop();
    }
  };
  const interrupted = () => {
    process.stderr.write('\ninterrupted\n');
    void stopSystem().finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);

  if (setup === 'sandbox') {
    if (env.GATEWAY_URL) process.stdout.write(`HOMOLOGATION_SETUP=sandbox: GATEWAY_URL (${env.GATEWAY_URL}) is not used, the run starts its own gateway\n`);
    process.stdout.write('Starting a system of its own on the sandbox (throw-away database, sandbox, gateway, workers)…\n');
    system = await startOwnSystem({
      terminals,
      logPath: join(outDir, 'system.log'),
      baseDatabaseUrl: env.DATABASE_URL,
      redisUrl: env.REDIS_URL,
    });
    gatewayUrl = system.gatewayUrl;
    apiKey = system.apiKey;
    sandboxUrl = system.sandboxUrl;
    terminalActions = actions ?? 'sandbox';
  } else {
    gatewayUrl = env.GATEWAY_URL ?? 'http://127.0.0.1:3000';
    if (!env.ECR_API_KEY) throw new ConfigError('ECR_API_KEY (the merchant API key) is required unless HOMOLOGATION_SETUP=sandbox');
    apiKey = env.ECR_API_KEY;
    terminalActions = actions ?? ((await new SandboxDesk(sandboxUrl).knows(terminals[0])) ? 'sandbox' : 'person');
  }

  try {
    const run = await runHomologation({ gatewayUrl, apiKey, terminals, terminalActions, sandboxUrl, outDir, cases });
    return run.passed ? 0 : 1;
  } finally {
    await stopSystem();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    const message = err instanceof ConfigError ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err);
    process.stderr.write(`homologation could not run: ${message}\n`);
    process.exit(2);
  },
);
