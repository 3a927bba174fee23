import { createFakeFetch, errorAnswer, FakeFetch, FakeHandler, paymentAnswer, tokenAnswer } from './fake-fetch.spec-util';
import { PaystoreClient } from './paystore.client';
import { PaystoreErrorCode } from './paystore.errors';
import { PaystoreCallEvent, PaystoreClientOptions } from './paystore.options';

const CUIT = '30-12345678-9';
const TOKEN_PATH = '/v1/oauth/accesstoken';

const clients: PaystoreClient[] = [];
afterEach(() => {
  while (clients.length > 0) clients.pop()?.shutdown();
});

function setup(routes: FakeHandler, options: Partial<PaystoreClientOptions> = {}) {
  let issued = 0;
  const fake: FakeFetch = createFakeFetch((req) => (req.path.endsWith(TOKEN_PATH) ? tokenAnswer(`tok-${++issued}`) : routes(req)));
  const calls: PaystoreCallEvent[] = [];
  const client = new PaystoreClient({
    baseUrl: 'http://paystore.test',
    clientId: 'ecr-bridge',
    clientSecret: 'on-call-secret',
    subnetAcquirerId: '1',
    fetch: fake.fetch,
    onUnknownEnum: () => undefined,
    onCall: (e) => calls.push(e),
    ...options,
  });
  clients.push(client);
  return { client, calls, fake };
}

describe('PaystoreClient onCall', () => {
  it('reports each call once, the token request included, with its duration and HTTP status', async () => {
    const { client, calls } = setup(() => paymentAnswer('p-1', 'CONFIRMED'));
    await client.getPayment(CUIT, 'p-1');
    await client.getPayment(CUIT, 'p-1');
    expect(calls.map(({ operation, outcome, httpStatus }) => ({ operation, outcome, httpStatus }))).toEqual([
      { operation: 'token', outcome: 'ok', httpStatus: 200 },
      { operation: 'payment.get', outcome: 'ok', httpStatus: 200 },
      { operation: 'payment.get', outcome: 'ok', httpStatus: 200 },
    ]);
    for (const c of calls) expect(c.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('reports a failed call with its error code and status', async () => {
    const { client, calls } = setup(() => errorAnswer(404, 'NOT_FOUND'));
    await expect(client.getPayment(CUIT, 'p-404')).rejects.toMatchObject({ code: PaystoreErrorCode.NotFound });
    expect(calls.at(-1)).toMatchObject({ operation: 'payment.get', outcome: PaystoreErrorCode.NotFound, httpStatus: 404 });
    expect(calls.filter((c) => c.operation === 'payment.get')).toHaveLength(1);
  });

  it('reports a timeout without an HTTP status', async () => {
    const { client, calls } = setup(() => ({ hang: true }), { timeoutMs: 30 });
    await expect(client.getPayment(CUIT, 'p-1')).rejects.toMatchObject({ code: PaystoreErrorCode.Timeout });
    const last = calls.at(-1) as PaystoreCallEvent;
    expect(last).toMatchObject({ operation: 'payment.get', outcome: PaystoreErrorCode.Timeout });
    expect(last).not.toHaveProperty('httpStatus');
    expect(last.durationMs).toBeGreaterThanOrEqual(25);
  });

  it('reports the 401 and its replay as two calls', async () => {
    const { client, calls } = setup((req) =>
      req.headers['authorization'] === 'Bearer tok-1' ? errorAnswer(401, 'invalid_token') : paymentAnswer('p-1', 'CONFIRMED'),
    );
    await client.getPayment(CUIT, 'p-1');
    expect(calls.map((c) => `${c.operation} ${c.outcome}`)).toEqual([
      'token ok',
      `payment.get ${PaystoreErrorCode.Unauthorized}`,
      'token ok',
      'payment.get ok',
    ]);
  });

  it('reports a call the open breaker refused as CIRCUIT_OPEN, with about no time spent', async () => {
    const { client, calls, fake } = setup(() => errorAnswer(500, 'BOOM'), {
      breaker: { volumeThreshold: 2, errorThresholdPercentage: 50, resetTimeoutMs: 60_000 },
    });
    for (let i = 0; i < 3; i++) await client.getPayment(CUIT, 'p-1').catch(() => undefined);
    const sent = fake.to('/p-1').length;
    await expect(client.getPayment(CUIT, 'p-1')).rejects.toMatchObject({ code: PaystoreErrorCode.CircuitOpen });
    expect(fake.to('/p-1')).toHaveLength(sent);
    const last = calls.at(-1) as PaystoreCallEvent;
    expect(last).toMatchObject({ operation: 'payment.get', outcome: PaystoreErrorCode.CircuitOpen });
    expect(last).not.toHaveProperty('httpStatus');
    expect(last.durationMs).toBeLessThan(20);
  });

  it('ignores an observer that throws', async () => {
    const { client } = setup(() => paymentAnswer('p-1', 'CONFIRMED'), {
      onCall: () => {
        throw new Error('observer broke');
      },
    });
    await expect(client.getPayment(CUIT, 'p-1')).resolves.toMatchObject({ payment_data: { payment_id: 'p-1' } });
  });
});
