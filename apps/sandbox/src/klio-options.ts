// The Klio SmartPos part of the sandbox configuration: the one API account (client id and
// secret, owned by a CUIT) and the virtual devices it starts with. By default two UNATTENDED
// devices belong to the demo merchant, so the demo can charge on Klio with no set-up.

export type KlioDeviceMode = 'DEFAULT' | 'UNATTENDED';

export interface KlioDeviceSeed {
  deviceId: string;
  deviceName?: string;
  terminalId?: string;
  /** UNATTENDED completes tasks by itself (magic amounts); DEFAULT waits for the virtual POS. */
  mode?: KlioDeviceMode;
  takeDelayMs?: number;
}

export interface KlioSandboxOptions {
  clientId: string;
  clientSecret: string;
  /** The CUIT of the merchant the account and its devices belong to. */
  cuit: string;
  devices: KlioDeviceSeed[];
}

export const DEFAULT_KLIO_SANDBOX_OPTIONS: Readonly<KlioSandboxOptions> = Object.freeze<KlioSandboxOptions>({
  clientId: 'klio-sandbox',
  clientSecret: 'klio-sandbox-secret',
  cuit: '30-71234567-1',
  devices: [
    { deviceId: 'E44E3A25-57B8-43E5-B093-65AAD4C01C45', deviceName: 'Caja 1', terminalId: '71000001', mode: 'UNATTENDED' },
    { deviceId: '5B0F2C1D-3E4A-4B6C-8D7E-9F0A1B2C3D4E', deviceName: 'Caja 2', terminalId: '71000002', mode: 'UNATTENDED' },
  ],
});

export function readKlioOptionsFromEnv(env: NodeJS.ProcessEnv): KlioSandboxOptions {
  const d = DEFAULT_KLIO_SANDBOX_OPTIONS;
  const pick = (name: string, fallback: string) => (env[name] === undefined || env[name] === '' ? fallback : (env[name] as string));
  return {
    clientId: pick('SANDBOX_KLIO_CLIENT_ID', d.clientId),
    clientSecret: pick('SANDBOX_KLIO_CLIENT_SECRET', d.clientSecret),
    cuit: pick('SANDBOX_KLIO_CUIT', d.cuit),
    devices: d.devices.map((device) => ({ ...device })),
  };
}
