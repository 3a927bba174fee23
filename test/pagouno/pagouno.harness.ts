// Contract-test harness for pagoUno: the real sandbox in this process over real HTTP, the real
// PagounoClient and adapter pointed at it, a buyer's device that tokenizes cards, and the
// sandbox's control routes (faults, the request log, reset). Client and sandbox share no code.
import { randomUUID } from 'node:crypto';
import { PagounoAdapter, PagounoClient, PagounoClientOptions, PagounoError } from '@app/pagouno-client';
import type { OperationEntity, PagounoRequest } from '@app/persistence';
import { startSandbox, type RunningSandbox } from '../../apps/sandbox/src/sandbox.app';
import type { SandboxOptions } from '../../apps/sandbox/src/sandbox.options';
import { operationFixture, rejectionOf } from '@app/testing';

export const PRIVATE_KEY = 'pagouno-contract-private-0123456789';
export const PUBLIC_KEY = 'pagouno-contract-public-0123456789';
export const CHARGE_PATH = '/pagouno/v1/Transaction/purchasegroup';
export const TOKEN_PATH = '/pagouno/v1/Transaction/token';
export const ADJUSTMENTS_SUFFIX = '/adjustments';

export interface LoggedRequest {
  method: string;
  path: string;
  query: Record<string, unknown>;
  body: unknown;
  status: number | null;
}

export interface Harness {
  url: string;
  baseUrl: string;
  client(options?: Partial<PagounoClientOptions>): PagounoClient;
  adapter(options?: Partial<PagounoClientOptions>): PagounoAdapter;
  /** Tokenizes one card as the buyer's device would (public key); answers the token id. */
  tokenize(pan?: string): Promise<string>;
  addFault(spec: Record<string, unknown>): Promise<void>;
  clearFaults(): Promise<void>;
  requests(filter?: { path?: string; method?: string }): Promise<LoggedRequest[]>;
  close(): Promise<void>;
}

export const reference = (tag: string): string => `${tag}-${randomUUID()}`;

export async function startHarness(options: Partial<SandboxOptions> = {}): Promise<Harness> {
  const sandbox: RunningSandbox = await startSandbox({
    port: 0,
    host: '127.0.0.1',
    logLevels: false,
    pagouno: { privateKey: PRIVATE_KEY, publicKey: PUBLIC_KEY },
    ...options,
  });
  const clients: PagounoClient[] = [];
  const baseUrl = `${sandbox.url}/pagouno`;
  const makeClient = (o: Partial<PagounoClientOptions> = {}): PagounoClient => {
    const client = new PagounoClient({ baseUrl, privateKey: PRIVATE_KEY, publicKey: PUBLIC_KEY, timeoutMs: 2000, ...o });
    clients.push(client);
    return client;
  };
  const control = async (method: string, path: string, body?: unknown): Promise<unknown> => {
    const res = await fetch(`${sandbox.url}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (res.status >= 300) throw new Error(`${method} ${path} answered ${res.status}: ${await res.text()}`);
    return res.json();
  };
  return {
    url: sandbox.url,
    baseUrl,
    client: makeClient,
    adapter: (o) => new PagounoAdapter(makeClient(o)),
    tokenize: async (pan = '4545454545458745') => {
      const res = await fetch(`${baseUrl}/v1/Transaction/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: PUBLIC_KEY, 'x-api-fp': '' },
        body: JSON.stringify([
          {
            primary_account_number: pan,
            expiration_date: '3012',
            card_security_code: '123',
            card_holder: { front_name: 'ANA PEREZ', email: 'ana@example.com', identification: { document_type: 'DNI', document_number: '30123456' } },
          },
        ]),
      });
      const body = (await res.json()) as { status: number; data: { id: string }[] | null };
      if (body.status !== 200 || !body.data) throw new Error(`tokenize answered ${JSON.stringify(body)}`);
      return body.data[0].id;
    },
    addFault: async (spec) => {
      await control('POST', '/sandbox/faults', spec);
    },
    clearFaults: async () => {
      await control('DELETE', '/sandbox/faults');
    },
    requests: async (filter = {}) => {
      const q = new URLSearchParams(Object.entries(filter).filter(([, v]) => v !== undefined) as [string, string][]).toString();
      return ((await control('GET', `/sandbox/requests${q ? `?${q}` : ''}`)) as { data: LoggedRequest[] }).data;
    },
    close: async () => {
      for (const c of clients) c.shutdown();
      await sandbox.close();
    },
  };
}

/** A payment operation as the gateway would have stored it, for the adapter. */
export function paymentOp(pagouno: PagounoRequest, id = reference('pay')): OperationEntity {
  const amount = pagouno.cards.flatMap((c) => c.purchases).reduce((sum, p) => sum + p.amount, 0);
  return operationFixture({ id, merchantId: 'm-1', provider: 'pagouno', terminalIds: ['pagouno-main'], amount, request: { pagouno } });
}

/** A reversal operation of `payment`. */
export function reversalOp(payment: OperationEntity, id = reference('rev')): OperationEntity {
  return { ...paymentOp({ cards: [] }, id), type: 'reversal', amount: payment.amount, paymentId: payment.id, request: {} } as OperationEntity;
}

export function purchase(merchantCode: string, amount: number, extra: Partial<PagounoRequest['cards'][number]['purchases'][number]> = {}) {
  return { merchantCode, amount, installments: 1, plan: null, sellerDescriptor: 'P1*TIENDA', ...extra };
}

export const pagounoFailure = (promise: Promise<unknown>): Promise<PagounoError> => rejectionOf(promise, PagounoError);
