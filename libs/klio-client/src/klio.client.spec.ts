import { KlioClient } from './klio.client';
import { KlioError, KlioErrorCode } from './klio.errors';
import type { KlioCallEvent } from './klio.options';

interface Seen {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: unknown;
}

/** A fetch that answers from a script, one entry per call, and remembers what it was asked. */
function scripted(answers: Array<{ status: number; body?: unknown }>): { fetch: typeof fetch; seen: Seen[] } {
  const seen: Seen[] = [];
  const fake = (async (input: string | URL | Request, init?: RequestInit) => {
    seen.push({
      method: init?.method ?? 'GET',
      url: String(input),
      headers: { ...(init?.headers as Record<string, string>) },
      body: typeof init?.body === 'string' ? (JSON.parse(init.body) as unknown) : undefined,
    });
    const next = answers.shift();
    if (!next) throw new Error('no more scripted answers');
    return new Response(next.body === undefined ? '' : JSON.stringify(next.body), { status: next.status });
  }) as typeof fetch;
  return { fetch: fake, seen };
}

const TOKEN = { status: 200, body: { accessToken: 'tok-1', expiresIn: 3600 } };
const task = (originID: string, extra: Record<string, unknown> = {}) => ({
  taskId: 7,
  originID,
  generationDate: '2026-01-01T00:00:00.000',
  status: 'Created',
  statusDate: '2026-01-01T00:00:00.000',
  paymentaData: null,
  ...extra,
});
const payment = (originID = 'op-1') => ({ originID, operationType: 'PAYMENT' as const, cardMethod: { credit: true, debit: true }, originalAmount: { amount: 10, currency: 'ARS' as const } });

function client(answers: Array<{ status: number; body?: unknown }>, extra: Partial<ConstructorParameters<typeof KlioClient>[0]> = {}) {
  const { fetch, seen } = scripted(answers);
  const c = new KlioClient({ baseUrl: 'http://klio.test/', clientId: 'id', clientSecret: 'the-secret-value', fetch, ...extra });
  return { c, seen };
}


describe('KlioClient', () => {
  it('gets a token with the credentials in the body, then sends it bare in Authorization', async () => {
    const { c, seen } = client([TOKEN, { status: 200, body: [task('op-1')] }]);
    const created = await c.submitTask('DEV-1', payment());
    expect(created.taskId).toBe('7');
    expect(seen[0]).toMatchObject({ method: 'POST', url: 'http://klio.test/external/auth-api/token', body: { clientId: 'id', clientSecret: 'the-secret-value' } });
    expect(seen[0]?.headers['authorization']).toBeUndefined();
    expect(seen[1]).toMatchObject({ method: 'POST', url: 'http://klio.test/external/posdevice-api/tasks-request', body: { target: { deviceId: 'DEV-1' } } });
    expect(seen[1]?.headers['authorization']).toBe('tok-1');
    c.shutdown();
  });

  it('replays once with a fresh token after a 401', async () => {
    const { c, seen } = client([TOKEN, { status: 401, body: { code: 'INVALID_TOKEN' } }, { status: 200, body: { accessToken: 'tok-2', expiresIn: 60 } }, { status: 200, body: task('op-1') }]);
    await expect(c.getTask('7')).resolves.toMatchObject({ taskId: '7' });
    expect(seen.map((s) => s.headers['authorization'] ?? '-')).toEqual(['-', 'tok-1', '-', 'tok-2']);
    c.shutdown();
  });

  it('paths are configurable; look-ups build their URLs', async () => {
    const { c, seen } = client([TOKEN, { status: 200, body: [task('a b'), task('other')] }, { status: 200, body: task('x') }], {
      paths: { token: '/auth/token', 'task.cancel': '/v2/tasks/{id}:cancel' },
    });
    expect(await c.findTasksByOriginId('a b')).toHaveLength(1);
    await c.cancelTask(7);
    expect(seen.map((s) => `${s.method} ${s.url}`)).toEqual([
      'POST http://klio.test/auth/token',
      'GET http://klio.test/external/posdevice-api/tasks?originID=a+b',
      'POST http://klio.test/v2/tasks/7:cancel',
    ]);
    c.shutdown();
  });

  it('an answer that does not match the tasks sent is unreadable: outcome unknown', async () => {
    const { c } = client([TOKEN, { status: 200, body: [task('someone-else')] }]);
    await expect(c.submitTask('DEV-1', payment())).rejects.toMatchObject({ code: KlioErrorCode.Protocol, outcome: 'unknown' });
    c.shutdown();
  });

  it('refuses unsendable requests without calling anything', async () => {
    const { c, seen } = client([]);
    await expect(c.submitTask('', payment())).rejects.toMatchObject({ code: KlioErrorCode.Invalid, outcome: 'rejected' });
    await expect(c.submitTask('DEV', { ...payment(), originalAmount: { amount: 1.005, currency: 'ARS' } })).rejects.toBeInstanceOf(KlioError);
    await expect(c.submitTask('DEV', { ...payment(), operationType: 'ANNULMENT' })).rejects.toMatchObject({ outcome: 'rejected' });
    await expect(c.getTask('abc')).rejects.toMatchObject({ outcome: 'rejected' });
    expect(seen).toEqual([]);
    c.shutdown();
  });

  it('never puts the secret in an error, and reports each call', async () => {
    const events: KlioCallEvent[] = [];
    const { c } = client([{ status: 401, body: { message: 'bad secret the-secret-value' } }], { onCall: (e) => events.push(e) });
    const err = (await c.listDevices().catch((e: unknown) => e)) as KlioError;
    expect(err).toMatchObject({ code: KlioErrorCode.Unauthorized, outcome: 'not_sent' });
    expect(JSON.stringify(err.toJSON()) + err.message).not.toContain('the-secret-value');
    expect(events).toEqual([{ operation: 'token', durationMs: expect.any(Number), outcome: KlioErrorCode.Unauthorized, httpStatus: 401 }]);
    c.shutdown();
  });

  it('aborts a call that takes too long: unknown for a submit', async () => {
    const hanging = ((_input: string | URL | Request, init?: RequestInit) =>
      new Promise((_resolve, reject) => init?.signal?.addEventListener('abort', () => reject(new Error('aborted'))))) as typeof fetch;
    let first = true;
    const fetchImpl = ((input: string | URL | Request, init?: RequestInit) => {
      if (first) {
        first = false;
        return Promise.resolve(new Response(JSON.stringify(TOKEN.body), { status: 200 }));
      }
      return hanging(input, init);
    }) as typeof fetch;
    const c = new KlioClient({ baseUrl: 'http://klio.test', clientId: 'id', clientSecret: 'secret', fetch: fetchImpl, submitTimeoutMs: 50 });
    await expect(c.submitTask('DEV', payment())).rejects.toMatchObject({ code: KlioErrorCode.Timeout, outcome: 'unknown', operation: 'task.submit' });
    c.shutdown();
  });

  it('after shutdown nothing is sent', async () => {
    const { c, seen } = client([TOKEN]);
    c.shutdown();
    await expect(c.listDevices()).rejects.toMatchObject({ code: KlioErrorCode.CircuitOpen, outcome: 'not_sent' });
    expect(seen.filter((s) => s.url.includes('get-pos-devices'))).toEqual([]);
  });
});
