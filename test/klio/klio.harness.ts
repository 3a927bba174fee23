// Contract-test harness for Klio SmartPos: the real sandbox in this process over real HTTP, the
// real KlioClient pointed at it, and a small driver for the sandbox's Klio control routes.
import { KlioClient, KlioClientOptions, KlioError, KlioTaskPayment } from '@app/klio-client';
import { startSandbox, type RunningSandbox } from '../../apps/sandbox/src/sandbox.app';
import type { SandboxOptions } from '../../apps/sandbox/src/sandbox.options';
import { rejectionOf } from '@app/testing';

export const KLIO_CUIT = '30-71234567-1';
export const KLIO_CLIENT_ID = 'klio-contract';
export const KLIO_CLIENT_SECRET = 'klio-contract-secret-0123';
export const DEVICE = 'E44E3A25-57B8-43E5-B093-65AAD4C01C45';
export const DEVICE_2 = '5B0F2C1D-3E4A-4B6C-8D7E-9F0A1B2C3D4E';
export const TASKS_PATH = '/external/posdevice-api/tasks-request';

export interface LoggedRequest {
  method: string;
  path: string;
  query: Record<string, unknown>;
  body: unknown;
  status: number | null;
}

export class KlioControl {
  constructor(readonly url: string) {}

  async addDevice(device: { deviceId?: string; mode?: 'DEFAULT' | 'UNATTENDED'; takeDelayMs?: number; terminalId?: string }): Promise<{ deviceId: string }> {
    return ((await this.post('/sandbox/klio/devices', device)) as { data: { deviceId: string } }).data;
  }

  async approve(taskId: string): Promise<void> {
    await this.post(`/sandbox/klio/tasks/${taskId}/approve`, {});
  }

  async age(taskId: string, days: number): Promise<void> {
    await this.post(`/sandbox/klio/tasks/${taskId}/age`, { days });
  }

  async addFault(spec: { match?: { method?: string; path?: string }; status?: number; latencyMs?: number; errorRate?: number }): Promise<void> {
    await this.post('/sandbox/faults', spec);
  }

  async clearFaults(): Promise<void> {
    await fetch(`${this.url}/sandbox/faults`, { method: 'DELETE' });
  }

  async requests(filter: { path?: string; method?: string } = {}): Promise<LoggedRequest[]> {
    const qs = new URLSearchParams(Object.entries(filter).filter((e): e is [string, string] => e[1] !== undefined));
    const res = await fetch(`${this.url}/sandbox/requests${qs.size > 0 ? `?${qs.toString()}` : ''}`);
    return ((await res.json()) as { data: LoggedRequest[] }).data;
  }

  async reset(): Promise<void> {
    await this.post('/sandbox/reset', {});
  }

  async post(path: string, body: unknown): Promise<unknown> {
    const res = await fetch(`${this.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const text = await res.text();
    if (!res.ok) throw new Error(`sandbox ${path} answered ${res.status}: ${text}`);
    return text ? (JSON.parse(text) as unknown) : undefined;
  }
}

export interface KlioHarness {
  sandbox: RunningSandbox;
  control: KlioControl;
  client(options?: Partial<KlioClientOptions>): KlioClient;
  close(): Promise<void>;
}

export async function startKlioHarness(options: Partial<SandboxOptions> = {}): Promise<KlioHarness> {
  const sandbox = await startSandbox({
    port: 0,
    host: '127.0.0.1',
    takeDelayMs: 20,
    slowMs: 600,
    logLevels: false,
    klio: {
      clientId: KLIO_CLIENT_ID,
      clientSecret: KLIO_CLIENT_SECRET,
      cuit: KLIO_CUIT,
      devices: [
        { deviceId: DEVICE, deviceName: 'Caja 1', terminalId: '71000001', mode: 'UNATTENDED' },
        { deviceId: DEVICE_2, deviceName: 'Caja 2', terminalId: '71000002', mode: 'UNATTENDED' },
      ],
    },
    ...options,
  });
  const clients: KlioClient[] = [];
  return {
    sandbox,
    control: new KlioControl(sandbox.url),
    client(overrides = {}) {
      const client = new KlioClient({
        baseUrl: sandbox.url,
        clientId: KLIO_CLIENT_ID,
        clientSecret: KLIO_CLIENT_SECRET,
        timeoutMs: 5_000,
        onUnknownEnum: (field, value) => {
          throw new Error(`the sandbox sent an unknown ${field} ${value}`);
        },
        ...overrides,
      });
      clients.push(client);
      return client;
    },
    async close() {
      for (const client of clients) client.shutdown();
      await sandbox.close();
    },
  };
}

export { eventually, sleep } from '@app/testing';

export const klioFailure = (promise: Promise<unknown>): Promise<KlioError> => rejectionOf(promise, KlioError);

let counter = 0;
export function origin(prefix = 'op'): string {
  counter += 1;
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${counter}`;
}

/** A card payment task for `pesos`. */
export function cardPayment(pesos: number, originID = origin('pay'), extra: Partial<KlioTaskPayment> = {}): KlioTaskPayment {
  return {
    originID,
    operationType: 'PAYMENT',
    executionOrder: 1,
    printTicket: 'auto',
    qrMethod: { accountMoney: false },
    cardMethod: { credit: true, creditInterestPayer: 'client', creditInstallmentsOption: false, creditInstallments: 1, debit: true },
    originalAmount: { amount: pesos, currency: 'ARS' },
    ...extra,
  };
}

export function qrPayment(pesos: number, originID = origin('qr')): KlioTaskPayment {
  return {
    originID,
    operationType: 'PAYMENT',
    qrMethod: { accountMoney: true },
    cardMethod: { credit: false, debit: false },
    originalAmount: { amount: pesos, currency: 'ARS' },
  };
}

export function annulment(sourceOriginID: string, pesos: number, originID = origin('ann')): KlioTaskPayment {
  return { originID, operationType: 'ANNULMENT', sourceOriginID, originalAmount: { amount: pesos, currency: 'ARS' } };
}
