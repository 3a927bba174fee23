// The providers' side of the story, read from the sandbox after a run: every intent PayStore holds
// per reference and every pagoUno charge and adjustment (through the provider APIs themselves, as
// an auditor would), every task of the Klio account (the sandbox's own listing: Klio has no
// search by account), and the request log.
import type { KlioTaskRecord, PagounoAdjustmentRecord, PagounoChargeRecord, PagounoGroupRecord } from './checker';

export interface LoggedRequest {
  at: string;
  method: string;
  path: string;
  query?: Record<string, unknown>;
  body: unknown;
  status: number | null;
}

const REQUEST_DATA = ['payment_request_data', 'reversal_request_data', 'refund_request_data'] as const;
const PAYSTORE_CREATES = ['/terminal_payments/payments', '/terminal_reversals/reversals', '/terminal_refunds/refunds'];
export const KLIO_SUBMIT = '/external/posdevice-api/tasks-request';
export const PAGOUNO_CHARGE = '/pagouno/v1/Transaction/purchasegroup';
const PAGOUNO_PUBLIC_KEY = 'pagouno-sandbox-public-key';

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * Our references in a create's body or an intent: PayStore's ecr_transaction_id, the originID of
 * each task of a Klio tasks-request, a pagoUno charge's customer_transaction_identificator.
 */
export function referencesOf(body: unknown): string[] {
  if (!isObject(body)) return [];
  for (const key of REQUEST_DATA) {
    const data = body[key];
    if (isObject(data) && data.ecr_transaction_id !== undefined && data.ecr_transaction_id !== null) return [String(data.ecr_transaction_id)];
  }
  if (Array.isArray(body.tasks)) {
    return body.tasks.flatMap((t: unknown) => (isObject(t) && isObject(t.payment) && typeof t.payment.originID === 'string' ? [t.payment.originID] : []));
  }
  if (typeof body.customer_transaction_identificator === 'string') return [body.customer_transaction_identificator];
  return [];
}

/** The first of referencesOf, if any. */
export function referenceOf(body: unknown): string | null {
  return referencesOf(body)[0] ?? null;
}

/** Which provider a logged request went to, by its path. */
export function providerOfPath(path: string): 'klio' | 'pagouno' | 'paystore' {
  if (path.startsWith('/external/')) return 'klio';
  if (path.startsWith('/pagouno/')) return 'pagouno';
  return 'paystore';
}

/** A request that creates an intent: a PayStore create, a Klio tasks-request, a pagoUno charge. */
export function isCreate(r: Pick<LoggedRequest, 'method' | 'path'>): boolean {
  return r.method === 'POST' && (PAYSTORE_CREATES.some((p) => r.path.endsWith(p)) || r.path.endsWith(KLIO_SUBMIT) || r.path.endsWith(PAGOUNO_CHARGE));
}

/**
 * Whether a logged request is about an operation: its id in the body or the query (a lookup by
 * reference), or its provider id as a whole segment of the path (a Klio task id is a short number).
 */
export function mentions(r: LoggedRequest, id: string, providerId: string | null | undefined): boolean {
  if (JSON.stringify(r.body ?? '').includes(id)) return true;
  if (r.query && Object.values(r.query).some((v) => String(v) === id)) return true;
  return Boolean(providerId) && r.path.split('/').includes(String(providerId));
}

/** The pagoUno charges of the request log, by external reference (else identificator). */
export function pagounoChargesOf(requests: readonly LoggedRequest[]): PagounoChargeRecord[] {
  return requests
    .filter((r) => r.method === 'POST' && r.path.endsWith(PAGOUNO_CHARGE) && isObject(r.body))
    .map((r) => {
      const body = r.body as Record<string, unknown>;
      const identificator = String(body.customer_transaction_identificator ?? '');
      return { reference: String(body.external_reference ?? identificator), identificator, status: r.status };
    });
}

export class ProviderLedger {
  private token = '';

  constructor(
    private readonly url: string,
    private readonly clientId = 'ecr-bridge-sandbox',
    private readonly clientSecret = 'sandbox-secret',
  ) {}

  async requests(): Promise<LoggedRequest[]> {
    const res = await fetch(`${this.url}/sandbox/requests`);
    if (!res.ok) throw new Error(`request log answered ${res.status}`);
    return ((await res.json()) as { data: LoggedRequest[] }).data;
  }

  async control(method: string, path: string, body?: unknown): Promise<unknown> {
    const res = await fetch(`${this.url}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`sandbox ${method} ${path} answered ${res.status}: ${text}`);
    return text ? JSON.parse(text) : undefined;
  }

  /** Every task of the sandbox's Klio account (all devices), as the checker reads them. */
  async klioTasks(): Promise<KlioTaskRecord[]> {
    const res = await fetch(`${this.url}/sandbox/klio/tasks`);
    if (!res.ok) throw new Error(`Klio task list answered ${res.status}`);
    const tasks = ((await res.json()) as { data: Record<string, unknown>[] }).data;
    return tasks.map((t) => {
      const data = isObject(t.paymentaData) ? t.paymentaData : {};
      const voucher = isObject(data.cardPaymentaData) ? data.cardPaymentaData.status : isObject(data.qrPaymentaData) ? data.qrPaymentaData.status : null;
      return {
        taskId: String(t.taskId),
        originID: String(t.originID),
        operationType: String(t.operationType),
        status: String(t.status),
        voucher: typeof voucher === 'string' ? voucher : null,
      };
    });
  }

  /** The purchase group pagoUno holds under an external reference, or null (pagoUno's 404). */
  async pagounoGroup(reference: string): Promise<PagounoGroupRecord | null> {
    const data = await this.pagouno(`/pagouno/v1/Transaction/purchasegroup?external_reference=${encodeURIComponent(reference)}`);
    if (!isObject(data)) return null;
    const response = Array.isArray(data.response) ? (data.response as Record<string, unknown>[]) : [];
    return {
      reference,
      success: data.success === true,
      transactions: response.map((tx) => ({ id: String(tx.id), success: tx.success === true, reversed: tx.reversed === true, annulled: tx.annulled === true })),
    };
  }

  /** The adjustments pagoUno holds under an external reference (a reversal's id). */
  async pagounoAdjustments(reference: string): Promise<PagounoAdjustmentRecord[]> {
    const data = await this.pagouno(`/pagouno/v1/Transaction/adjustments?external_reference=${encodeURIComponent(reference)}`);
    return (Array.isArray(data) ? (data as Record<string, unknown>[]) : []).map((a) => ({
      reference,
      transactionId: String(a.transaction_id),
      type: String(a.adjustment_type),
      success: a.success === true,
    }));
  }

  /** A single-use card token, as the buyer's device makes it (pagoUno's tokenization, public key). */
  async pagounoToken(pan: string): Promise<string> {
    const res = await fetch(`${this.url}/pagouno/v1/Transaction/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: PAGOUNO_PUBLIC_KEY },
      body: JSON.stringify([{ primary_account_number: pan, expiration_date: '3012', card_security_code: '123', card_holder: { front_name: 'ANA PEREZ' } }]),
      signal: AbortSignal.timeout(10_000),
    });
    const text = await res.text();
    const body = (text ? JSON.parse(text) : {}) as { status?: number; data?: { id: string }[] };
    if (!res.ok || body.status !== 200 || !body.data?.[0]?.id) throw new Error(`pagoUno tokenization answered ${res.status} ${text.slice(0, 200)}`);
    return body.data[0].id;
  }

  /** A pagoUno read (public key): its data, null on pagoUno's 404. */
  private async pagouno(path: string): Promise<unknown> {
    const res = await fetch(`${this.url}${path}`, { headers: { authorization: PAGOUNO_PUBLIC_KEY } });
    const text = await res.text();
    const body = (text ? JSON.parse(text) : {}) as { status?: number; data?: unknown };
    if (body.status === 404) return null;
    if (!res.ok || body.status !== 200) throw new Error(`pagoUno GET ${path} answered ${res.status} ${text.slice(0, 200)}`);
    return body.data;
  }

  /** Intents the provider holds for this CUIT, counted per reference, every kind together. */
  async intentsByReference(cuit: string): Promise<Record<string, number>> {
    const counts: Record<string, number> = {};
    const add = (items: Record<string, unknown>[]) => {
      for (const item of items) {
        const ref = referenceOf(item);
        if (ref !== null) counts[ref] = (counts[ref] ?? 0) + 1;
      }
    };
    const q = `cuit_cuil=${encodeURIComponent(cuit)}&subnet_acquirer_id=1`;
    add(await this.pages((page) => this.api('POST', `/v1/paystore_terminals/terminal_payments/payments/searches?${q}`, { page, page_size: 200 }), 'payments'));
    add(await this.pages((page) => this.api('GET', `/v1/paystore_terminals/terminal_reversals/reversals?${q}&page=${page}&page_size=200`), 'reversals'));
    add(await this.pages((page) => this.api('GET', `/v1/paystore_terminals/terminal_refunds/refunds?${q}&page=${page}&page_size=200`), 'refunds'));
    return counts;
  }

  private async pages(fetchPage: (page: number) => Promise<Record<string, unknown>>, key: string): Promise<Record<string, unknown>[]> {
    const all: Record<string, unknown>[] = [];
    for (let page = 1; ; page++) {
      const body = await fetchPage(page);
      const items = (body[key] ?? []) as Record<string, unknown>[];
      all.push(...items);
      if (items.length === 0 || all.length >= Number(body.total)) return all;
    }
  }

  private async api(method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
    if (!this.token) this.token = await this.fetchToken();
    const res = await fetch(`${this.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${this.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`provider ${method} ${path} answered ${res.status}: ${text}`);
    return JSON.parse(text) as Record<string, unknown>;
  }

  private async fetchToken(): Promise<string> {
    const res = await fetch(`${this.url}/v1/oauth/accesstoken`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${this.clientId}:${this.clientSecret}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'grant_type=client_credentials',
    });
    if (!res.ok) throw new Error(`token answered ${res.status}`);
    return ((await res.json()) as { access_token: string }).access_token;
  }
}
