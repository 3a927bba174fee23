// A scripted stand-in for `fetch`, for the unit tests of pure client logic: it records every
// request and answers from a handler, can hang until aborted, or fail like a refused or reset
// connection. Contract tests use the real sandbox over HTTP instead.

export interface FakeRequest {
  method: string;
  url: URL;
  path: string;
  query: URLSearchParams;
  headers: Record<string, string>;
  bodyText: string | undefined;
  json: unknown;
  signal: AbortSignal | undefined;
}

export type FakeAnswer =
  | { status: number; json?: unknown; text?: string }
  | { hang: true }
  | { networkError: string }
  | { bodyLost: string; status: number };

export type FakeHandler = (req: FakeRequest) => FakeAnswer | Promise<FakeAnswer>;

export interface FakeFetch {
  fetch: typeof fetch;
  requests: FakeRequest[];
  /** Requests to a path that ends with `suffix`. */
  to(suffix: string): FakeRequest[];
}

export function networkError(code: string): TypeError {
  const cause = Object.assign(new Error(`connect ${code}`), { code });
  return new TypeError('fetch failed', { cause });
}

export function createFakeFetch(handler: FakeHandler): FakeFetch {
  const requests: FakeRequest[] = [];
  const fake = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    const headers: Record<string, string> = {};
    new Headers(init?.headers).forEach((value, key) => (headers[key] = value));
    const bodyText = typeof init?.body === 'string' ? init.body : undefined;
    let json: unknown;
    try {
      json = bodyText !== undefined ? (JSON.parse(bodyText) as unknown) : undefined;
    } catch {
      json = undefined;
    }
    const req: FakeRequest = {
      method: init?.method ?? 'GET',
      url,
      path: url.pathname,
      query: url.searchParams,
      headers,
      bodyText,
      json,
      signal: init?.signal ?? undefined,
    };
    requests.push(req);
    const answer = await handler(req);
    if ('hang' in answer) {
      return new Promise<Response>((_resolve, reject) => {
        const signal = init?.signal;
        if (!signal) return;
        const abort = () => reject(new DOMException('This operation was aborted', 'AbortError'));
        if (signal.aborted) abort();
        else signal.addEventListener('abort', abort, { once: true });
      });
    }
    if ('networkError' in answer) throw networkError(answer.networkError);
    if ('bodyLost' in answer) {
      const code = answer.bodyLost;
      const stream = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.error(networkError(code));
        },
      });
      return new Response(stream, { status: answer.status });
    }
    const text = answer.text ?? (answer.json === undefined ? '' : JSON.stringify(answer.json));
    return new Response(text.length > 0 ? text : null, {
      status: answer.status,
      headers: { 'content-type': answer.text !== undefined ? 'text/plain' : 'application/json' },
    });
  };
  return {
    fetch: fake as typeof fetch,
    requests,
    to: (suffix) => requests.filter((r) => r.path.endsWith(suffix)),
  };
}

/** A token answer as docs/paystore-wire.md shapes it. */
export function tokenAnswer(accessToken: string, expiresIn: string | number = '3600'): FakeAnswer {
  return {
    status: 200,
    json: { token_type: 'Bearer', access_token: accessToken, expires_in: expiresIn, scope: 'paystore_terminals' },
  };
}

export function errorAnswer(status: number, code: string, title = code): FakeAnswer {
  return { status, json: { errors: [{ status: String(status), code, title, acquirer_message: null }] } };
}

export function paymentJson(paymentId: string, status: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    payment_request_data: { ecr_transaction_id: (extra['ecr_transaction_id'] as string | undefined) ?? 'ecr-1', payment_amount: '1500' },
    payment_data: { payment_id: paymentId, payment_status: status, ...extra },
  };
}

export function paymentAnswer(paymentId: string, status: string, extra: Record<string, unknown> = {}): FakeAnswer {
  return { status: 200, json: paymentJson(paymentId, status, extra) };
}
