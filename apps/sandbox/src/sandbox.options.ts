// Sandbox configuration: defaults, and how each SANDBOX_* environment variable maps onto them.
// docs/sandbox.md documents every option; keep the two in step.
import { DEFAULT_KLIO_SANDBOX_OPTIONS, readKlioOptionsFromEnv, type KlioSandboxOptions } from './klio-options';
import { DEFAULT_PAGOUNO_SANDBOX_OPTIONS, readPagounoOptionsFromEnv, type PagounoSandboxOptions } from './pagouno-options';

export interface TerminalSeed {
  terminalId: string;
  cuit: string;
  mode?: 'auto' | 'manual';
  takeDelayMs?: number;
}

export interface SandboxOptions {
  /** 0 picks a free port. */
  port: number;
  host: string;
  clientId: string;
  clientSecret: string;
  tokenTtlSeconds: number;
  /** Default delay before an automatic terminal takes an intent (and again before it finishes). */
  takeDelayMs: number;
  /** How long an amount ending in 08 stays PROCESSING_PAYMENT. */
  slowMs: number;
  /** How long a cancelled intent stays in UNDO_REQUEST before UNDONE. */
  undoMs: number;
  confirmationRequired: boolean;
  terminals: TerminalSeed[];
  /**
   * False removes fault injection, reset and the take/approve/decline/walk-away routes. From the
   * environment it defaults to off when NODE_ENV is `production` (SANDBOX_CONTROL=true turns it on).
   */
  control: boolean;
  requestLogLimit: number;
  /** Klio SmartPos: the API account and its virtual devices. */
  klio: KlioSandboxOptions;
  /** pagoUno: the account's private and public keys. */
  pagouno: PagounoSandboxOptions;
  /** Nest log levels to print; false prints nothing. */
  logLevels: false | Array<'log' | 'error' | 'warn' | 'debug' | 'verbose' | 'fatal'>;
}

export const SANDBOX_OPTIONS = Symbol('SANDBOX_OPTIONS');

export const DEFAULT_SANDBOX_OPTIONS: Readonly<SandboxOptions> = Object.freeze<SandboxOptions>({
  port: 4010,
  host: '0.0.0.0',
  clientId: 'ecr-bridge-sandbox',
  clientSecret: 'sandbox-secret',
  tokenTtlSeconds: 3600,
  takeDelayMs: 300,
  slowMs: 10_000,
  undoMs: 100,
  confirmationRequired: false,
  terminals: [],
  control: true,
  requestLogLimit: 100_000,
  pagouno: DEFAULT_PAGOUNO_SANDBOX_OPTIONS,
  klio: DEFAULT_KLIO_SANDBOX_OPTIONS,
  logLevels: ['error', 'warn'],
});

export const TERMINAL_ID_PATTERN = /^\d{8}$/;
const CUIT_PATTERN = /^(\d{2})-?(\d{8})-?(\d)$/;

/** The hyphenated form (`30-71234567-8`) of a CUIT given with or without hyphens, else null. */
export function normalizeCuit(value: string): string | null {
  const match = CUIT_PATTERN.exec(value.trim());
  return match === null ? null : `${match[1]}-${match[2]}-${match[3]}`;
}

/** Parses `CUIT:TID,TID;CUIT:TID` into terminal seeds; throws with the offending part. */
export function parseTerminalSeeds(text: string): TerminalSeed[] {
  const seeds: TerminalSeed[] = [];
  for (const group of text.split(';')) {
    if (group.trim() === '') continue;
    const colon = group.indexOf(':');
    if (colon < 0) throw new Error(`SANDBOX_TERMINALS: "${group}" must look like CUIT:TID,TID`);
    const cuit = normalizeCuit(group.slice(0, colon));
    if (cuit === null) throw new Error(`SANDBOX_TERMINALS: "${group.slice(0, colon)}" is not a CUIT`);
    for (const raw of group.slice(colon + 1).split(',')) {
      const terminalId = raw.trim();
      if (terminalId === '') continue;
      if (!TERMINAL_ID_PATTERN.test(terminalId)) {
        throw new Error(`SANDBOX_TERMINALS: terminal id "${terminalId}" must be 8 digits`);
      }
      seeds.push({ terminalId, cuit, mode: 'auto' });
    }
  }
  return seeds;
}

function readInt(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  if (!/^\d+$/.test(raw.trim())) throw new Error(`${name} must be a whole number, got "${raw}"`);
  const value = Number(raw.trim());
  if (value < min) throw new Error(`${name} must be at least ${min}, got ${value}`);
  return value;
}

function readBool(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (raw === undefined || raw === '') return fallback;
  if (['true', '1', 'yes', 'on'].includes(raw)) return true;
  if (['false', '0', 'no', 'off'].includes(raw)) return false;
  throw new Error(`${name} must be true or false, got "${env[name]}"`);
}

function readText(env: NodeJS.ProcessEnv, name: string, fallback: string): string {
  const raw = env[name];
  return raw === undefined || raw === '' ? fallback : raw;
}

export function readSandboxOptionsFromEnv(env: NodeJS.ProcessEnv): SandboxOptions {
  const d = DEFAULT_SANDBOX_OPTIONS;
  return {
    port: readInt(env, 'SANDBOX_PORT', d.port, 0),
    host: readText(env, 'SANDBOX_HOST', d.host),
    clientId: readText(env, 'SANDBOX_CLIENT_ID', d.clientId),
    clientSecret: readText(env, 'SANDBOX_CLIENT_SECRET', d.clientSecret),
    tokenTtlSeconds: readInt(env, 'SANDBOX_TOKEN_TTL_SECONDS', d.tokenTtlSeconds, 1),
    takeDelayMs: readInt(env, 'SANDBOX_TAKE_DELAY_MS', d.takeDelayMs, 0),
    slowMs: readInt(env, 'SANDBOX_SLOW_MS', d.slowMs, 0),
    undoMs: d.undoMs,
    confirmationRequired: readBool(env, 'SANDBOX_CONFIRMATION_REQUIRED', d.confirmationRequired),
    terminals: parseTerminalSeeds(env.SANDBOX_TERMINALS ?? ''),
    control: readBool(env, 'SANDBOX_CONTROL', env.NODE_ENV === 'production' ? false : d.control),
    requestLogLimit: readInt(env, 'SANDBOX_REQUEST_LOG_LIMIT', d.requestLogLimit, 1),
    pagouno: readPagounoOptionsFromEnv(env),
    klio: readKlioOptionsFromEnv(env),
    logLevels: ['log', 'error', 'warn'],
  };
}

export function resolveSandboxOptions(partial: Partial<SandboxOptions> = {}): SandboxOptions {
  const defined = Object.fromEntries(Object.entries(partial).filter(([, v]) => v !== undefined));
  const options: SandboxOptions = { ...DEFAULT_SANDBOX_OPTIONS, terminals: [], ...defined };
  for (const seed of options.terminals) {
    if (!TERMINAL_ID_PATTERN.test(seed.terminalId)) throw new Error(`terminal id "${seed.terminalId}" must be 8 digits`);
    if (normalizeCuit(seed.cuit) === null) throw new Error(`"${seed.cuit}" is not a CUIT`);
  }
  return options;
}
