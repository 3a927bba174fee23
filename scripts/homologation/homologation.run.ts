// `npm run homologation`: runs the providers' homologation cases (PayStore, Klio SmartPos,
// pagoUno) against the configured environment and writes the report (.csv and .xlsx). With no
// GATEWAY_URL it starts a system of its own on the sandbox (HOMOLOGATION_SETUP=sandbox) and stops
// it afterwards. Exit code 0 when no case failed (skipped ones do not fail the run), 1 when one
// failed, 2 when the run could not start. docs/homologation.md.
import { join } from 'node:path';
import { HOMOLOGATION_CASES, HomologationCase, terminalsNeeded } from './homologation.cases';
import { DEFAULT_PAGOUNO_MERCHANTS, DEFAULT_TEST_CARDS, SandboxDesk, TestCard } from './homologation.client';
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

/** A comma-separated list; undefined when the variable is not set. */
function list(value: string | undefined): string[] | undefined {
  return value === undefined ? undefined : value.split(',').map((s) => s.trim()).filter(Boolean);
}

/** `HOMOLOGATION_PAGOUNO_CARDS`: `number:YYMM:code` per card, comma-separated. */
function testCards(value: string | undefined): readonly TestCard[] {
  if (value === undefined) return DEFAULT_TEST_CARDS;
  return (list(value) ?? []).map((entry, i) => {
    const [number, expiry, securityCode] = entry.split(':').map((s) => s.trim());
    if (!/^\d{13,19}$/.test(number ?? '') || !/^\d{2}(0[1-9]|1[0-2])$/.test(expiry ?? '') || !/^\d{3,4}$/.test(securityCode ?? '')) {
      throw new ConfigError(`HOMOLOGATION_PAGOUNO_CARDS: card ${i + 1} must be number:YYMM:code (digits), e.g. 4545454545458745:3012:123`);
    }
    return { number, expiry, securityCode, holder: `HOMOLOGACION ${i + 1}` };
  });
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
  const needed = terminalsNeeded(cases).paystore;
  if (terminals.length < needed) {
    throw new ConfigError(`HOMOLOGATION_TERMINALS: the cases need ${needed} terminals, ${terminals.length} given (${terminals.join(', ')})`);
  }
  const outDir = env.HOMOLOGATION_OUT ?? join('reports', `homologation-${stamp(new Date())}`);

  let system: OwnSystem | null = null;
  let gatewayUrl: string;
  let apiKey: string;
  let sandboxUrl = env.SANDBOX_URL ?? 'http://127.0.0.1:4010';
  let terminalActions: 'sandbox' | 'person';
  let klioTerminals = list(env.HOMOLOGATION_KLIO_TERMINALS);
  let pagounoAccounts = list(env.HOMOLOGATION_PAGOUNO_ACCOUNTS);
  const cards = testCards(env.HOMOLOGATION_PAGOUNO_CARDS);
  const merchantCodes = list(env.HOMOLOGATION_PAGOUNO_MERCHANTS) ?? DEFAULT_PAGOUNO_MERCHANTS;
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
    klioTerminals = system.klioTerminals;
    pagounoAccounts = system.pagounoAccounts;
  } else {
    gatewayUrl = env.GATEWAY_URL ?? 'http://127.0.0.1:3000';
    if (!env.ECR_API_KEY) throw new ConfigError('ECR_API_KEY (the merchant API key) is required unless HOMOLOGATION_SETUP=sandbox');
    apiKey = env.ECR_API_KEY;
    terminalActions = actions ?? ((await new SandboxDesk(sandboxUrl).knows(terminals[0])) ? 'sandbox' : 'person');
  }

  try {
    // pagoUno's tokenization, which the run calls for its test cards: the sandbox's unless told.
    const pagouno = {
      baseUrl: setup === 'sandbox' ? `${sandboxUrl}/pagouno` : (env.PAGOUNO_BASE_URL ?? `${sandboxUrl}/pagouno`),
      publicKey: (setup === 'sandbox' ? undefined : env.PAGOUNO_PUBLIC_KEY) ?? 'pagouno-sandbox-public-key',
      cards,
      merchantCodes,
    };
    const run = await runHomologation({ gatewayUrl, apiKey, terminals, klioTerminals, pagounoAccounts, pagouno, terminalActions, sandboxUrl, outDir, cases });
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
