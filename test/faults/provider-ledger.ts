// The provider's side of the story, read from the sandbox after a run: every intent it holds per
// reference (through the provider API itself, as an auditor would), and its request log.

export interface LoggedRequest {
  at: string;
  method: string;
  path: string;
  body: unknown;
  status: number | null;
}

const REQUEST_DATA = ['payment_request_data', 'reversal_request_data', 'refund_request_data'] as const;
const CREATE_PATHS = ['/terminal_payments/payments', '/terminal_reversals/reversals', '/terminal_refunds/refunds'];

/** Our reference (ecr_transaction_id) in a create's body or an intent, if any. */
export function referenceOf(body: unknown): string | null {
  if (!body || typeof body !== 'object') return null;
  for (const key of REQUEST_DATA) {
    const data = (body as Record<string, unknown>)[key];
    if (data && typeof data === 'object') {
      const ref = (data as Record<string, unknown>).ecr_transaction_id;
      if (ref !== undefined && ref !== null) return String(ref);
    }
  }
  return null;
}

export function isCreate(r: Pick<LoggedRequest, 'method' | 'path'>): boolean {
  return r.method === 'POST' && CREATE_PATHS.some((p) => r.path.endsWith(p));
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
