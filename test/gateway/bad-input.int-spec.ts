import { randomUUID } from 'node:crypto';
import type { ProblemDetails } from '@app/contracts';
import { Gateway, RequestOptions, startGateway } from './gateway.harness';

// Every malformed or invalid request is a 4xx with a stable code, and writes nothing.
describe('gateway bad input', () => {
  let gw: Gateway;
  let merchant: { id: string; apiKey: string };
  let terminal: string;

  beforeAll(async () => {
    gw = await startGateway();
    merchant = await gw.createMerchant();
    terminal = await gw.registerTerminal(merchant.id);
  });
  afterAll(async () => gw.close());

  const valid = () => ({ terminalIds: [terminal], amount: 150000, currency: 'ARS' });
  const withBody = (patch: Record<string, unknown>) => ({ body: { ...valid(), ...patch } });
  const without = (field: string) => {
    const body: Record<string, unknown> = valid();
    delete body[field];
    return { body };
  };

  // Options are built when the test runs: the terminal is registered in beforeAll.
  type Options = Omit<RequestOptions, 'key'> & { noKey?: boolean };
  // Rows are spelled as tuples for brevity and handed to jest as objects (one argument, so jest
  // never mistakes a missing value for a `done` callback).
  type Case = [string, () => Options, number, string, string[] | null];
  const cases: Case[] = [
    ['a float amount', () => withBody({ amount: 1500.5 }), 400, 'REQUEST.VALIDATION_FAILED', ['amount']],
    ['a string amount', () => withBody({ amount: '1500' }), 400, 'REQUEST.VALIDATION_FAILED', ['amount']],
    ['a zero amount', () => withBody({ amount: 0 }), 400, 'REQUEST.VALIDATION_FAILED', ['amount']],
    ['a negative amount', () => withBody({ amount: -100 }), 400, 'REQUEST.VALIDATION_FAILED', ['amount']],
    ['an absurd amount', () => withBody({ amount: 1e15 }), 400, 'REQUEST.VALIDATION_FAILED', ['amount']],
    ['a missing amount', () => without('amount'), 400, 'REQUEST.VALIDATION_FAILED', ['amount']],
    ['an unknown currency', () => withBody({ currency: 'USD' }), 400, 'REQUEST.VALIDATION_FAILED', ['currency']],
    ['a lower-case currency', () => withBody({ currency: 'ars' }), 400, 'REQUEST.VALIDATION_FAILED', ['currency']],
    ['a missing currency', () => without('currency'), 400, 'REQUEST.VALIDATION_FAILED', ['currency']],
    ['an unknown field', () => withBody({ tip: 100 }), 400, 'REQUEST.VALIDATION_FAILED', ['tip']],
    ['an unknown nested field', () => withBody({ print: { copies: 'both', colour: 'red' } }), 400, 'REQUEST.VALIDATION_FAILED', ['print.colour']],
    ['missing terminals', () => without('terminalIds'), 400, 'REQUEST.VALIDATION_FAILED', ['terminalIds']],
    ['no terminals', () => withBody({ terminalIds: [] }), 400, 'REQUEST.VALIDATION_FAILED', ['terminalIds']],
    ['a numeric terminal id', () => withBody({ terminalIds: [38011128] }), 400, 'REQUEST.VALIDATION_FAILED', ['terminalIds.0']],
    ['a repeated terminal', () => withBody({ terminalIds: [terminal, terminal] }), 400, 'REQUEST.VALIDATION_FAILED', ['terminalIds']],
    ['a reference over 64 characters', () => withBody({ reference: 'r'.repeat(65) }), 400, 'REQUEST.VALIDATION_FAILED', ['reference']],
    ['a description over 100 characters', () => withBody({ description: 'd'.repeat(101) }), 400, 'REQUEST.VALIDATION_FAILED', ['description']],
    ['zero installments', () => withBody({ installments: 0 }), 400, 'REQUEST.VALIDATION_FAILED', ['installments']],
    ['100 installments', () => withBody({ installments: 100 }), 400, 'REQUEST.VALIDATION_FAILED', ['installments']],
    ['an unknown plan', () => withBody({ plan: 'ahora_24' }), 400, 'REQUEST.VALIDATION_FAILED', ['plan']],
    ['an unknown method', () => withBody({ method: 'cash' }), 400, 'REQUEST.VALIDATION_FAILED', ['method']],
    ['an unknown print copy', () => withBody({ print: { copies: 'all' } }), 400, 'REQUEST.VALIDATION_FAILED', ['print.copies']],
    ['a short expiry', () => withBody({ expiresInSeconds: 10 }), 400, 'REQUEST.VALIDATION_FAILED', ['expiresInSeconds']],
    ['a malformed customer tax id', () => withBody({ customerTaxId: '20-12345678-6' }), 400, 'REQUEST.VALIDATION_FAILED', ['customerTaxId']],
    [
      'several bad fields at once',
      () => withBody({ amount: 'x', terminalIds: [1] }),
      400,
      'REQUEST.VALIDATION_FAILED',
      ['terminalIds.0', 'amount'],
    ],
    ['a JSON array body', () => ({ body: [valid()] }), 400, 'REQUEST.VALIDATION_FAILED', null],
    ['a JSON null body', () => ({ raw: 'null', headers: { 'content-type': 'application/json' } }), 400, 'REQUEST.VALIDATION_FAILED', null],
    ['an empty JSON body', () => ({ raw: '', headers: { 'content-type': 'application/json' } }), 400, 'REQUEST.VALIDATION_FAILED', null],
    ['no body at all', () => ({}), 400, 'REQUEST.VALIDATION_FAILED', null],
    ['broken JSON', () => ({ raw: '{"amount": 15', headers: { 'content-type': 'application/json' } }), 400, 'REQUEST.MALFORMED_BODY', null],
    [
      'a prototype-poisoning body',
      () => ({ raw: '{"__proto__": {"admin": true}, "amount": 1}', headers: { 'content-type': 'application/json' } }),
      400,
      'REQUEST.MALFORMED_BODY',
      null,
    ],
    ['a text/plain body', () => ({ raw: JSON.stringify(valid()), headers: { 'content-type': 'text/plain' } }), 415, 'REQUEST.UNSUPPORTED_MEDIA_TYPE', null],
    [
      'a form body',
      () => ({ raw: 'amount=1500&currency=ARS', headers: { 'content-type': 'application/x-www-form-urlencoded' } }),
      415,
      'REQUEST.UNSUPPORTED_MEDIA_TYPE',
      null,
    ],
    [
      'a body over 64 KiB',
      () => ({ raw: JSON.stringify({ ...valid(), description: 'x'.repeat(70 * 1024) }), headers: { 'content-type': 'application/json' } }),
      413,
      'REQUEST.BODY_TOO_LARGE',
      null,
    ],
    ['no Idempotency-Key', () => ({ ...withBody({}), noKey: true }), 400, 'IDEMPOTENCY.KEY_MISSING', ['Idempotency-Key']],
    ['an Idempotency-Key over 255 characters', () => ({ ...withBody({}), headers: { 'idempotency-key': 'k'.repeat(256) } }), 400, 'IDEMPOTENCY.KEY_INVALID', null],
    ['an Idempotency-Key with a tab', () => ({ ...withBody({}), headers: { 'idempotency-key': 'a\tb' } }), 400, 'IDEMPOTENCY.KEY_INVALID', null],
    ['a non-ASCII Idempotency-Key', () => ({ ...withBody({}), headers: { 'idempotency-key': 'clave-ñ' } }), 400, 'IDEMPOTENCY.KEY_INVALID', null],
  ];

  const table = cases.map(([name, options, status, code, fields]) => ({ name, options, status, code, fields }));

  it.each(table)('answers $name with $status $code and writes nothing', async ({ options: optionsOf, status, code, fields }) => {
    const options = optionsOf();
    const before = await gw.counts();
    const headers: Record<string, string> = options.noKey ? {} : { 'idempotency-key': randomUUID() };
    const res = await gw.request<ProblemDetails>('POST', '/v1/payments', {
      key: merchant.apiKey,
      body: options.body,
      raw: options.raw,
      headers: { ...headers, ...(options.headers ?? {}) },
    });
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body).toMatchObject({ status, code, title: expect.any(String), detail: expect.any(String), type: expect.any(String) });
    expect(Array.isArray(res.body.errors)).toBe(true);
    if (fields) expect(res.body.errors.map((e) => e.field).sort()).toEqual([...fields].sort());
    expect(await gw.counts()).toEqual(before);
  });

  it('answers unknown routes and methods with 404 REQUEST.ROUTE_NOT_FOUND', async () => {
    for (const [method, path] of [
      ['GET', '/v1/nope'],
      ['DELETE', '/v1/payments'],
      ['PATCH', '/v1/payments/pay_1'],
    ]) {
      const res = await gw.request<ProblemDetails>(method, path, { key: merchant.apiKey });
      expect(res.status).toBe(404);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(res.body.code).toBe('REQUEST.ROUTE_NOT_FOUND');
    }
  });

  it('refuses a body on a cancel, and takes an empty one', async () => {
    const created = await gw.request<{ id: string }>('POST', '/v1/payments', {
      key: merchant.apiKey,
      body: valid(),
      headers: { 'idempotency-key': randomUUID() },
    });
    const withBodyRes = await gw.request<ProblemDetails>('POST', `/v1/payments/${created.body.id}/cancel`, {
      key: merchant.apiKey,
      body: { reason: 'customer left' },
      headers: { 'idempotency-key': randomUUID() },
    });
    expect(withBodyRes.status).toBe(400);
    expect(withBodyRes.body.errors).toEqual([{ field: 'reason', message: 'unknown field' }]);
    const empty = await gw.request('POST', `/v1/payments/${created.body.id}/cancel`, {
      key: merchant.apiKey,
      raw: '',
      headers: { 'idempotency-key': randomUUID(), 'content-type': 'application/json' },
    });
    expect(empty.status).toBe(202);
  });

  it('leaks nothing about an unexpected failure: 500 INTERNAL.ERROR', async () => {
    // Breaking the table under the gateway makes every payment read fail in an unexpected way.
    await gw.db.dataSource.query('ALTER TABLE operations RENAME TO operations_gone');
    try {
      const res = await gw.request<ProblemDetails>('GET', '/v1/payments/pay_x', { key: merchant.apiKey });
      expect(res.status).toBe(500);
      expect(res.body).toMatchObject({ code: 'INTERNAL.ERROR', errors: [] });
      expect(res.text).not.toMatch(/operations|relation|QueryFailed|at .*\.ts/);
    } finally {
      await gw.db.dataSource.query('ALTER TABLE operations_gone RENAME TO operations');
    }
  });
});
