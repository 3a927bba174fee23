import {
  createFakeFetch,
  errorAnswer,
  FakeAnswer,
  FakeHandler,
  FakeRequest,
  paymentAnswer,
  paymentJson,
  tokenAnswer,
} from './fake-fetch.spec-util';
import { PaystoreClient } from './paystore.client';
import { PaystoreError, PaystoreErrorCode } from './paystore.errors';
import { BreakerState, PaystoreClientOptions, PaystoreOperation } from './paystore.options';

const CUIT = '30-12345678-9';
const SECRET = 'sandbox-client-secret-value';
const BASE = 'http://paystore.test/base';
const TOKEN_PATH = '/v1/oauth/accesstoken';
const PAYMENTS = '/v1/paystore_terminals/terminal_payments/payments';

type Routes = (req: FakeRequest) => FakeAnswer | undefined | Promise<FakeAnswer | undefined>;

/** Serves tokens t1, t2… and delegates everything else to `routes`. */
function provider(routes: Routes, tokenTtl: string | number = '3600') {
  let issued = 0;
  const handler: FakeHandler = async (req) => {
    if (req.path.endsWith(TOKEN_PATH)) return tokenAnswer(`tok-${++issued}`, tokenTtl);
    return (await routes(req)) ?? { status: 404, json: { errors: [{ status: '404', code: 'NOT_FOUND', title: 'no route' }] } };
  };
  return createFakeFetch(handler);
}

const clients: PaystoreClient[] = [];
function client(fake: { fetch: typeof fetch }, options: Partial<PaystoreClientOptions> = {}): PaystoreClient {
  const c = new PaystoreClient({
    baseUrl: `${BASE}/`,
    clientId: 'ecr-bridge',
    clientSecret: SECRET,
    subnetAcquirerId: '1',
    fetch: fake.fetch,
    onUnknownEnum: () => undefined,
    ...options,
  });
  clients.push(c);
  return c;
}

afterEach(() => {
  while (clients.length > 0) clients.pop()?.shutdown();
});

async function failure(promise: Promise<unknown>): Promise<PaystoreError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof PaystoreError) return err;
    throw err;
  }
  throw new Error('expected a PaystoreError');
}

const create = { payment_amount: '1500', ecr_transaction_id: 'ecr-1', terminals_list: [{ terminal_id: '38011128' }] };

describe('PaystoreClient requests', () => {
  it('creates a payment with the full wire body, the CUIT in the query and a bearer token', async () => {
    const fake = provider((req) => (req.method === 'POST' && req.path.endsWith(PAYMENTS) ? paymentAnswer('p-1', 'PAYMENT_REQUEST') : undefined));
    const answer = await client(fake, { ecr: { provider: 'ACME', name: 'Caja', version: '2.1' } }).createPayment(CUIT, create);

    expect(answer.payment_data).toMatchObject({ payment_id: 'p-1', payment_status: 'PAYMENT_REQUEST' });
    const [req] = fake.to(PAYMENTS);
    expect(req?.url.href).toBe(`${BASE}${PAYMENTS}?cuit_cuil=30-12345678-9`);
    expect(req?.headers['authorization']).toBe('Bearer tok-1');
    expect(req?.headers['content-type']).toBe('application/json');
    expect(req?.json).toEqual({
      payment_request_data: {
        subnet_acquirer_id: '1',
        payment_amount: '1500',
        terminal_menu_text: 'ecr-1',
        ecr_provider: 'ACME',
        ecr_name: 'Caja',
        ecr_version: '2.1',
        change_amount: '0',
        ecr_transaction_id: 'ecr-1',
        installments_number: 1,
        bank_account_type: null,
        payment_plan_id: null,
        payment_type: null,
        print_method: 'MOBITEF_NON_FISCAL',
        print_copies: 'BOTH',
        print_preview: 'NONE',
        terminals_list: [{ terminal_id: '38011128' }],
        card_brand_product: null,
        terminal_operation_method: 'CARD',
        qr_benefit_code: false,
        trx_receipt_notes: null,
        card_holder_id: null,
        merchant_group_code: null,
        is_tip: false,
        currency_code: '032',
      },
    });
  });

  it('lets the caller override every optional payment field', async () => {
    const fake = provider(() => paymentAnswer('p-1', 'PAYMENT_REQUEST'));
    await client(fake).createPayment(CUIT, {
      ...create,
      terminals_list: [{ terminal_id: '1' }, { terminal_id: '2' }],
      terminal_menu_text: 'Mesa 4',
      installments_number: 3,
      payment_plan_id: 'ahora_3',
      card_brand_product: 'AM',
      terminal_operation_method: 'QR_CODE',
      print_copies: 'NONE',
    });
    const data = (fake.to(PAYMENTS)[0]?.json as { payment_request_data: Record<string, unknown> }).payment_request_data;
    expect(data).toMatchObject({
      terminals_list: [{ terminal_id: '1' }, { terminal_id: '2' }],
      terminal_menu_text: 'Mesa 4',
      installments_number: 3,
      payment_plan_id: 'ahora_3',
      card_brand_product: 'AM',
      terminal_operation_method: 'QR_CODE',
      print_copies: 'NONE',
    });
  });

  it('gets a payment with the CUIT and subnet in the query and the id in the path', async () => {
    const fake = provider(() => paymentAnswer('a/b c', 'CONFIRMED'));
    await client(fake).getPayment(CUIT, 'a/b c');
    expect(fake.requests.at(-1)?.url.href).toBe(`${BASE}${PAYMENTS}/a%2Fb%20c?cuit_cuil=30-12345678-9&subnet_acquirer_id=1`);
    expect(fake.requests.at(-1)?.method).toBe('GET');
  });

  it('cancels and confirms with an empty PUT', async () => {
    const fake = provider((req) => paymentAnswer('p-1', req.path.endsWith('/cancellations') ? 'UNDO_REQUEST' : 'CONFIRMED'));
    const c = client(fake);
    expect((await c.cancelPayment(CUIT, 'p-1')).payment_data.payment_status).toBe('UNDO_REQUEST');
    expect((await c.confirmPayment(CUIT, 'p-1')).payment_data.payment_status).toBe('CONFIRMED');
    const [cancel, confirm] = fake.requests.slice(1);
    expect(cancel).toMatchObject({ method: 'PUT', path: `/base${PAYMENTS}/p-1/cancellations`, bodyText: undefined });
    expect(confirm).toMatchObject({ method: 'PUT', path: `/base${PAYMENTS}/p-1/confirmations`, bodyText: undefined });
    expect(cancel?.query.get('subnet_acquirer_id')).toBe('1');
  });

  it('searches payments with the documented body and maps the page', async () => {
    const fake = provider(() => ({
      status: 200,
      json: { payments: [paymentJson('p-1', 'CONFIRMED')], page: 2, page_size: 10, total: 11 },
    }));
    const result = await client(fake).searchPayments(CUIT, {
      ecrTransactionId: 'ecr-1',
      statuses: ['CONFIRMED', 'DECLINED'],
      from: new Date('2025-01-01T00:00:00Z'),
      to: new Date('2025-01-02T00:00:00Z'),
      page: 2,
      pageSize: 10,
    });
    expect(result).toMatchObject({ page: 2, pageSize: 10, total: 11 });
    expect(result.payments[0]?.payment_data.payment_id).toBe('p-1');
    const req = fake.requests.at(-1);
    expect(req).toMatchObject({ method: 'POST', path: `/base${PAYMENTS}/searches` });
    expect(req?.json).toEqual({
      ecr_transaction_id: 'ecr-1',
      payment_status: ['CONFIRMED', 'DECLINED'],
      date_from: '2025-01-01T00:00:00.000Z',
      date_to: '2025-01-02T00:00:00.000Z',
      page: 2,
      page_size: 10,
    });
  });

  it('finds the newest payment with a reference and ignores answers naming another reference', async () => {
    const env = (id: string, ecr: string | undefined) => ({
      payment_request_data: ecr === undefined ? null : { ecr_transaction_id: ecr },
      payment_data: { payment_id: id, payment_status: 'UNDONE' },
    });
    const fake = provider(() => ({
      status: 200,
      json: { payments: [env('old', 'ecr-1'), env('other', 'ecr-2'), env('new', 'ecr-1')], page: 1, page_size: 200, total: 3 },
    }));
    const c = client(fake);
    expect((await c.findPaymentByEcrTransactionId(CUIT, 'ecr-1'))?.payment_data.payment_id).toBe('new');
    expect((await c.findPaymentsByEcrTransactionId(CUIT, 'ecr-1')).map((p) => p.payment_data.payment_id)).toEqual(['old', 'new']);
    expect(fake.requests.at(-1)?.json).toEqual({ ecr_transaction_id: 'ecr-1', page: 1, page_size: 200 });
  });

  it('reads every page of a lookup by reference', async () => {
    const fake = provider((req) => {
      const page = (req.json as { page: number }).page;
      const payments = page === 1 ? [paymentJson('a', 'UNDONE'), paymentJson('b', 'UNDONE')] : [paymentJson('c', 'CONFIRMED')];
      return { status: 200, json: { payments, page, page_size: 2, total: 3 } };
    });
    expect((await client(fake).findPaymentByEcrTransactionId(CUIT, 'ecr-1'))?.payment_data.payment_id).toBe('c');
    expect(fake.to('/searches')).toHaveLength(2);
  });

  it('answers null when no payment has the reference', async () => {
    const fake = provider(() => ({ status: 200, json: { payments: [], page: 1, page_size: 200, total: 0 } }));
    expect(await client(fake).findPaymentByEcrTransactionId(CUIT, 'nope')).toBeNull();
  });

  it('creates a reversal keyed by the payment, and lists reversals with query filters', async () => {
    const reversal = { reversal_request_data: { ecr_transaction_id: 'rev-1' }, reversal_data: { payment_id: 'p-1', reversal_status: 'REVERSAL_REQUEST' } };
    const fake = provider((req) =>
      req.method === 'POST'
        ? { status: 200, json: reversal }
        : { status: 200, json: { reversals: [reversal], page: 1, page_size: 50, total: 1 } },
    );
    const c = client(fake);
    await c.createReversal(CUIT, { payment_id: 'p-1', ecr_transaction_id: 'rev-1', terminals_list: [{ terminal_id: '38011128' }] });
    expect(fake.requests[1]?.json).toEqual({
      reversal_request_data: {
        subnet_acquirer_id: '1',
        payment_id: 'p-1',
        ecr_transaction_id: 'rev-1',
        terminal_menu_text: 'rev-1',
        print_copies: 'BOTH',
        terminals_list: [{ terminal_id: '38011128' }],
      },
    });
    expect(fake.requests[1]?.path).toBe('/base/v1/paystore_terminals/terminal_reversals/reversals');
    const list = await c.listReversals(CUIT, { ecrTransactionId: 'rev-1', statuses: ['REVERSED', 'REVERSAL_REQUEST'], page: 1, pageSize: 50 });
    expect(list).toMatchObject({ page: 1, pageSize: 50, total: 1 });
    const q = fake.requests[2]?.query;
    expect(q?.get('ecr_transaction_id')).toBe('rev-1');
    expect(q?.getAll('status')).toEqual(['REVERSED', 'REVERSAL_REQUEST']);
    expect(q?.get('page_size')).toBe('50');
    expect((await c.findReversalByEcrTransactionId(CUIT, 'rev-1'))?.reversal_data.payment_id).toBe('p-1');
  });

  it('creates an AMEX refund with a flat body and reads either request key back', async () => {
    const fake = provider(() => ({
      status: 200,
      json: { refund_request: { ecr_transaction_id: 'ref-1' }, refund_data: { refund_id: 'r-1', refund_status: 'REFUND_REQUEST' } },
    }));
    const c = client(fake);
    const refund = await c.createRefund(CUIT, { refund_amount: '2500', ecr_transaction_id: 'ref-1', terminals_list: [{ terminal_id: '38011128' }] });
    expect(refund.refund_request?.ecr_transaction_id).toBe('ref-1');
    expect(fake.requests[1]?.json).toEqual({
      subnet_acquirer_id: '1',
      refund_amount: '2500',
      terminal_menu_text: 'ref-1',
      ecr_provider: 'ecr-bridge',
      ecr_name: 'ecr-bridge',
      ecr_version: '0.1.0',
      ecr_transaction_id: 'ref-1',
      print_copies: 'BOTH',
      terminals_list: [{ terminal_id: '38011128' }],
      card_brand_product: 'AM',
    });
  });

  it('creates a settlement with everything in the query and no body', async () => {
    const fake = provider(() => ({ status: 200, json: { settlements_data: { settlement_id: 's-1', settlement_status: 'SETTLEMENT_REQUEST', print_receipt: 'false' } } }));
    const settlement = await client(fake).createSettlement(CUIT, '38011128', false);
    expect(settlement.settlements_data.print_receipt).toBe(false);
    const req = fake.requests[1];
    expect(req?.method).toBe('POST');
    expect(req?.bodyText).toBeUndefined();
    expect(Object.fromEntries(req?.query ?? [])).toEqual({
      cuit_cuil: CUIT,
      subnet_acquirer_id: '1',
      terminal_id: '38011128',
      print_receipt: 'false',
    });
  });

  it('uses configured paths', async () => {
    const fake = provider(() => paymentAnswer('p-1', 'CONFIRMED'));
    await client(fake, { paths: { 'payment.get': '/custom/pay/{id}/x' } }).getPayment(CUIT, 'p-1');
    expect(fake.requests.at(-1)?.path).toBe('/base/custom/pay/p-1/x');
  });

  it('refuses bad input before sending anything', async () => {
    const fake = provider(() => paymentAnswer('p-1', 'PAYMENT_REQUEST'));
    const c = client(fake);
    for (const bad of [
      c.createPayment(CUIT, { ...create, payment_amount: '15.00' }),
      c.createPayment(CUIT, { ...create, payment_amount: '0' }),
      c.createPayment(CUIT, { ...create, terminals_list: [] }),
      c.createPayment(CUIT, { ...create, ecr_transaction_id: ' ' }),
      c.createPayment('', create),
      c.getPayment(CUIT, ''),
      c.createRefund(CUIT, { refund_amount: '-5', ecr_transaction_id: 'r', terminals_list: [{ terminal_id: '1' }] }),
    ]) {
      const err = await failure(bad);
      expect(err).toMatchObject({ code: PaystoreErrorCode.BadRequest, outcome: 'not_sent' });
    }
    expect(fake.requests).toHaveLength(0);
  });

  it('checks liveness through the authenticated probe', async () => {
    const up = provider(() => ({ status: 200, json: { status: 'UP' } }));
    expect(await client(up).checkLiveness()).toBe(true);
    expect(up.requests.at(-1)?.path).toBe('/base/v1/paystore_terminals/terminal_payments/health/liveness');
    expect(up.requests.at(-1)?.headers['authorization']).toBe('Bearer tok-1');
    expect(await client(provider(() => ({ status: 200, json: { status: 'DOWN' } }))).checkLiveness()).toBe(false);
    expect(await client(provider(() => ({ status: 503 }))).checkLiveness()).toBe(false);
  });
});

describe('PaystoreClient token handling', () => {
  it('asks for a token with Basic client credentials, GET with grant_type in the query by default', async () => {
    const fake = provider(() => paymentAnswer('p-1', 'CONFIRMED'));
    await client(fake).getPayment(CUIT, 'p-1');
    const [tokenReq] = fake.to(TOKEN_PATH);
    expect(tokenReq?.method).toBe('GET');
    expect(tokenReq?.query.get('grant_type')).toBe('client_credentials');
    expect(tokenReq?.headers['authorization']).toBe(`Basic ${Buffer.from(`ecr-bridge:${SECRET}`).toString('base64')}`);
  });

  it.each([
    ['post-json', 'application/json', '{"grant_type":"client_credentials"}'],
    ['post-form', 'application/x-www-form-urlencoded', 'grant_type=client_credentials'],
  ] as const)('can ask for the token with %s', async (style, contentType, body) => {
    const fake = provider(() => paymentAnswer('p-1', 'CONFIRMED'));
    await client(fake, { tokenRequestStyle: style }).getPayment(CUIT, 'p-1');
    const [tokenReq] = fake.to(TOKEN_PATH);
    expect(tokenReq).toMatchObject({ method: 'POST', bodyText: body });
    expect(tokenReq?.headers['content-type']).toBe(contentType);
  });

  it('reuses one token across calls and shares one token request among concurrent calls', async () => {
    const fake = provider(() => paymentAnswer('p-1', 'CONFIRMED'));
    const c = client(fake);
    await Promise.all(Array.from({ length: 8 }, () => c.getPayment(CUIT, 'p-1')));
    await c.getPayment(CUIT, 'p-1');
    expect(fake.to(TOKEN_PATH)).toHaveLength(1);
    expect(new Set(fake.to('/p-1').map((r) => r.headers['authorization']))).toEqual(new Set(['Bearer tok-1']));
  });

  it('renews the token early, by its own clock', async () => {
    let now = 0;
    const fake = provider(() => paymentAnswer('p-1', 'CONFIRMED'));
    const c = client(fake, { now: () => now, tokenRenewBeforeSeconds: 300 });
    await c.getPayment(CUIT, 'p-1');
    now += 3299_000;
    await c.getPayment(CUIT, 'p-1');
    now += 1_000;
    await c.getPayment(CUIT, 'p-1');
    expect(fake.to('/p-1').map((r) => r.headers['authorization'])).toEqual(['Bearer tok-1', 'Bearer tok-1', 'Bearer tok-2']);
  });

  it('on a 401 drops the token, fetches a new one and replays the call once', async () => {
    const fake = provider((req) => (req.headers['authorization'] === 'Bearer tok-1' ? errorAnswer(401, 'invalid_token') : paymentAnswer('p-1', 'CONFIRMED')));
    const answer = await client(fake).getPayment(CUIT, 'p-1');
    expect(answer.payment_data.payment_status).toBe('CONFIRMED');
    expect(fake.to(TOKEN_PATH)).toHaveLength(2);
    expect(fake.to('/p-1').map((r) => r.headers['authorization'])).toEqual(['Bearer tok-1', 'Bearer tok-2']);
  });

  it('replays a create after a 401 exactly once, since a 401 means it was not processed', async () => {
    const fake = provider(() => errorAnswer(401, 'invalid_token'));
    const err = await failure(client(fake).createPayment(CUIT, create));
    expect(err).toMatchObject({ code: PaystoreErrorCode.Unauthorized, outcome: 'not_applied', httpStatus: 401, operation: 'payment.create' });
    expect(fake.to(PAYMENTS)).toHaveLength(2);
    expect(fake.to(TOKEN_PATH)).toHaveLength(2);
  });

  it('reports refused credentials as UNAUTHORIZED on the token call, with the API call not sent', async () => {
    const fake = createFakeFetch(() => errorAnswer(401, 'invalid_client', 'bad client credentials'));
    const err = await failure(client(fake).createPayment(CUIT, create));
    expect(err).toMatchObject({ code: PaystoreErrorCode.Unauthorized, operation: 'token', outcome: 'not_sent', httpStatus: 401 });
    expect(fake.to(PAYMENTS)).toHaveLength(0);
  });

  it('reports a token request that timed out as TIMEOUT with the API call not sent', async () => {
    const fake = createFakeFetch(() => ({ hang: true }));
    const err = await failure(client(fake, { timeoutMs: 30 }).createPayment(CUIT, create));
    expect(err).toMatchObject({ code: PaystoreErrorCode.Timeout, operation: 'token', outcome: 'not_sent' });
  });

  it('falls back to a short lifetime when the token answer has no readable expires_in', async () => {
    let now = 0;
    const fake = provider(() => paymentAnswer('p-1', 'CONFIRMED'), 'soon');
    const c = client(fake, { now: () => now });
    await c.getPayment(CUIT, 'p-1');
    now += 151_000;
    await c.getPayment(CUIT, 'p-1');
    expect(fake.to(TOKEN_PATH)).toHaveLength(2);
  });

  it('treats a token answer without access_token as PROTOCOL', async () => {
    const fake = createFakeFetch(() => ({ status: 200, json: { token_type: 'Bearer' } }));
    const err = await failure(client(fake).getPayment(CUIT, 'p-1'));
    expect(err).toMatchObject({ code: PaystoreErrorCode.Protocol, operation: 'token', outcome: 'not_sent' });
  });

  it('never puts the client secret or a token into an error message', async () => {
    const fake = provider((req) => ({
      status: 400,
      json: { errors: [{ code: 'BAD_REQUEST', title: `echo ${req.headers['authorization'] ?? ''} ${SECRET}` }] },
    }));
    const err = await failure(client(fake).getPayment(CUIT, 'p-1'));
    const text = `${err.message} ${JSON.stringify(err)}`;
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain('tok-1');
    expect(text).toContain('[redacted]');
  });
});

describe('PaystoreClient failures', () => {
  it('aborts a create that gets no answer in time: TIMEOUT, outcome unknown, never resent', async () => {
    const fake = provider(() => ({ hang: true }));
    const started = Date.now();
    const err = await failure(client(fake, { timeoutMs: 5_000, createTimeoutMs: 50 }).createPayment(CUIT, create));
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(err).toMatchObject({ code: PaystoreErrorCode.Timeout, outcome: 'unknown', operation: 'payment.create' });
    expect(fake.to(PAYMENTS)).toHaveLength(1);
    expect(fake.to(PAYMENTS)[0]?.signal?.aborted).toBe(true);
  });

  it('uses timeoutMs for calls that are not creates', async () => {
    const fake = provider(() => ({ hang: true }));
    const err = await failure(client(fake, { timeoutMs: 40, createTimeoutMs: 10_000 }).cancelPayment(CUIT, 'p-1'));
    expect(err).toMatchObject({ code: PaystoreErrorCode.Timeout, outcome: 'unknown', operation: 'payment.cancel' });
  });

  it.each([
    [400, PaystoreErrorCode.BadRequest, 'not_applied'],
    [404, PaystoreErrorCode.NotFound, 'not_applied'],
    [409, PaystoreErrorCode.Conflict, 'not_applied'],
    [503, PaystoreErrorCode.Unavailable, 'not_applied'],
    [500, PaystoreErrorCode.ServerError, 'unknown'],
    [502, PaystoreErrorCode.ServerError, 'unknown'],
    [504, PaystoreErrorCode.ServerError, 'unknown'],
  ] as const)('maps a %i answer to a create to %s (%s) and sends it once', async (status, code, outcome) => {
    const fake = provider(() => errorAnswer(status, 'X'));
    const err = await failure(client(fake).createPayment(CUIT, create));
    expect(err).toMatchObject({ code, outcome, httpStatus: status, operation: 'payment.create' });
    expect(fake.to(PAYMENTS)).toHaveLength(1);
  });

  it('maps a refused connection to NETWORK, not sent', async () => {
    const fake = provider(() => ({ networkError: 'ECONNREFUSED' }));
    const err = await failure(client(fake).createPayment(CUIT, create));
    expect(err).toMatchObject({ code: PaystoreErrorCode.Network, outcome: 'not_sent' });
  });

  it('maps a connection reset after sending to NETWORK, unknown', async () => {
    const fake = provider(() => ({ networkError: 'ECONNRESET' }));
    const err = await failure(client(fake).createPayment(CUIT, create));
    expect(err).toMatchObject({ code: PaystoreErrorCode.Network, outcome: 'unknown' });
  });

  it('treats an answer whose body is lost midway as unknown', async () => {
    const fake = provider(() => ({ bodyLost: 'ECONNRESET', status: 200 }));
    const err = await failure(client(fake).createPayment(CUIT, create));
    expect(err).toMatchObject({ code: PaystoreErrorCode.Network, outcome: 'unknown' });
  });

  it.each([
    ['not JSON', { status: 200, text: '<html>ok</html>' }],
    ['empty', { status: 200, text: '' }],
    ['missing payment_id', { status: 200, json: { payment_data: { payment_status: 'PAYMENT_REQUEST' } } }],
    ['missing payment_data', { status: 200, json: { payment_request_data: {} } }],
  ] as const)('maps an unreadable create answer (%s) to PROTOCOL, unknown', async (_name, answer) => {
    const fake = provider(() => answer);
    const err = await failure(client(fake).createPayment(CUIT, create));
    expect(err).toMatchObject({ code: PaystoreErrorCode.Protocol, outcome: 'unknown' });
  });

  it('reads fields of the wrong kind leniently instead of failing the call', async () => {
    const fake = provider(() =>
      paymentAnswer('p-1', 'CONFIRMED', { installments_number: '3', batch_number: 12, bin: { odd: true }, extra_field: 'kept' }),
    );
    const { payment_data } = await client(fake).getPayment(CUIT, 'p-1');
    expect(payment_data.installments_number).toBe(3);
    expect(payment_data.batch_number).toBe('12');
    expect(payment_data.bin).toBeNull();
    expect(payment_data['extra_field']).toBe('kept');
  });

  it('reports unknown enum values it tolerates, and still answers', async () => {
    const fake = provider(() => paymentAnswer('p-1', 'PARTIALLY_APPROVED', { card_type: 'BIOMETRIC', acquirer_id: 'PRISMA' }));
    const seen: Array<[string, string]> = [];
    const answer = await client(fake, { onUnknownEnum: (f, v) => seen.push([f, v]) }).getPayment(CUIT, 'p-1');
    expect(answer.payment_data.payment_status).toBe('PARTIALLY_APPROVED');
    expect(seen).toEqual([
      ['payment_status', 'PARTIALLY_APPROVED'],
      ['card_type', 'BIOMETRIC'],
    ]);
  });

  it('warns about an unknown enum value once by default, through the given logger', async () => {
    const fake = provider(() => paymentAnswer('p-1', 'NEW_STATUS'));
    const warnings: string[] = [];
    const c = new PaystoreClient({
      baseUrl: BASE,
      clientId: 'ecr-bridge',
      clientSecret: SECRET,
      subnetAcquirerId: '1',
      fetch: fake.fetch,
      logger: { warn: (m) => warnings.push(m) },
    });
    clients.push(c);
    await c.getPayment(CUIT, 'p-1');
    await c.getPayment(CUIT, 'p-1');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('payment_status');
    expect(warnings[0]).toContain('NEW_STATUS');
  });
});

describe('PaystoreClient breakers', () => {
  const breakerOptions = { volumeThreshold: 5, errorThresholdPercentage: 50, resetTimeoutMs: 80, rollingCountTimeoutMs: 10_000 };

  it('does not open on 4xx answers, however many', async () => {
    const fake = provider(() => errorAnswer(409, 'INVALID_STATE'));
    const c = client(fake, { breaker: breakerOptions });
    for (let i = 0; i < 12; i++) await failure(c.cancelPayment(CUIT, 'p-1'));
    expect(c.breakerStates()['payment.cancel']).toBe('closed');
  });

  it('opens on 5xx answers, then fails fast with CIRCUIT_OPEN without calling, then recovers', async () => {
    let healthy = false;
    const fake = provider(() => (healthy ? paymentAnswer('p-1', 'CONFIRMED') : errorAnswer(500, 'INTERNAL_ERROR')));
    const changes: Array<[PaystoreOperation, BreakerState]> = [];
    const c = client(fake, { breaker: breakerOptions, onBreakerStateChange: (op, s) => changes.push([op, s]) });
    for (let i = 0; i < 5; i++) await failure(c.getPayment(CUIT, 'p-1'));
    expect(c.breakerStates()['payment.get']).toBe('open');
    const sent = fake.requests.length;
    const err = await failure(c.getPayment(CUIT, 'p-1'));
    expect(err).toMatchObject({ code: PaystoreErrorCode.CircuitOpen, outcome: 'not_sent', operation: 'payment.get' });
    expect(fake.requests.length).toBe(sent);
    expect(c.breakerStates()['payment.create']).toBe('closed');

    healthy = true;
    await new Promise((r) => setTimeout(r, 120));
    expect(c.breakerStates()['payment.get']).toBe('half_open');
    await c.getPayment(CUIT, 'p-1');
    expect(c.breakerStates()['payment.get']).toBe('closed');
    expect(changes).toEqual([
      ['payment.get', 'open'],
      ['payment.get', 'half_open'],
      ['payment.get', 'closed'],
    ]);
  });

  it('opens on timeouts', async () => {
    const fake = provider(() => ({ hang: true }));
    const c = client(fake, { breaker: breakerOptions, timeoutMs: 20 });
    for (let i = 0; i < 5; i++) await failure(c.getPayment(CUIT, 'p-1'));
    expect(c.breakerStates()['payment.get']).toBe('open');
  });

  it('stops its timers on shutdown; later calls are not sent', async () => {
    const fake = provider(() => paymentAnswer('p-1', 'CONFIRMED'));
    const c = client(fake);
    await c.getPayment(CUIT, 'p-1');
    c.shutdown();
    const err = await failure(c.getPayment(CUIT, 'p-1'));
    expect(err).toMatchObject({ code: PaystoreErrorCode.CircuitOpen, outcome: 'not_sent' });
  });
});

describe('PaystoreClient options', () => {
  it('refuses missing credentials and bad URLs without echoing the secret', () => {
    const base = { baseUrl: BASE, clientId: 'id', clientSecret: SECRET, subnetAcquirerId: '1' };
    expect(() => new PaystoreClient({ ...base, clientSecret: '' })).toThrow('clientSecret');
    expect(() => new PaystoreClient({ ...base, baseUrl: 'not a url' })).toThrow('baseUrl');
    expect(() => new PaystoreClient({ ...base, timeoutMs: 0 })).toThrow('timeoutMs');
    try {
      new PaystoreClient({ ...base, subnetAcquirerId: '' });
    } catch (err) {
      expect(String(err)).not.toContain(SECRET);
    }
  });
});
