// Contract: failures on the wire as the client sees them (injected 5xx, 503, 4xx, latency,
// dropped and refused connections) and what they do to its per-operation breakers.
import { createServer } from 'node:net';
import { BreakerState, PaystoreClient, PaystoreErrorCode, PaystoreOperation } from '@app/paystore-client';
import { CUIT, eventually, Harness, PAYMENTS_PATH, paystoreFailure, reference, sleep, startHarness } from './sandbox.harness';

const TERMINAL = '38013001';
const breaker = { volumeThreshold: 5, errorThresholdPercentage: 50, resetTimeoutMs: 400, rollingCountTimeoutMs: 10_000 };

let h: Harness;

beforeAll(async () => {
  h = await startHarness({ takeDelayMs: 30 });
});

afterAll(() => h.close());

beforeEach(async () => {
  await h.control.reset();
  await h.control.registerTerminal(TERMINAL);
});

function payment(amount = '1500', ecr = reference('fault')) {
  return { payment_amount: amount, ecr_transaction_id: ecr, terminals_list: [{ terminal_id: TERMINAL }] };
}

function watched(extra: Parameters<Harness['client']>[0] = {}): { client: PaystoreClient; changes: Array<[PaystoreOperation, BreakerState]> } {
  const changes: Array<[PaystoreOperation, BreakerState]> = [];
  const client = h.client({ breaker, onBreakerStateChange: (op, state) => changes.push([op, state]), ...extra });
  return { client, changes };
}

describe('injected faults and the breakers', () => {
  it('5xx answers open the operation breaker; calls then fail fast unsent; recovery closes it', async () => {
    const { client, changes } = watched();
    const created = await client.createPayment(CUIT, payment());
    const id = created.payment_data.payment_id;
    await h.control.addFault({ match: { method: 'GET', path: '/terminal_payments/payments/' }, status: 500 });

    for (let i = 0; i < 5; i++) {
      const err = await paystoreFailure(client.getPayment(CUIT, id));
      expect(err).toMatchObject({ code: PaystoreErrorCode.ServerError, httpStatus: 500, outcome: 'unknown' });
    }
    expect(client.breakerStates()['payment.get']).toBe('open');

    const sent = (await h.control.requests({ method: 'GET', path: PAYMENTS_PATH })).length;
    const fast = await paystoreFailure(client.getPayment(CUIT, id));
    expect(fast).toMatchObject({ code: PaystoreErrorCode.CircuitOpen, outcome: 'not_sent', operation: 'payment.get' });
    expect(await h.control.requests({ method: 'GET', path: PAYMENTS_PATH })).toHaveLength(sent);

    // Other operations have their own breakers.
    await expect(client.createPayment(CUIT, payment())).resolves.toBeDefined();
    expect(client.breakerStates()['payment.create']).toBe('closed');

    await h.control.clearFaults();
    await eventually(async () => client.breakerStates()['payment.get'], (s) => s === 'half_open', 3_000);
    await expect(client.getPayment(CUIT, id)).resolves.toBeDefined();
    expect(client.breakerStates()['payment.get']).toBe('closed');
    expect(changes).toEqual([
      ['payment.get', 'open'],
      ['payment.get', 'half_open'],
      ['payment.get', 'closed'],
    ]);
  });

  it('a half-open trial that fails opens the breaker again', async () => {
    const { client } = watched();
    await h.control.addFault({ match: { method: 'GET', path: '/health/liveness' }, status: 502 });
    for (let i = 0; i < 5; i++) expect(await client.checkLiveness()).toBe(false);
    expect(client.breakerStates().liveness).toBe('open');
    await sleep(500);
    expect(client.breakerStates().liveness).toBe('half_open');
    expect(await client.checkLiveness()).toBe(false);
    expect(client.breakerStates().liveness).toBe('open');
  });

  it('a fault that expires by itself lets the breaker recover', async () => {
    const { client } = watched();
    await h.control.addFault({ match: { path: '/health/liveness' }, status: 503, forSeconds: 0.3 });
    for (let i = 0; i < 5; i++) expect(await client.checkLiveness()).toBe(false);
    expect(client.breakerStates().liveness).toBe('open');
    await sleep(500);
    expect(await client.checkLiveness()).toBe(true);
    expect(client.breakerStates().liveness).toBe('closed');
  });

  it('injected 4xx answers never open a breaker', async () => {
    const { client, changes } = watched();
    await h.control.addFault({ match: { method: 'GET', path: '/terminal_payments/payments/' }, status: 409 });
    for (let i = 0; i < 12; i++) {
      const err = await paystoreFailure(client.getPayment(CUIT, '00000000-0000-4000-8000-000000000000'));
      expect(err).toMatchObject({ code: PaystoreErrorCode.Conflict, outcome: 'not_applied' });
    }
    expect(client.breakerStates()['payment.get']).toBe('closed');
    expect(changes).toEqual([]);
  });

  it('503 on a create is UNAVAILABLE, not applied, and repeated 503s open the create breaker', async () => {
    const { client } = watched();
    await h.control.addFault({ match: { method: 'POST', path: '/terminal_payments/payments' }, status: 503 });
    const ecr = reference('f503');
    const err = await paystoreFailure(client.createPayment(CUIT, payment('1500', ecr)));
    expect(err).toMatchObject({ code: PaystoreErrorCode.Unavailable, outcome: 'not_applied', httpStatus: 503 });
    for (let i = 0; i < 4; i++) await paystoreFailure(client.createPayment(CUIT, payment()));
    expect(client.breakerStates()['payment.create']).toBe('open');
    await h.control.clearFaults();
    expect(await client.findPaymentByEcrTransactionId(CUIT, ecr)).toBeNull();
  });

  it('an answer slower than the timeout is TIMEOUT, unknown; timeouts open the breaker', async () => {
    const { client } = watched({ timeoutMs: 150 });
    await h.control.addFault({ match: { method: 'GET', path: '/terminal_payments/payments/' }, latencyMs: 1_000 });
    for (let i = 0; i < 5; i++) {
      const started = Date.now();
      const err = await paystoreFailure(client.getPayment(CUIT, '00000000-0000-4000-8000-000000000000'));
      expect(err).toMatchObject({ code: PaystoreErrorCode.Timeout, outcome: 'unknown' });
      expect(Date.now() - started).toBeLessThan(900);
    }
    expect(client.breakerStates()['payment.get']).toBe('open');
  });

  it('a slow create that still went through is TIMEOUT, unknown, and is then found by reference', async () => {
    const client = h.client({ createTimeoutMs: 150 });
    await h.control.addFault({ match: { method: 'POST', path: '/terminal_payments/payments' }, latencyMs: 500 });
    const ecr = reference('slowcreate');
    const err = await paystoreFailure(client.createPayment(CUIT, payment('1500', ecr)));
    expect(err).toMatchObject({ code: PaystoreErrorCode.Timeout, outcome: 'unknown' });
    await h.control.clearFaults();
    const found = await eventually(() => client.findPaymentByEcrTransactionId(CUIT, ecr), (p) => p !== null, 3_000);
    expect(found?.payment_request_data?.ecr_transaction_id).toBe(ecr);
  });

  it('a connection dropped after the request was sent is NETWORK with an unknown outcome', async () => {
    const client = h.client();
    await client.checkLiveness();
    await h.control.addFault({ match: { method: 'POST', path: '/terminal_payments/payments' }, dropConnection: true });
    const ecr = reference('drop');
    const err = await paystoreFailure(client.createPayment(CUIT, payment('1500', ecr)));
    expect(err).toMatchObject({ code: PaystoreErrorCode.Network, outcome: 'unknown', operation: 'payment.create' });
    const creates = (await h.control.requests({ method: 'POST', path: PAYMENTS_PATH })).filter((r) => r.path === PAYMENTS_PATH);
    expect(creates).toHaveLength(1);
  });

  it('a refused connection is NETWORK, not sent', async () => {
    const port = await new Promise<number>((resolve) => {
      const server = createServer();
      server.listen(0, '127.0.0.1', () => {
        const address = server.address();
        server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
      });
    });
    const client = h.client({ baseUrl: `http://127.0.0.1:${port}` });
    const err = await paystoreFailure(client.createPayment(CUIT, payment()));
    expect(err).toMatchObject({ code: PaystoreErrorCode.Network, outcome: 'not_sent', operation: 'token' });
    expect(await client.checkLiveness()).toBe(false);
  });

  it('a failing token endpoint opens the token breaker; API calls then fail unsent', async () => {
    const { client } = watched();
    await h.control.addFault({ match: { path: '/v1/oauth/accesstoken' }, status: 500 });
    for (let i = 0; i < 5; i++) {
      const err = await paystoreFailure(client.createPayment(CUIT, payment()));
      expect(err).toMatchObject({ code: PaystoreErrorCode.ServerError, operation: 'token', outcome: 'not_sent' });
    }
    expect(client.breakerStates().token).toBe('open');
    const err = await paystoreFailure(client.createPayment(CUIT, payment()));
    expect(err).toMatchObject({ code: PaystoreErrorCode.CircuitOpen, operation: 'token', outcome: 'not_sent' });
    expect(client.breakerStates()['payment.create']).toBe('closed');
    expect(await h.control.requests({ path: PAYMENTS_PATH })).toHaveLength(0);
  });

  it('liveness answers true when the provider is up', async () => {
    expect(await h.client().checkLiveness()).toBe(true);
  });
});
