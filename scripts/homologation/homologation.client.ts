// What the run talks to: the gateway's public API as a cash register (Bearer key, Idempotency-Key
// on every command), the terminals, either through the sandbox's control routes or through a
// person who reads an instruction, and pagoUno's tokenization, which the run calls for its test
// cards as a buyer's device would.
import type { OperationType, OperationView, ProviderName } from '@app/contracts';
import type { TerminalAction } from './homologation.cases';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string | null,
    message: string,
  ) {
    super(message);
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const PATH_OF: Readonly<Record<OperationType, string>> = Object.freeze({
  payment: '/v1/payments',
  reversal: '/v1/reversals',
  refund: '/v1/refunds',
  settlement: '/v1/settlements',
});

export class GatewayClient {
  constructor(
    private readonly baseUrl: string,
    private readonly apiKey: string,
  ) {}

  async command(path: string, key: string, body?: unknown): Promise<OperationView> {
    return this.post<OperationView>(path, key, body);
  }

  /** `POST /v1/payment-batches`: the batch's payments, in execution order. */
  async batch(key: string, body: unknown): Promise<OperationView[]> {
    return (await this.post<{ payments: OperationView[] }>('/v1/payment-batches', key, body)).payments;
  }

  /**
   * A command. A connection that fails is sent again with the same Idempotency-Key, so the
   * gateway answers what it already created instead of creating it again.
   */
  private async post<T>(path: string, key: string, body?: unknown): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      let res: Response;
      try {
        res = await fetch(this.baseUrl + path, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${this.apiKey}`,
            'idempotency-key': key,
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
      } catch (err) {
        if (attempt >= 3) throw err;
        await sleep(500 * attempt);
        continue;
      }
      return this.answer<T>(`POST ${path}`, res);
    }
  }

  async get(type: OperationType, id: string): Promise<OperationView> {
    const path = `${PATH_OF[type]}/${encodeURIComponent(id)}`;
    return this.answer(`GET ${path}`, await fetch(this.baseUrl + path, { headers: { authorization: `Bearer ${this.apiKey}` } }));
  }

  pathOf(type: OperationType): string {
    return PATH_OF[type];
  }

  /** The merchant's registered terminals (`GET /v1/terminals`, every page), ordered by terminal id. */
  async terminals(): Promise<{ terminalId: string; provider: ProviderName }[]> {
    const all: { terminalId: string; provider: ProviderName }[] = [];
    let cursor: string | null = null;
    do {
      const path: string = `/v1/terminals?limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const page = await this.answer<{ data: { terminalId: string; provider: ProviderName }[]; nextCursor: string | null }>(
        `GET ${path}`,
        await fetch(this.baseUrl + path, { headers: { authorization: `Bearer ${this.apiKey}` } }),
      );
      all.push(...page.data.map(({ terminalId, provider }) => ({ terminalId, provider })));
      cursor = page.nextCursor;
    } while (cursor);
    return all;
  }

  private async answer<T = OperationView>(what: string, res: Response): Promise<T> {
    const text = await res.text();
    let body: unknown = undefined;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: reported below with the status
    }
    if (!res.ok) {
      const problem = (body ?? {}) as { code?: string; detail?: string; title?: string };
      const detail = problem.detail ?? problem.title ?? text.slice(0, 200);
      throw new ApiError(res.status, problem.code ?? null, `${what} answered ${res.status}${problem.code ? ` ${problem.code}` : ''}: ${detail}`);
    }
    return body as T;
  }
}

/** A test card the run tokenizes at pagoUno (never sent to the gateway: only its token is). */
export interface TestCard {
  number: string;
  /** YYMM */
  expiry: string;
  securityCode: string;
  holder: string;
}

/**
 * pagoUno's test cards the sandbox accepts (Visa, Mastercard); against pagoUno's homologation
 * environment, the ones of its kit (`HOMOLOGATION_PAGOUNO_CARDS`).
 */
export const DEFAULT_TEST_CARDS: readonly TestCard[] = Object.freeze([
  { number: '4545454545458745', expiry: '3012', securityCode: '123', holder: 'HOMOLOGACION UNO' },
  { number: '5100000000000008', expiry: '3012', securityCode: '123', holder: 'HOMOLOGACION DOS' },
]);

/** Merchant codes (`merchant_code_group`) the split cases charge for, in the sandbox. */
export const DEFAULT_PAGOUNO_MERCHANTS: readonly string[] = Object.freeze(['HOMOLOGACION-1', 'HOMOLOGACION-2', 'HOMOLOGACION-3']);

/** pagoUno's tokenization (`POST {baseUrl}/v1/Transaction/token`, public key): one single-use token per call. */
export class PagounoTokenizer {
  constructor(
    private readonly baseUrl: string,
    private readonly publicKey: string,
  ) {}

  async tokenize(card: TestCard): Promise<string> {
    const res = await fetch(`${this.baseUrl}/v1/Transaction/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: this.publicKey, 'x-api-fp': '' },
      body: JSON.stringify([
        {
          primary_account_number: card.number,
          expiration_date: card.expiry,
          card_security_code: card.securityCode,
          card_holder: { front_name: card.holder },
        },
      ]),
    });
    const text = await res.text();
    let body: { status?: number; message?: string; data?: { id?: string }[] } = {};
    try {
      body = text ? (JSON.parse(text) as typeof body) : {};
    } catch {
      // reported below
    }
    const id = body.data?.[0]?.id;
    if (!res.ok || body.status !== 200 || !id) {
      const said = (body.message ?? text.slice(0, 120)).split(this.publicKey).join('[key]');
      throw new Error(`pagoUno tokenization of the card ending ${card.number.slice(-4)} answered ${res.status}/${body.status ?? '-'} ${said}`);
    }
    return id;
  }
}

/** Who acts on the terminals. */
export interface TerminalDesk {
  readonly kind: 'sandbox' | 'person';
  /** Puts terminals in manual mode; answers how to put them back. */
  manual(terminalIds: readonly string[]): Promise<() => Promise<void>>;
  /** What a person does: against the sandbox, the control route `action` if any. */
  act(terminalId: string, op: OperationView, action: TerminalAction | undefined, say: string): Promise<void>;
}

/** The sandbox's control routes (`/sandbox/terminals/{id}/…`): what its virtual POS buttons call. */
export class SandboxDesk implements TerminalDesk {
  readonly kind = 'sandbox';

  constructor(private readonly sandboxUrl: string) {}

  async manual(terminalIds: readonly string[]): Promise<() => Promise<void>> {
    const before: { terminalId: string; mode: string }[] = [];
    for (const terminalId of terminalIds) {
      const { data } = await this.call<{ data: { mode: string } }>('GET', `/sandbox/terminals/${terminalId}`);
      before.push({ terminalId, mode: data.mode });
      await this.call('POST', `/sandbox/terminals/${terminalId}/mode`, { mode: 'manual' });
    }
    return async () => {
      for (const { terminalId, mode } of before) await this.call('POST', `/sandbox/terminals/${terminalId}/mode`, { mode });
    };
  }

  async act(terminalId: string, op: OperationView, action: TerminalAction | undefined): Promise<void> {
    if (!action) return;
    if (!op.providerId) throw new Error(`${op.id} has no provider id yet, so the terminal cannot be told which intent to ${action}`);
    await this.call('POST', `/sandbox/terminals/${terminalId}/${action}`, { paymentId: op.providerId });
  }

  /** True when the sandbox answers for this terminal (the run then drives it). */
  async knows(terminalId: string): Promise<boolean> {
    try {
      const res = await fetch(`${this.sandboxUrl}/sandbox/terminals/${terminalId}`, { signal: AbortSignal.timeout(2000) });
      return res.ok;
    } catch {
      return false;
    }
  }

  private async call<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(this.sandboxUrl + path, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`sandbox ${method} ${path} answered ${res.status}: ${text.slice(0, 300)}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }
}

/** A person at real terminals: each step is printed, and the run then polls for its effect. */
export class PersonDesk implements TerminalDesk {
  readonly kind = 'person';

  constructor(private readonly print: (line: string) => void) {}

  async manual(): Promise<() => Promise<void>> {
    return async () => undefined;
  }

  async act(terminalId: string, op: OperationView, _action: TerminalAction | undefined, say: string): Promise<void> {
    this.print(`    → terminal ${terminalId}: ${say} (${op.type} ${op.id})`);
  }
}
