import type { RunningSandbox } from '../../apps/sandbox/src/sandbox.app';
import { CUIT, OTHER_CUIT, PAYMENTS, REFUNDS, REVERSALS, SETTLEMENTS, withSandbox, type ErrorBody, type SandboxHttp } from './sandbox-http';

const T1 = '38020001';
const FOREIGN = '38020002';

function firstError(body: unknown): ErrorBody['errors'][number] {
  return (body as ErrorBody).errors[0];
}

describe('sandbox wire strictness', () => {
  let sandbox: RunningSandbox;
  let http: SandboxHttp;

  beforeAll(async () => {
    ({ sandbox, http } = await withSandbox({ takeDelayMs: 10 }));
    await http.terminal(T1);
    await http.terminal(FOREIGN, OTHER_CUIT);
  });
  afterAll(() => sandbox.close());

  async function paymentCount(): Promise<number> {
    const result = await http.api<{ total: number }>('POST', `${PAYMENTS}/searches`, { body: {} });
    return result.body.total;
  }

  it('answers 400 naming cuit_cuil when it is missing, on creates and on reads', async () => {
    const create = await http.api('POST', PAYMENTS, { body: http.paymentBody('1500', [T1]), cuit: null, subnet: false });
    expect(create.status).toBe(400);
    expect(firstError(create.body)).toMatchObject({ status: '400', code: 'BAD_REQUEST' });
    expect(firstError(create.body).title).toContain('cuit_cuil');
    const get = await http.api('GET', `${PAYMENTS}/whatever`, { cuit: null });
    expect(get.status).toBe(400);
    expect(await paymentCount()).toBe(0);
  });

  it('answers 400 for a cuit_cuil that is not a CUIT', async () => {
    const result = await http.api('GET', `${PAYMENTS}/whatever`, { cuit: 'abc' });
    expect(result.status).toBe(400);
  });

  it('answers 400 naming subnet_acquirer_id when a GET, a cancel, a list or a settlement lacks it', async () => {
    for (const [method, path] of [
      ['GET', `${PAYMENTS}/x`],
      ['PUT', `${PAYMENTS}/x/cancellations`],
      ['GET', REVERSALS],
      ['GET', REFUNDS],
      ['POST', SETTLEMENTS],
    ] as const) {
      const result = await http.api(method, path, { subnet: false, query: method === 'POST' ? { terminal_id: T1 } : {} });
      expect(result.status).toBe(400);
      expect(firstError(result.body).title).toContain('subnet_acquirer_id');
    }
  });

  it('answers 400 when the amount is a number instead of a string of digits', async () => {
    const result = await http.createPayment('1500', [T1], { payment_amount: 1500 });
    expect(result.status).toBe(400);
    expect(firstError(result.body).title).toContain('payment_request_data.payment_amount');
    const decimal = await http.createPayment('15.00', [T1]);
    expect(decimal.status).toBe(400);
    const zero = await http.createPayment('0', [T1]);
    expect(zero.status).toBe(400);
    expect(await paymentCount()).toBe(0);
  });

  it('answers 400 when the envelope is missing', async () => {
    const body = http.paymentBody('1500', [T1]);
    const result = await http.api('POST', PAYMENTS, { body: body.payment_request_data, subnet: false });
    expect(result.status).toBe(400);
    expect(firstError(result.body).title).toContain('payment_request_data');
  });

  it('answers 400 for a value outside an enum', async () => {
    const print = await http.createPayment('1500', [T1], { print_copies: 'ALL' });
    expect(print.status).toBe(400);
    expect(firstError(print.body).title).toContain('print_copies');
    const method = await http.createPayment('1500', [T1], { terminal_operation_method: 'NFC' });
    expect(method.status).toBe(400);
    const brand = await http.createPayment('1500', [T1], { card_brand_product: 'XX' });
    expect(brand.status).toBe(400);
  });

  it('answers 400 TERMINAL_NOT_FOUND for an unknown terminal and for a terminal of another CUIT', async () => {
    const unknown = await http.createPayment('1500', ['38029999']);
    expect(unknown.status).toBe(400);
    expect(firstError(unknown.body)).toMatchObject({ status: '400', code: 'TERMINAL_NOT_FOUND' });
    const foreign = await http.createPayment('1500', [FOREIGN]);
    expect(foreign.status).toBe(400);
    expect(firstError(foreign.body).code).toBe('TERMINAL_NOT_FOUND');
    const oneBad = await http.createPayment('1500', [T1, FOREIGN]);
    expect(oneBad.status).toBe(400);
    expect(await paymentCount()).toBe(0);
  });

  it('answers 400 for a terminal id that is not 8 digits', async () => {
    const result = await http.createPayment('1500', ['123']);
    expect(result.status).toBe(400);
    expect(firstError(result.body).title).toContain('terminals_list');
  });

  it('answers the provider 400, never a 500, for malformed JSON or a body of the wrong type', async () => {
    for (const rawBody of ['{"payment_request_data":', 'null', '[]', '"text"', '42']) {
      const result = await http.api('POST', PAYMENTS, { rawBody, subnet: false });
      expect(result.status).toBe(400);
      expect(firstError(result.body).status).toBe('400');
    }
    const text = await http.raw('POST', `${PAYMENTS}?cuit_cuil=${CUIT}`, {
      rawBody: 'amount=1500',
      headers: { authorization: `Bearer ${await http.fetchToken()}`, 'content-type': 'text/plain' },
    });
    expect(text.status).toBe(400);
  });

  it('answers 400 for wrongly typed search filters', async () => {
    const result = await http.api('POST', `${PAYMENTS}/searches`, { body: { page_size: 500 } });
    expect(result.status).toBe(400);
    const status = await http.api('POST', `${PAYMENTS}/searches`, { body: { payment_status: ['PAID'] } });
    expect(status.status).toBe(400);
    const date = await http.api('POST', `${PAYMENTS}/searches`, { body: { date_from: 'yesterday' } });
    expect(date.status).toBe(400);
  });

  it('answers 413 with the error envelope for a body over 1 MiB', async () => {
    const result = await http.api('POST', PAYMENTS, { rawBody: JSON.stringify({ pad: 'x'.repeat(1_100_000) }), subnet: false });
    expect(result.status).toBe(413);
    expect(firstError(result.body)).toMatchObject({ status: '413', code: 'PAYLOAD_TOO_LARGE' });
  });

  it('answers 404 with the error envelope for an unknown route', async () => {
    const result = await http.api('GET', '/v1/paystore_terminals/nothing_here');
    expect(result.status).toBe(404);
    expect(firstError(result.body)).toMatchObject({ status: '404', code: 'NOT_FOUND' });
  });

  it('accepts a create whose unsure fields are missing or null', async () => {
    const result = await http.api('POST', PAYMENTS, {
      subnet: false,
      body: { payment_request_data: { subnet_acquirer_id: '1', payment_amount: '1500', terminals_list: [{ terminal_id: T1 }] } },
    });
    expect(result.status).toBe(200);
  });
});

describe('sandbox under malformed input', () => {
  let sandbox: RunningSandbox;
  let http: SandboxHttp;

  beforeAll(async () => {
    ({ sandbox, http } = await withSandbox({ takeDelayMs: 10, terminals: [{ terminalId: T1, cuit: CUIT }] }));
    await http.fetchToken();
  });
  afterAll(() => sandbox.close());

  it('never answers 500 to garbage bodies, queries or ids on any route', async () => {
    const routes: Array<[string, string]> = [
      ['POST', PAYMENTS],
      ['POST', `${PAYMENTS}/searches`],
      ['GET', `${PAYMENTS}/%E0%A4%A`],
      ['PUT', `${PAYMENTS}/x/cancellations`],
      ['PUT', `${PAYMENTS}/x/confirmations`],
      ['POST', REVERSALS],
      ['GET', REVERSALS],
      ['PUT', `${REVERSALS}/x/cancellations`],
      ['POST', REFUNDS],
      ['GET', REFUNDS],
      ['POST', SETTLEMENTS],
      ['GET', SETTLEMENTS],
      ['POST', '/v1/oauth/accesstoken'],
      ['POST', '/sandbox/terminals'],
      ['POST', `/sandbox/terminals/${T1}/mode`],
      ['POST', `/sandbox/terminals/${T1}/approve`],
      ['POST', '/sandbox/faults'],
    ];
    const bodies = ['{', '[]', 'null', '"x"', '{"payment_request_data":[]}', '{"reversal_request_data":{"payment_id":5}}', '{"refund_amount":{}}', '{"match":"x"}', '{"mode":1}'];
    const queries = [{}, { cuit_cuil: ['a', 'b'] }, { page: '-1', page_size: 'x', status: 'NOPE', date_from: 'x' }];
    const statuses = new Set<number>();
    const token = await http.fetchToken();
    for (const [method, path] of routes) {
      for (const rawBody of bodies) {
        for (const extra of queries) {
          const url = new URL(path, sandbox.url);
          url.searchParams.set('cuit_cuil', CUIT);
          url.searchParams.set('subnet_acquirer_id', '1');
          for (const [key, value] of Object.entries(extra)) {
            url.searchParams.delete(key);
            for (const v of Array.isArray(value) ? value : [value]) url.searchParams.append(key, v);
          }
          const response = await fetch(url, {
            method,
            headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
            body: method === 'GET' ? undefined : rawBody,
          });
          statuses.add(response.status);
          const text = await response.text();
          if (response.status >= 500) throw new Error(`${method} ${url.pathname} ${rawBody} → ${response.status} ${text}`);
          // A well-formed fault body would fail every later request: keep the run clean.
          if (path === '/sandbox/faults') await http.control('DELETE', '/sandbox/faults');
        }
      }
    }
    expect([...statuses].every((status) => status < 500)).toBe(true);
    expect(statuses.has(400)).toBe(true);
  }, 60_000);
});
