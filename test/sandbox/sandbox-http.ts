// Test helpers: a thin provider client over plain fetch, speaking the PayStore wire to an
// in-process sandbox, plus the few wire shapes the tests read.
import { startSandbox, type RunningSandbox } from '../../apps/sandbox/src/sandbox.app';
import type { SandboxOptions } from '../../apps/sandbox/src/sandbox.options';

export const CUIT = '30-71234567-8';
export const OTHER_CUIT = '30-99999999-1';
export const SUBNET = '1';
export const CLIENT_ID = 'ecr-bridge-sandbox';
export const CLIENT_SECRET = 'sandbox-secret';

export const PAYMENTS = '/v1/paystore_terminals/terminal_payments/payments';
export const REVERSALS = '/v1/paystore_terminals/terminal_reversals/reversals';
export const REFUNDS = '/v1/paystore_terminals/terminal_refunds/refunds';
export const SETTLEMENTS = '/v1/paystore_terminals/terminal_settlements/settlements';

export interface ErrorBody {
  errors: Array<{ status: string; code: string; title: string; acquirer_message: string }>;
}

export interface PaymentData {
  payment_id: string;
  payment_status: string;
  payment_status_date: string;
  terminal_id: string | null;
  card_brand: string | null;
  card_brand_product: string | null;
  card_type: string | null;
  bin: string | null;
  last_four_digits: string | null;
  acquirer_id: string | null;
  authorization_code: string | null;
  authorized_payment_amount: string | null;
  batch_number: string | null;
  transaction_receipt: string | null;
  qr_code_id: string | null;
  acquirer_additional_message: string | null;
  client_receipt_detail: string | null;
  merchant_receipt_detail: string | null;
  installments_number: number;
  [field: string]: unknown;
}

export interface PaymentEnvelope {
  payment_request_data: Record<string, unknown>;
  payment_data: PaymentData;
}

export interface ReversalEnvelope {
  reversal_request_data: Record<string, unknown>;
  reversal_data: {
    payment_id: string;
    reversal_status: string;
    payment_data: PaymentData;
    terminal_id: string | null;
    batch_number: string | null;
    [field: string]: unknown;
  };
}

export interface RefundEnvelope {
  refund_request_data: Record<string, unknown>;
  refund_data: { refund_id: string; refund_status: string; terminal_id: string | null; card_brand_product: string; batch_number: string | null; [field: string]: unknown };
}

export interface SettlementEnvelope {
  settlements_data: {
    settlement_id: string;
    settlement_status: string;
    terminal_id: string;
    batch_number: string | null;
    merchant_receipt_detail: string | null;
    [field: string]: unknown;
  };
}

export interface HttpResult<T> {
  status: number;
  body: T;
}

export type Query = Record<string, string>;

export function basic(id = CLIENT_ID, secret = CLIENT_SECRET): string {
  return `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

let ecrCounter = 0;
export function ecrId(prefix = 'ecr'): string {
  ecrCounter += 1;
  return `${prefix}-${process.pid}-${Date.now()}-${ecrCounter}`;
}

export class SandboxHttp {
  private token: string | null = null;

  constructor(readonly url: string) {}

  async raw(method: string, path: string, init: { query?: Query; body?: unknown; rawBody?: string; headers?: Record<string, string> } = {}): Promise<HttpResult<unknown>> {
    const url = new URL(path, this.url);
    for (const [key, value] of Object.entries(init.query ?? {})) url.searchParams.set(key, value);
    const headers: Record<string, string> = { ...(init.headers ?? {}) };
    let body: string | undefined;
    if (init.rawBody !== undefined) body = init.rawBody;
    else if (init.body !== undefined) {
      body = JSON.stringify(init.body);
      headers['content-type'] ??= 'application/json';
    }
    const response = await fetch(url, { method, headers, body });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text === '' ? null : (JSON.parse(text) as unknown);
    } catch {
      // Not JSON (the POS page): keep the text.
    }
    return { status: response.status, body: parsed };
  }

  async fetchToken(): Promise<string> {
    const result = await this.raw('GET', '/v1/oauth/accesstoken', {
      query: { grant_type: 'client_credentials' },
      headers: { authorization: basic() },
    });
    if (result.status !== 200) throw new Error(`token: ${result.status} ${JSON.stringify(result.body)}`);
    this.token = (result.body as { access_token: string }).access_token;
    return this.token;
  }

  /** A provider call with a bearer token and `cuit_cuil` (+ subnet unless told otherwise). */
  async api<T = unknown>(method: string, path: string, init: { query?: Query; body?: unknown; rawBody?: string; cuit?: string | null; subnet?: boolean } = {}): Promise<HttpResult<T>> {
    const token = this.token ?? (await this.fetchToken());
    const query: Query = {};
    if (init.cuit !== null) query.cuit_cuil = init.cuit ?? CUIT;
    if (init.subnet !== false) query.subnet_acquirer_id = SUBNET;
    Object.assign(query, init.query ?? {});
    const result = await this.raw(method, path, { query, body: init.body, rawBody: init.rawBody, headers: { authorization: `Bearer ${token}` } });
    return result as HttpResult<T>;
  }

  async control<T = unknown>(method: string, path: string, body?: unknown): Promise<HttpResult<T>> {
    return (await this.raw(method, path, { body })) as HttpResult<T>;
  }

  async terminal(terminalId: string, cuit = CUIT, extra: Record<string, unknown> = {}): Promise<void> {
    const result = await this.control('POST', '/sandbox/terminals', { terminalId, cuit, ...extra });
    if (result.status !== 200) throw new Error(`terminal: ${result.status} ${JSON.stringify(result.body)}`);
  }

  paymentBody(amount: string, terminals: string[], extra: Record<string, unknown> = {}): Record<string, unknown> {
    return {
      payment_request_data: {
        subnet_acquirer_id: SUBNET,
        payment_amount: amount,
        terminal_menu_text: 'Caja 1',
        ecr_provider: 'ecr-bridge',
        ecr_name: 'tests',
        ecr_version: '1.0.0',
        change_amount: '0',
        ecr_transaction_id: ecrId(),
        installments_number: 1,
        payment_type: null,
        print_method: 'MOBITEF_NON_FISCAL',
        print_copies: 'BOTH',
        print_preview: 'NONE',
        terminals_list: terminals.map((terminal_id) => ({ terminal_id })),
        card_brand_product: null,
        terminal_operation_method: 'CARD',
        qr_benefit_code: false,
        is_tip: false,
        currency_code: '032',
        ...extra,
      },
    };
  }

  async createPayment(amount: string, terminals: string[], extra: Record<string, unknown> = {}): Promise<HttpResult<PaymentEnvelope>> {
    return this.api<PaymentEnvelope>('POST', PAYMENTS, { body: this.paymentBody(amount, terminals, extra), subnet: false });
  }

  async getPayment(paymentId: string): Promise<PaymentEnvelope> {
    const result = await this.api<PaymentEnvelope>('GET', `${PAYMENTS}/${paymentId}`);
    if (result.status !== 200) throw new Error(`get payment: ${result.status} ${JSON.stringify(result.body)}`);
    return result.body;
  }

  /** Polls until the payment leaves the given statuses (or the deadline passes). */
  async waitPayment(paymentId: string, until: (data: PaymentData) => boolean, timeoutMs = 5000): Promise<PaymentData> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const data = (await this.getPayment(paymentId)).payment_data;
      if (until(data) || Date.now() > deadline) return data;
      await sleep(20);
    }
  }
}

export async function withSandbox(options: Partial<SandboxOptions> = {}): Promise<{ sandbox: RunningSandbox; http: SandboxHttp }> {
  const sandbox = await startSandbox({ port: 0, host: '127.0.0.1', logLevels: ['error'], ...options });
  return { sandbox, http: new SandboxHttp(sandbox.url) };
}

export const isFinal = (data: PaymentData): boolean => ['CONFIRMED', 'DECLINED', 'ERROR', 'UNDONE'].includes(data.payment_status);
