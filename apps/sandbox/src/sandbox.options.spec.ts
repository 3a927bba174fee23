import { normalizeCuit, parseTerminalSeeds, readSandboxOptionsFromEnv, resolveSandboxOptions } from './sandbox.options';

describe('parseTerminalSeeds', () => {
  it('reads CUIT:TID,TID;CUIT:TID as automatic terminals', () => {
    expect(parseTerminalSeeds('30-71234567-8:38011128,38011129;20-12345678-9:38011130')).toEqual([
      { terminalId: '38011128', cuit: '30-71234567-8', mode: 'auto' },
      { terminalId: '38011129', cuit: '30-71234567-8', mode: 'auto' },
      { terminalId: '38011130', cuit: '20-12345678-9', mode: 'auto' },
    ]);
  });

  it('rejects a terminal id that is not 8 digits and a group without a colon', () => {
    expect(() => parseTerminalSeeds('30-71234567-8:1234')).toThrow(/8 digits/);
    expect(() => parseTerminalSeeds('38011128')).toThrow(/CUIT:TID/);
  });
});

describe('normalizeCuit', () => {
  it('accepts a CUIT with or without hyphens and rejects anything else', () => {
    expect(normalizeCuit('30712345678')).toBe('30-71234567-8');
    expect(normalizeCuit('30-71234567-8')).toBe('30-71234567-8');
    expect(normalizeCuit('30-7123-4567')).toBeNull();
  });
});

describe('readSandboxOptionsFromEnv', () => {
  it('uses the documented defaults when nothing is set', () => {
    expect(readSandboxOptionsFromEnv({})).toMatchObject({
      port: 4010,
      host: '0.0.0.0',
      clientId: 'ecr-bridge-sandbox',
      clientSecret: 'sandbox-secret',
      tokenTtlSeconds: 3600,
      takeDelayMs: 300,
      slowMs: 10_000,
      confirmationRequired: false,
      control: true,
      requestLogLimit: 100_000,
      terminals: [],
    });
  });

  it('reads every SANDBOX_* variable', () => {
    const options = readSandboxOptionsFromEnv({
      SANDBOX_PORT: '0',
      SANDBOX_HOST: '127.0.0.1',
      SANDBOX_CLIENT_ID: 'id',
      SANDBOX_CLIENT_SECRET: 'secret',
      SANDBOX_TOKEN_TTL_SECONDS: '2',
      SANDBOX_TAKE_DELAY_MS: '0',
      SANDBOX_SLOW_MS: '50',
      SANDBOX_CONFIRMATION_REQUIRED: 'true',
      SANDBOX_TERMINALS: '30-71234567-8:38011128',
      SANDBOX_CONTROL: 'false',
      SANDBOX_REQUEST_LOG_LIMIT: '10',
    });
    expect(options).toMatchObject({
      port: 0,
      host: '127.0.0.1',
      clientId: 'id',
      clientSecret: 'secret',
      tokenTtlSeconds: 2,
      takeDelayMs: 0,
      slowMs: 50,
      confirmationRequired: true,
      control: false,
      requestLogLimit: 10,
      terminals: [{ terminalId: '38011128', cuit: '30-71234567-8', mode: 'auto' }],
    });
  });

  it('keeps the control routes off by default when NODE_ENV is production, unless SANDBOX_CONTROL turns them on', () => {
    expect(readSandboxOptionsFromEnv({ NODE_ENV: 'production' }).control).toBe(false);
    expect(readSandboxOptionsFromEnv({ NODE_ENV: 'production', SANDBOX_CONTROL: '' }).control).toBe(false);
    expect(readSandboxOptionsFromEnv({ NODE_ENV: 'production', SANDBOX_CONTROL: 'true' }).control).toBe(true);
    expect(readSandboxOptionsFromEnv({ NODE_ENV: 'development' }).control).toBe(true);
    expect(readSandboxOptionsFromEnv({ NODE_ENV: 'test', SANDBOX_CONTROL: 'false' }).control).toBe(false);
  });

  it('refuses values that are not numbers or booleans', () => {
    expect(() => readSandboxOptionsFromEnv({ SANDBOX_PORT: 'abc' })).toThrow(/SANDBOX_PORT/);
    expect(() => readSandboxOptionsFromEnv({ SANDBOX_CONTROL: 'maybe' })).toThrow(/SANDBOX_CONTROL/);
    expect(() => readSandboxOptionsFromEnv({ SANDBOX_TOKEN_TTL_SECONDS: '0' })).toThrow(/at least 1/);
  });
});

describe('resolveSandboxOptions', () => {
  it('fills what the caller left out and ignores undefined values', () => {
    expect(resolveSandboxOptions({ port: 0, slowMs: undefined })).toMatchObject({ port: 0, slowMs: 10_000, takeDelayMs: 300 });
  });
});
