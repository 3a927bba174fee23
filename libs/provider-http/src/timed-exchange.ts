// One HTTP exchange with a real timeout: an AbortController aborts the request (and the reading
// of its answer) when the time is up. A redirect is never followed: a redirected POST would be
// replayed as a GET, so it comes back as an answer like any other.

export interface ExchangeRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
  body?: string | undefined;
  timeoutMs: number;
}

export interface RawAnswer {
  status: number;
  text: string;
}

/**
 * Why no answer came back: `request` when `fetch` itself failed (no HTTP status at all), `body`
 * when the answer started (`status` is known) and was lost while being read.
 */
export type ExchangeFailure =
  | { stage: 'request'; error: unknown; timedOutAfterMs: number | undefined }
  | { stage: 'body'; status: number; error: unknown; timedOutAfterMs: number | undefined };

/**
 * Sends one request and reads the whole answer as text. A failure is handed to `toError`, and
 * what that returns is thrown.
 */
export async function timedExchange(fetchImpl: typeof fetch, request: ExchangeRequest, toError: (failure: ExchangeFailure) => unknown): Promise<RawAnswer> {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, request.timeoutMs);
  try {
    let response: Response;
    try {
      response = await fetchImpl(request.url, {
        method: request.method,
        headers: request.headers,
        ...(request.body !== undefined ? { body: request.body } : {}),
        signal: controller.signal,
        redirect: 'manual',
      });
    } catch (err) {
      throw toError({ stage: 'request', error: err, timedOutAfterMs: timedOut ? request.timeoutMs : undefined });
    }
    try {
      return { status: response.status, text: await response.text() };
    } catch (err) {
      throw toError({ stage: 'body', status: response.status, error: err, timedOutAfterMs: timedOut ? request.timeoutMs : undefined });
    }
  } finally {
    clearTimeout(timer);
  }
}

export type CallResult = { ok: true } | { ok: false; error: unknown };

/**
 * Runs `call` and tells `observe` how long it took and how it ended. Observing never fails a
 * call: an exception thrown by `observe` is ignored. Without an observer nothing is timed.
 */
export async function observeCall<T>(call: () => Promise<T>, observe: ((durationMs: number, result: CallResult) => void) | undefined): Promise<T> {
  if (!observe) return call();
  const started = performance.now();
  let result: T;
  try {
    result = await call();
  } catch (err) {
    notify(observe, performance.now() - started, { ok: false, error: err });
    throw err;
  }
  notify(observe, performance.now() - started, { ok: true });
  return result;
}

function notify(observe: (durationMs: number, result: CallResult) => void, durationMs: number, result: CallResult): void {
  try {
    observe(durationMs, result);
  } catch {
    // An observer's failure is not the call's failure.
  }
}

/** A JSON body, or undefined when there is none or it is not JSON. */
export function parseJsonOrUndefined(text: string): unknown {
  if (text.trim().length === 0) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * Sends with a bearer of the current token; when the provider answers that the token is stale
 * (`isStaleToken`, a 401: the request was not processed), drops that token and sends once more
 * with a fresh one. Never more than one replay.
 */
export async function withTokenReplay<T>(
  tokens: { get: () => Promise<string>; invalidate: (token: string) => void },
  isStaleToken: (err: unknown) => boolean,
  send: (token: string) => Promise<T>,
): Promise<T> {
  let token = await tokens.get();
  try {
    return await send(token);
  } catch (err) {
    if (!isStaleToken(err)) throw err;
    tokens.invalidate(token);
    token = await tokens.get();
    return await send(token);
  }
}
