import { PagounoClient } from './pagouno.client';
import { PagounoError, PagounoErrorCode } from './pagouno.errors';
import { pagounoFailureOf } from './pagouno.adapter';
import type { PagounoClientOptions } from './pagouno.options';
import type { PurchaseGroupRequest } from './pagouno.wire';

const PRIVATE = 'priv-key-0123456789';
const PUBLIC = 'pub-key-0123456789';

interface Seen {
  method: string;
  url: string;
  auth: string | undefined;
  body: unknown;
}

type Answer = { http?: number; json?: unknown; text?: string } | 'hang' | 'refused';

function fakeFetch(answer: (req: Seen) => Answer): { fetch: typeof fetch; seen: Seen[] } {
  const seen: Seen[] = [];
  const fetchImpl = (async (input: string | URL | Request, init?: RequestInit) => {
    const headers = (init?.headers ?? {}) as Record<string, string>;
    const req: Seen = { method: init?.method ?? 'GET', url: String(input), auth: headers['authorization'], body: init?.body ? JSON.parse(String(init.body)) : undefined };
    seen.push(req);
    const a = answer(req);
    if (a === 'hang') {
      return new Promise((_resolve, reject) => init?.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError'))));
    }
    if (a === 'refused') throw new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) });
    return new Response(a.text ?? JSON.stringify(a.json), { status: a.http ?? 200, headers: { 'content-type': 'application/json' } });
  }) as typeof fetch;
  return { fetch: fetchImpl, seen };
}

const body: PurchaseGroupRequest = {
  transaction_group_type: 1,
  customer_transaction_identificator: 'op-1',
  external_reference: 'op-1',
  primary_account_number_list: [
    {
      token_id: 'T-1',
      purchase_list: [
        { merchant_code_group: 'MG', transaction_amount: 1000, installments_plan: 0, installments: 1, transaction_currency_code: '032', seller_descriptor: 'P1*X' },
      ],
    },
  ],
};
const groupData = { success: true, pending: false, request: [], response: [] };

function client(answer: (req: Seen) => Answer, options: Partial<PagounoClientOptions> = {}) {
  const fake = fakeFetch(answer);
  const c = new PagounoClient({ baseUrl: 'https://api.example.test/', privateKey: PRIVATE, publicKey: PUBLIC, fetch: fake.fetch, ...options });
  return { c, seen: fake.seen };
}

async function failure(p: Promise<unknown>): Promise<PagounoError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof PagounoError) return err;
    throw err;
  }
  throw new Error('expected a failure');
}

describe('PagounoClient', () => {
  const clients: PagounoClient[] = [];
  afterEach(() => clients.splice(0).forEach((c) => c.shutdown()));
  const make = (...args: Parameters<typeof client>) => {
    const made = client(...args);
    clients.push(made.c);
    return made;
  };

  it('charges with the raw private key and reads with the raw public key, on the documented paths', async () => {
    const { c, seen } = make((req) =>
      req.url.includes('/purchase/') ? { json: { status: 200, message: '', data: { id: 'A', success: true } } } : { json: { status: 200, message: '', data: groupData } },
    );
    await c.charge(body);
    await c.getTransaction('A');
    expect(seen.map((s) => [s.method, s.url, s.auth])).toEqual([
      ['POST', 'https://api.example.test/v1/Transaction/purchasegroup', PRIVATE],
      ['GET', 'https://api.example.test/v1/Transaction/purchase/A', PUBLIC],
    ]);
    expect(seen[0].body).toEqual(body);
  });

  it('keeps the unpublished paths configurable', async () => {
    const { c, seen } = make(() => ({ json: { status: 200, message: '', data: [] } }), { paths: { 'adjustment.find': '/v2/ajustes' } });
    await c.findAdjustments('rev-1');
    expect(seen[0].url).toBe('https://api.example.test/v2/ajustes?external_reference=rev-1');
  });

  it.each([
    [400, 'bad request', PagounoErrorCode.BadRequest, 'rejected'],
    [403, 'not authorized', PagounoErrorCode.Unauthorized, 'rejected'],
    [503, 'unavailable', PagounoErrorCode.Unavailable, 'rejected'],
    [500, 'boom', PagounoErrorCode.ServerError, 'unknown'],
  ] as const)('reads pagoUno status %p on an HTTP 200 as an error', async (status, message, code, outcome) => {
    const { c } = make(() => ({ json: { status, message, data: null } }));
    const err = await failure(c.charge(body));
    expect(err).toMatchObject({ code, outcome, status, operation: 'charge' });
  });

  it('never puts a key in an error, even when pagoUno echoes it', async () => {
    const { c } = make(() => ({ json: { status: 403, message: `key ${PRIVATE} is not valid`, data: null } }));
    const err = await failure(c.charge(body));
    expect(err.message + JSON.stringify(err)).not.toContain(PRIVATE);
    expect(err.message).toContain('[redacted]');
  });

  it('aborts a charge that gets no answer in time: TIMEOUT, outcome unknown', async () => {
    const { c } = make(() => 'hang', { timeoutMs: 50 });
    const err = await failure(c.charge(body));
    expect(err).toMatchObject({ code: PagounoErrorCode.Timeout, outcome: 'unknown' });
    expect(pagounoFailureOf(err)).toBe('unknown');
  });

  it('a refused connection was never sent', async () => {
    const { c } = make(() => 'refused');
    const err = await failure(c.charge(body));
    expect(err).toMatchObject({ code: PagounoErrorCode.Network, outcome: 'not_sent' });
    expect(pagounoFailureOf(err)).toBe('not_taken');
  });

  it('an answer that is not pagoUno’s envelope is a protocol error, and an unreadable charge answer is unknown', async () => {
    const { c } = make(() => ({ text: '<html>' }));
    expect(await failure(c.charge(body))).toMatchObject({ code: PagounoErrorCode.Protocol, outcome: 'unknown' });
  });

  it('answers null for a reference pagoUno has no group for', async () => {
    const { c } = make(() => ({ json: { status: 404, message: 'not found', data: null } }));
    expect(await c.findGroup('op-x')).toBeNull();
    expect(await c.findAdjustments('rev-x')).toEqual([]);
  });

  it('refuses before sending a charge without its reference', async () => {
    const { c, seen } = make(() => ({ json: { status: 200, data: groupData } }));
    const err = await failure(c.charge({ ...body, customer_transaction_identificator: '' }));
    expect(err).toMatchObject({ code: PagounoErrorCode.InvalidRequest, outcome: 'not_sent' });
    expect(pagounoFailureOf(err)).toBe('rejected');
    expect(seen).toHaveLength(0);
  });

  it('opens the charge breaker on 5xx only; refusals and reads leave it closed', async () => {
    let status = 400;
    const { c } = make(() => ({ json: { status, message: 'x', data: null } }), { breaker: { volumeThreshold: 2 } });
    for (let i = 0; i < 4; i++) await failure(c.charge(body));
    expect(c.breakerStates().charge).toBe('closed');
    // Refusals count as healthy answers: 4 of them and 6 failures is past the 50 % threshold.
    status = 500;
    for (let i = 0; i < 6; i++) await failure(c.charge(body));
    expect(c.breakerStates()).toMatchObject({ charge: 'open', 'transaction.get': 'closed', 'group.find': 'closed' });
    const err = await failure(c.charge(body));
    expect(err).toMatchObject({ code: PagounoErrorCode.CircuitOpen, outcome: 'not_sent' });
    expect(pagounoFailureOf(err)).toBe('circuit_open');
  });

  it('reports each call to onCall with pagoUno’s status', async () => {
    const events: unknown[] = [];
    const { c } = make(() => ({ json: { status: 400, message: 'bad request', data: null } }), { onCall: (e) => events.push(e) });
    await failure(c.charge(body));
    expect(events).toEqual([expect.objectContaining({ operation: 'charge', outcome: PagounoErrorCode.BadRequest, status: 400, httpStatus: 200 })]);
  });
});
