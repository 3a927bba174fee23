// What the run talks to: the gateway's public API as a cash register (Bearer key, Idempotency-Key
// on every command) and the terminals, either through the sandbox's control routes or through a
// person who reads an instruction.
import type { OperationType, OperationView } from '@app/contracts';
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

  /**
   * A command. A connection that fails is sent again with the same Idempotency-Key, so the
   * gateway answers the operation it already created instead of creating a second one.
   */
  async command(path: string, key: string, body?: unknown): Promise<OperationView> {
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
      return this.answer(`POST ${path}`, res);
    }
  }

  async get(type: OperationType, id: string): Promise<OperationView> {
    const path = `${PATH_OF[type]}/${encodeURIComponent(id)}`;
    return this.answer(`GET ${path}`, await fetch(this.baseUrl + path, { headers: { authorization: `Bearer ${this.apiKey}` } }));
  }

  pathOf(type: OperationType): string {
    return PATH_OF[type];
  }

  private async answer(what: string, res: Response): Promise<OperationView> {
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
    return body as OperationView;
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
