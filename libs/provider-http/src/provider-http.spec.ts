import { classifyFetchFailure, CONNECT_FAILURE_CODES, describeFetchFailure, networkErrorCode } from './fetch-failure';
import { absoluteBaseUrl, operationUrl, positiveMs, redactSecrets, requireText } from './client-options';
import { OperationBreakers } from './operation-breakers';
import { clipProviderText, textOf } from './provider-text';
import { observeCall, timedExchange, withTokenReplay } from './timed-exchange';

class ProviderError extends Error {
  constructor(
    message: string,
    readonly tripsBreaker: boolean,
  ) {
    super(message);
  }
}

describe('classifyFetchFailure', () => {
  it('reads a timeout before anything else', () => {
    expect(classifyFetchFailure(Object.assign(new Error('x'), { code: 'ECONNREFUSED' }), 250)).toEqual({ kind: 'timeout', afterMs: 250 });
  });

  it('finds a connect failure along the cause chain: nothing was sent', () => {
    const err = new TypeError('fetch failed', { cause: Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }) });
    expect(classifyFetchFailure(err, undefined)).toEqual({ kind: 'not_connected', code: 'ECONNREFUSED' });
  });

  it('reads a reset or a codeless failure as a lost connection', () => {
    expect(classifyFetchFailure(Object.assign(new Error('reset'), { code: 'ECONNRESET' }), undefined)).toEqual({ kind: 'connection_lost', code: 'ECONNRESET' });
    expect(classifyFetchFailure(new TypeError('fetch failed'), undefined)).toEqual({ kind: 'connection_lost', code: undefined });
  });

  it('takes the caller not-sent codes', () => {
    const err = Object.assign(new Error('down'), { code: 'EHOSTDOWN' });
    expect(classifyFetchFailure(err, undefined).kind).toBe('connection_lost');
    expect(classifyFetchFailure(err, undefined, { notSentCodes: new Set([...CONNECT_FAILURE_CODES, 'EHOSTDOWN']) }).kind).toBe('not_connected');
  });

  it('reads an AggregateError only when asked to', () => {
    const refused = (): Error => Object.assign(new Error('refused'), { code: 'ECONNREFUSED' });
    const err = new TypeError('fetch failed', { cause: new AggregateError([refused(), refused()]) });
    expect(networkErrorCode(err)).toBeUndefined();
    expect(classifyFetchFailure(err, undefined, { readAggregateErrors: true })).toEqual({ kind: 'not_connected', code: 'ECONNREFUSED' });
  });
});

describe('describeFetchFailure', () => {
  it('says what happened in one line', () => {
    expect(describeFetchFailure('P', 'op', { kind: 'timeout', afterMs: 300 })).toBe('P op got no answer within 300 ms');
    expect(describeFetchFailure('P', 'op', { kind: 'not_connected', code: 'ECONNREFUSED' })).toBe('P op failed on the network (ECONNREFUSED) before the request was sent');
    expect(describeFetchFailure('P', 'op', { kind: 'connection_lost', code: undefined })).toBe('P op failed on the network (connection lost)');
  });
});

describe('withTokenReplay', () => {
  it('replays once with a fresh token after a stale-token answer, and no more', async () => {
    const issued = ['t1', 't2', 't3'];
    const invalidated: string[] = [];
    const tokens = { get: async () => issued.shift() as string, invalidate: (t: string) => invalidated.push(t) };
    const stale = new Error('401');
    const sent: string[] = [];
    const send = async (token: string) => {
      sent.push(token);
      throw stale;
    };
    await expect(withTokenReplay(tokens, (err) => err === stale, send)).rejects.toBe(stale);
    expect(sent).toEqual(['t1', 't2']);
    expect(invalidated).toEqual(['t1']);
  });

  it('does not replay other failures', async () => {
    const other = new Error('500');
    const send = jest.fn(() => Promise.reject(other));
    await expect(withTokenReplay({ get: async () => 't', invalidate: () => undefined }, () => false, send)).rejects.toBe(other);
    expect(send).toHaveBeenCalledTimes(1);
  });
});

describe('timedExchange', () => {
  const request = { url: 'http://provider.test/x', method: 'POST', headers: { accept: 'application/json' }, body: '{}', timeoutMs: 1000 };

  it('answers the status and the text, sent with manual redirects and an abort signal', async () => {
    const fetchImpl = jest.fn(async () => new Response('{"a":1}', { status: 201 }));
    await expect(timedExchange(fetchImpl as unknown as typeof fetch, request, () => new Error('no'))).resolves.toEqual({ status: 201, text: '{"a":1}' });
    const init = (fetchImpl.mock.calls[0] as unknown as [string, RequestInit])[1];
    expect(init).toMatchObject({ method: 'POST', body: '{}', redirect: 'manual' });
    expect(init.signal).toBeInstanceOf(AbortSignal);
  });

  it('aborts at the timeout and says so', async () => {
    const fetchImpl = ((_url: string, init: RequestInit) =>
      new Promise((_resolve, reject) => init.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError'))))) as unknown as typeof fetch;
    const failure = await timedExchange(fetchImpl, { ...request, timeoutMs: 20 }, (f) => f).catch((f: unknown) => f);
    expect(failure).toMatchObject({ stage: 'request', timedOutAfterMs: 20 });
  });

  it('tells a lost answer from a failed request', async () => {
    const body = new ReadableStream({ pull: (c) => c.error(Object.assign(new Error('reset'), { code: 'ECONNRESET' })) });
    const fetchImpl = (async () => new Response(body, { status: 200 })) as unknown as typeof fetch;
    const failure = await timedExchange(fetchImpl, request, (f) => f).catch((f: unknown) => f);
    expect(failure).toMatchObject({ stage: 'body', status: 200, timedOutAfterMs: undefined });
  });
});

describe('observeCall', () => {
  it('reports the duration and the end of a call, and ignores a failing observer', async () => {
    const seen: unknown[] = [];
    await expect(observeCall(async () => 7, (ms, result) => seen.push([typeof ms, result]))).resolves.toBe(7);
    const boom = new Error('boom');
    await expect(observeCall(() => Promise.reject(boom), (_ms, result) => seen.push(result))).rejects.toBe(boom);
    await expect(
      observeCall(async () => 1, () => {
        throw new Error('observer');
      }),
    ).resolves.toBe(1);
    expect(seen).toEqual([['number', { ok: true }], { ok: false, error: boom }]);
  });
});

describe('client options and URLs', () => {
  it('checks options in the client name', () => {
    expect(() => requireText('XClient', 'clientId', ' ')).toThrow('XClient option clientId is required');
    expect(() => positiveMs('XClient', 'timeoutMs', 0, 10)).toThrow('XClient option timeoutMs must be a positive number');
    expect(positiveMs('XClient', 'timeoutMs', undefined, 10)).toBe(10);
    expect(() => absoluteBaseUrl('XClient', 'relative/path')).toThrow('XClient option baseUrl must be an absolute URL');
    expect(absoluteBaseUrl('XClient', 'https://p.test/api//')).toBe('https://p.test/api');
  });

  it('builds the URL with the id and the query', () => {
    expect(operationUrl('https://p.test', 'tasks/{id}', 'a b', { x: '1', skip: undefined, s: ['A', 'B'], n: 2 })).toBe('https://p.test/tasks/a%20b?x=1&s=A&s=B&n=2');
    expect(operationUrl('https://p.test', '/tasks')).toBe('https://p.test/tasks');
  });

  it('redacts secrets of four characters or more', () => {
    expect(redactSecrets('key abcd and abc', ['abcd', 'abc'])).toBe('key [redacted] and abc');
  });
});

describe('provider text', () => {
  it('clips to one redacted line', () => {
    expect(clipProviderText(' a\n b  secret ', (t) => t.replace('secret', '[redacted]'), 100)).toBe('a b [redacted]');
    expect(clipProviderText('abcdef', (t) => t, 3)).toBe('abc…');
  });

  it('reads strings and finite numbers as text', () => {
    expect([textOf('x'), textOf(''), textOf(42), textOf(Number.NaN), textOf(null)]).toEqual(['x', undefined, '42', undefined, undefined]);
  });
});

describe('OperationBreakers', () => {
  const open = (operation: string, reason: string) => new ProviderError(`${operation} ${reason}`, false);
  let breakers: OperationBreakers<'a' | 'b'>;
  const changes: string[] = [];

  beforeEach(() => {
    changes.length = 0;
    breakers = new OperationBreakers<'a' | 'b'>({
      name: 'p',
      label: 'P',
      operations: ['a', 'b'],
      volumeThreshold: 2,
      errorThresholdPercentage: 50,
      resetTimeoutMs: 60_000,
      rollingCountTimeoutMs: 10_000,
      isHealthyFailure: (err) => err instanceof ProviderError && !err.tripsBreaker,
      isProviderError: (err) => err instanceof ProviderError,
      circuitOpenError: open,
      onStateChange: (operation, state) => changes.push(`${operation}:${state}`),
    });
  });

  afterEach(() => breakers.shutdown());

  it('opens one operation on failures that trip it, and fails fast with the provider error', async () => {
    const unwell = new ProviderError('5xx', true);
    for (let i = 0; i < 2; i++) await expect(breakers.run('a', () => Promise.reject(unwell))).rejects.toBe(unwell);
    expect(breakers.states()).toEqual({ a: 'open', b: 'closed' });
    expect(changes).toEqual(['a:open']);
    await expect(breakers.run('a', async () => 1)).rejects.toMatchObject({ message: 'a open' });
    await expect(breakers.run('b', async () => 2)).resolves.toBe(2);
  });

  it('leaves healthy failures alone', async () => {
    const refusal = new ProviderError('4xx', false);
    for (let i = 0; i < 4; i++) await expect(breakers.run('a', () => Promise.reject(refusal))).rejects.toBe(refusal);
    expect(breakers.state('a')).toBe('closed');
  });

  it('refuses every call after shutdown, and unknown operations', async () => {
    breakers.shutdown();
    await expect(breakers.run('b', async () => 1)).rejects.toMatchObject({ message: 'b shutdown' });
    await expect(breakers.run('c' as 'a', async () => 1)).rejects.toThrow('unknown P operation c');
  });
});
