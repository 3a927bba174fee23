// Contract-test harness: the real sandbox in this process over real HTTP, the real PaystoreClient
// pointed at it, and a small driver for the sandbox's control routes (terminals, POS buttons,
// faults, the request log). The client and the sandbox share no code; this file only starts one
// and points the other at it.
import { PaystoreClient, PaystoreClientOptions, PaystoreError } from '@app/paystore-client';
import { startSandbox, type RunningSandbox } from '../../apps/sandbox/src/sandbox.app';
import type { SandboxOptions } from '../../apps/sandbox/src/sandbox.options';
import { rejectionOf } from '@app/testing';

export const CUIT = '30-71234567-8';
export const OTHER_CUIT = '30-99999999-1';
export const CLIENT_ID = 'paystore-contract';
export const CLIENT_SECRET = 'contract-secret-0123456789';

export const PAYMENTS_PATH = '/v1/paystore_terminals/terminal_payments/payments';
export const REVERSALS_PATH = '/v1/paystore_terminals/terminal_reversals/reversals';
export const REFUNDS_PATH = '/v1/paystore_terminals/terminal_refunds/refunds';
export const SETTLEMENTS_PATH = '/v1/paystore_terminals/terminal_settlements/settlements';
export const TOKEN_PATH = '/v1/oauth/accesstoken';

export interface LoggedRequest {
  at: string;
  method: string;
  path: string;
  query: Record<string, unknown>;
  body: unknown;
  status: number | null;
}

export interface TerminalIntent {
  id: string;
  kind: string;
  status: string;
  takenBy: string | null;
  takenHere: boolean;
  ecrTransactionId: string | null;
}

export interface FaultSpec {
  match?: { method?: string; path?: string };
  errorRate?: number;
  status?: number;
  latencyMs?: number;
  dropConnection?: boolean;
  forSeconds?: number;
}

export class SandboxControl {
  constructor(readonly url: string) {}

  async registerTerminal(
    terminalId: string,
    options: { cuit?: string; mode?: 'auto' | 'manual'; takeDelayMs?: number; offline?: boolean } = {},
  ): Promise<void> {
    await this.post('/sandbox/terminals', { terminalId, cuit: options.cuit ?? CUIT, ...options });
  }

  async setMode(terminalId: string, change: { mode?: 'auto' | 'manual'; offline?: boolean; takeDelayMs?: number }): Promise<void> {
    await this.post(`/sandbox/terminals/${terminalId}/mode`, change);
  }

  take(terminalId: string, paymentId: string, choice: { brand?: string; entryMode?: string } = {}): Promise<Response> {
    return this.send('POST', `/sandbox/terminals/${terminalId}/take`, { paymentId, ...choice });
  }

  approve(terminalId: string, paymentId: string, choice: { brand?: string; entryMode?: string } = {}): Promise<Response> {
    return this.send('POST', `/sandbox/terminals/${terminalId}/approve`, { paymentId, ...choice });
  }

  decline(terminalId: string, paymentId: string): Promise<Response> {
    return this.send('POST', `/sandbox/terminals/${terminalId}/decline`, { paymentId });
  }

  async intents(terminalId: string): Promise<TerminalIntent[]> {
    const res = await this.send('GET', `/sandbox/terminals/${terminalId}/intents`);
    return ((await res.json()) as { data: TerminalIntent[] }).data;
  }

  async addFault(spec: FaultSpec): Promise<void> {
    await this.post('/sandbox/faults', spec);
  }

  async clearFaults(): Promise<void> {
    const res = await this.send('DELETE', '/sandbox/faults');
    if (!res.ok) throw new Error(`clearing faults answered ${res.status}`);
  }

  async requests(filter: { path?: string; method?: string } = {}): Promise<LoggedRequest[]> {
    const qs = new URLSearchParams(Object.entries(filter).filter((e): e is [string, string] => e[1] !== undefined));
    const res = await this.send('GET', `/sandbox/requests${qs.size > 0 ? `?${qs.toString()}` : ''}`);
    return ((await res.json()) as { data: LoggedRequest[] }).data;
  }

  async reset(): Promise<void> {
    await this.post('/sandbox/reset', {});
  }

  private async post(path: string, body: unknown): Promise<unknown> {
    const res = await this.send('POST', path, body);
    const text = await res.text();
    if (!res.ok) throw new Error(`sandbox ${path} answered ${res.status}: ${text}`);
    return text ? (JSON.parse(text) as unknown) : undefined;
  }

  private send(method: string, path: string, body?: unknown): Promise<Response> {
    return fetch(`${this.url}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  }
}

export interface Harness {
  sandbox: RunningSandbox;
  control: SandboxControl;
  /** A client for the sandbox; every client made here is shut down by `close`. */
  client(options?: Partial<PaystoreClientOptions>): PaystoreClient;
  close(): Promise<void>;
}

export async function startHarness(options: Partial<SandboxOptions> = {}): Promise<Harness> {
  const sandbox = await startSandbox({
    port: 0,
    host: '127.0.0.1',
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    takeDelayMs: 50,
    slowMs: 600,
    logLevels: false,
    ...options,
  });
  const clients: PaystoreClient[] = [];
  return {
    sandbox,
    control: new SandboxControl(sandbox.url),
    client(overrides = {}) {
      const client = new PaystoreClient({
        baseUrl: sandbox.url,
        clientId: CLIENT_ID,
        clientSecret: CLIENT_SECRET,
        subnetAcquirerId: '1',
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

export { eventually } from '@app/testing';

/** The PaystoreError a promise rejects with; fails the test if it resolves or throws anything else. */
export const paystoreFailure = (promise: Promise<unknown>): Promise<PaystoreError> => rejectionOf(promise, PaystoreError);

let counter = 0;
/** A fresh ecr_transaction_id per test, so lookups by reference never see another test's intent. */
export function reference(prefix = 'ecr'): string {
  counter += 1;
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${counter}`;
}

export { sleep } from '@app/testing';
