// Klio SmartPos and pagoUno behind the same API, end to end: the gateway over HTTP, the payments
// and reversals workers, the sandbox speaking each provider's wire, and the events every consumer
// reads. The statuses, events and guarantees are the ones PayStore payments have.
import { randomBytes } from 'node:crypto';
import { OperationView } from '@app/contracts';
import { waitFor } from '@app/testing';
import { listen, pagounoToken, Register, registerFor, startGatewayFor, StartedGateway } from '../support/e2e';
import { startSystem, System } from '../support/system';

const FINAL = new Set(['approved', 'rejected', 'cancelled', 'expired', 'failed']);

describe('Klio SmartPos and pagoUno end to end', () => {
  let sys: System;
  let gw: StartedGateway;
  let shop: Register;
  const klioTerminal = `klio-${randomBytes(4).toString('hex')}`;
  const klioDevice = `DEV-${randomBytes(4).toString('hex').toUpperCase()}`;
  const pagouno = `pu-${randomBytes(4).toString('hex')}`;

  beforeAll(async () => {
    sys = await startSystem();
    await sys.startReversals();
    gw = await startGatewayFor(sys);
    shop = await registerFor(sys, gw);
    // An unattended Klio device (it completes tasks by the amount rules) and a pagoUno account.
    await sys.sandboxCall('POST', '/sandbox/klio/devices', { deviceId: klioDevice, deviceName: 'Caja Klio', mode: 'UNATTENDED', takeDelayMs: 50 });
    for (const [terminal, body] of [
      [klioTerminal, { provider: 'klio', deviceId: klioDevice }],
      [pagouno, { provider: 'pagouno', label: 'Tienda online' }],
    ] as const) {
      const put = await gw.call('PUT', `/v1/admin/merchants/${shop.merchantId}/terminals/${terminal}`, { key: gw.adminKey, body });
      expect(put.status).toBe(201);
    }
  });
  afterAll(async () => sys?.stop());

  const command = (path: string, body: unknown) =>
    gw.call<OperationView & { code?: string }>('POST', path, {
      key: shop.apiKey,
      body,
      headers: { 'idempotency-key': `k-${randomBytes(8).toString('hex')}` },
    });
  const final = (path: string, id: string) =>
    waitFor(
      async () => {
        const res = await gw.call<OperationView>('GET', `${path}/${id}`, { key: shop.apiKey });
        return FINAL.has(res.body.status) ? res.body : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 100, what: `${path}/${id} to be final` },
    );
  const token = (pan?: string) => pagounoToken(sys, pan);

  it('approves a Klio card payment on its device, then gives it back in two partial annulments', async () => {
    const events = await listen(gw, shop.apiKey);
    const created = await command('/v1/payments', { terminalIds: [klioTerminal], amount: 250000, currency: 'ARS' });
    expect(created.status).toBe(202);
    const payment = await final('/v1/payments', created.body.id);
    expect(payment).toMatchObject({ status: 'approved', provider: 'klio', terminalId: klioTerminal, reversedAmount: 0 });
    expect(payment.providerId).toEqual(expect.any(String));
    expect(payment.card?.last4).toMatch(/^\d{4}$/);

    // One task at Klio for the payment, sent once.
    const tasks = (await sys.sandboxCall('GET', `/sandbox/requests?path=tasks-request&method=POST`)) as { data: { body: unknown }[] };
    expect(tasks.data.filter((r) => JSON.stringify(r.body).includes(created.body.id))).toHaveLength(1);

    const first = await command('/v1/reversals', { paymentId: payment.id, amount: 100000 });
    expect(first.status).toBe(202);
    expect(await final('/v1/reversals', first.body.id)).toMatchObject({ status: 'approved', amount: 100000, provider: 'klio' });
    await waitFor(async () => ((await shop.get(payment.id)).body.reversedAmount === 100000 ? true : undefined), { what: 'the first annulment booked' });

    const rest = await command('/v1/reversals', { paymentId: payment.id });
    expect(rest.body.amount).toBe(150000);
    expect(await final('/v1/reversals', rest.body.id)).toMatchObject({ status: 'approved' });
    const after = (await shop.get(payment.id)).body;
    expect(after).toMatchObject({ reversedAmount: 250000, reversalId: rest.body.id });
    expect((await command('/v1/reversals', { paymentId: payment.id, amount: 1 })).body.code).toBe('PAYMENT.ALREADY_REVERSED');

    const types = await waitFor(
      async () => {
        const seen = events.events.map((e) => `${e.data.type}:${e.data.subject}`);
        return seen.includes(`reversal.approved:${rest.body.id}`) ? seen : undefined;
      },
      { what: 'the events' },
    );
    expect(types).toEqual(expect.arrayContaining([`payment.approved:${payment.id}`, `reversal.approved:${first.body.id}`, `reversal.approved:${rest.body.id}`]));
    events.close();
  });

  it('declines a Klio payment by the amount rules', async () => {
    const created = await command('/v1/payments', { terminalIds: [klioTerminal], amount: 120005, currency: 'ARS' });
    expect(await final('/v1/payments', created.body.id)).toMatchObject({ status: 'rejected', failure: { code: 'PAYMENT.DECLINED' } });
  });

  it('charges a pagoUno split of two cards and three merchants, then annuls every transaction', async () => {
    const [visa, master] = await Promise.all([token('4545454545458745'), token('5100000000000008')]);
    const created = await command('/v1/payments', {
      terminalIds: [pagouno],
      amount: 300000,
      currency: 'ARS',
      pagouno: {
        cards: [
          {
            token: visa,
            purchases: [
              { merchantCode: 'SHOP1', amount: 100000, sellerDescriptor: 'TIENDA*UNO' },
              { merchantCode: 'SHOP2', amount: 50000, installments: 3, plan: 'ahora_3', sellerDescriptor: 'TIENDA*DOS' },
            ],
          },
          { token: master, purchases: [{ merchantCode: 'SHOP3', amount: 150000, sellerDescriptor: 'TIENDA*TRES' }] },
        ],
      },
    });
    expect(created.status).toBe(202);
    const payment = await final('/v1/payments', created.body.id);
    expect(payment).toMatchObject({ status: 'approved', provider: 'pagouno' });
    expect(payment.transactions).toHaveLength(3);
    expect(payment.transactions?.every((t) => t.status === 'approved' && t.id)).toBe(true);
    expect(JSON.stringify(payment)).not.toMatch(/4545454545458745|5100000000000008/);

    const charges = (await sys.sandboxCall('GET', '/sandbox/requests?path=purchasegroup&method=POST')) as { data: { body: unknown }[] };
    expect(charges.data.filter((r) => JSON.stringify(r.body).includes(created.body.id))).toHaveLength(1);

    const reversal = await command('/v1/reversals', { paymentId: payment.id });
    expect(reversal.status).toBe(202);
    expect(await final('/v1/reversals', reversal.body.id)).toMatchObject({ status: 'approved', amount: 300000, provider: 'pagouno' });
    expect((await shop.get(payment.id)).body).toMatchObject({ reversedAmount: 300000, reversalId: reversal.body.id });
  });

  it('rejects a whole pagoUno split when one purchase is declined, and shows what pagoUno undid', async () => {
    const [a, b] = await Promise.all([token(), token()]);
    const created = await command('/v1/payments', {
      terminalIds: [pagouno],
      amount: 200005,
      currency: 'ARS',
      pagouno: {
        cards: [
          { token: a, purchases: [{ merchantCode: 'SHOP1', amount: 100000, sellerDescriptor: 'TIENDA*UNO' }] },
          { token: b, purchases: [{ merchantCode: 'SHOP2', amount: 100005, sellerDescriptor: 'TIENDA*DOS' }] },
        ],
      },
    });
    const payment = await final('/v1/payments', created.body.id);
    expect(payment.status).toBe('rejected');
    const statuses = (payment.transactions ?? []).map((t) => t.status).sort();
    expect(statuses).toEqual(['declined', 'reversed']);
  });
});
