// Contract: the client's OAuth token handling against the sandbox's token endpoint and bearer
// checks: one token shared by all calls, early renewal of short tokens, one replay after a 401.
import { PaystoreErrorCode } from '@app/paystore-client';
import { CLIENT_SECRET, CUIT, Harness, LoggedRequest, PAYMENTS_PATH, paystoreFailure, reference, sleep, startHarness, TOKEN_PATH } from './sandbox.harness';

const TERMINAL = '38012001';

function payment(amount = '1500') {
  return { payment_amount: amount, ecr_transaction_id: reference('auth'), terminals_list: [{ terminal_id: TERMINAL }] };
}

const apiCalls = (log: LoggedRequest[]) => log.filter((r) => r.path !== TOKEN_PATH);

describe('OAuth against the sandbox', () => {
  let h: Harness;

  beforeEach(async () => {
    h = await startHarness({ tokenTtlSeconds: 3600 });
    await h.control.registerTerminal(TERMINAL, { mode: 'manual' });
  });

  afterEach(() => h.close());

  it('fetches one token for many concurrent calls and reuses it', async () => {
    const client = h.client();
    const created = await client.createPayment(CUIT, payment());
    await Promise.all(Array.from({ length: 10 }, () => client.getPayment(CUIT, created.payment_data.payment_id)));
    const tokens = await h.control.requests({ path: TOKEN_PATH });
    expect(tokens).toHaveLength(1);
    expect(tokens[0]).toMatchObject({ method: 'GET', query: { grant_type: 'client_credentials' }, status: 200 });
  });

  it('shares one token request among callers that start together', async () => {
    const client = h.client();
    await Promise.all(Array.from({ length: 8 }, () => client.checkLiveness()));
    expect(await h.control.requests({ path: TOKEN_PATH })).toHaveLength(1);
  });

  it.each(['post-json', 'post-form'] as const)('gets a token with the %s request style too', async (style) => {
    const client = h.client({ tokenRequestStyle: style });
    expect(await client.checkLiveness()).toBe(true);
    const [token] = await h.control.requests({ path: TOKEN_PATH });
    expect(token).toMatchObject({ method: 'POST', status: 200 });
  });

  it('refuses wrong credentials: UNAUTHORIZED on the token call, the create never sent, no secret in the error', async () => {
    const client = h.client({ clientSecret: 'wrong-secret-value' });
    const err = await paystoreFailure(client.createPayment(CUIT, payment()));
    expect(err).toMatchObject({ code: PaystoreErrorCode.Unauthorized, operation: 'token', outcome: 'not_sent', httpStatus: 401 });
    expect(err.providerCode).toBe('invalid_client');
    expect(JSON.stringify(err) + err.message).not.toContain('wrong-secret-value');
    expect(JSON.stringify(err) + err.message).not.toContain(CLIENT_SECRET);
    expect(await h.control.requests({ path: PAYMENTS_PATH })).toHaveLength(0);
    expect(client.breakerStates().token).toBe('closed');
  });

  it('after the sandbox forgets its tokens, replays the call once with a new token', async () => {
    const client = h.client();
    expect(await client.checkLiveness()).toBe(true);
    await h.control.reset();
    expect(await client.checkLiveness()).toBe(true);
    const log = await h.control.requests();
    expect(log.map((r) => [r.path === TOKEN_PATH ? 'token' : 'liveness', r.status])).toEqual([
      ['liveness', 401],
      ['token', 200],
      ['liveness', 200],
    ]);
  });
});

describe('short-lived tokens', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({ tokenTtlSeconds: 2 });
    await h.control.registerTerminal(TERMINAL, { mode: 'manual' });
  });

  afterAll(() => h.close());

  beforeEach(() => h.control.reset().then(() => h.control.registerTerminal(TERMINAL, { mode: 'manual' })));

  it('renews a 2 s token early, so calls over several seconds never meet a 401', async () => {
    const client = h.client();
    const created = await client.createPayment(CUIT, payment());
    const until = Date.now() + 3_200;
    while (Date.now() < until) {
      await client.getPayment(CUIT, created.payment_data.payment_id);
      await sleep(50);
    }
    const log = await h.control.requests();
    expect(log.filter((r) => r.path === TOKEN_PATH).length).toBeGreaterThanOrEqual(3);
    expect(apiCalls(log).filter((r) => r.status === 401)).toEqual([]);
  });

  it('when a token expires under it anyway, takes the 401, renews and replays once', async () => {
    // A clock that never moves: the client believes its token is still fresh.
    const client = h.client({ now: () => 0 });
    const created = await client.createPayment(CUIT, payment());
    await sleep(2_300);
    const again = await client.getPayment(CUIT, created.payment_data.payment_id);
    expect(again.payment_data.payment_id).toBe(created.payment_data.payment_id);
    const log = await h.control.requests();
    expect(log.map((r) => [r.path === TOKEN_PATH ? 'token' : r.method, r.status])).toEqual([
      ['token', 200],
      ['POST', 200],
      ['GET', 401],
      ['token', 200],
      ['GET', 200],
    ]);
  });
});
