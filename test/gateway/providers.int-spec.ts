// Terminals of Klio SmartPos and pagoUno behind the same API: the gateway refuses, before anything
// is stored or queued, what the terminal's provider cannot do, and takes what it can.
import { randomUUID } from 'node:crypto';
import { OperationView } from '@app/contracts';
import { OperationsRepository } from '@app/persistence';
import { linkPayment } from '../../apps/reversals/src/payment-linkage';
import { Gateway, startGateway } from './gateway.harness';

type Answer = OperationView & { code?: string; errors?: { field: string; message: string }[] };

const SPLIT = {
  cards: [
    {
      token: 'tok_visa_0001',
      purchases: [
        { merchantCode: 'SHOP1', amount: 60000, sellerDescriptor: 'ALMACEN*CENTRO' },
        { merchantCode: 'SHOP2', amount: 40000, installments: 3, plan: 'ahora_3', sellerDescriptor: 'KIOSCO*2' },
      ],
    },
  ],
};

describe('gateway and the providers’ capabilities', () => {
  let gw: Gateway;
  let repo: OperationsRepository;
  let merchant: { id: string; apiKey: string };
  let paystore: string;
  const klio = `klio-${randomUUID().slice(0, 8)}`;
  const klioDevice = `dev-${randomUUID().slice(0, 8)}`;
  const klio2 = `klio-${randomUUID().slice(0, 8)}`;
  const pagouno = `pu-${randomUUID().slice(0, 8)}`;

  const admin = (method: string, path: string, body?: unknown) => gw.request<Record<string, unknown>>(method, path, { key: gw.adminKey, body });
  const post = (path: string, body: unknown) =>
    gw.request<Answer>('POST', path, { key: merchant.apiKey, body, headers: { 'idempotency-key': randomUUID() } });

  beforeAll(async () => {
    gw = await startGateway();
    repo = new OperationsRepository(gw.db.dataSource);
    merchant = await gw.createMerchant();
    paystore = await gw.registerTerminal(merchant.id);
    expect((await admin('PUT', `/v1/admin/merchants/${merchant.id}/terminals/${klio}`, { provider: 'klio', deviceId: klioDevice })).status).toBe(201);
    expect((await admin('PUT', `/v1/admin/merchants/${merchant.id}/terminals/${klio2}`, { provider: 'klio', deviceId: `${klioDevice}-2` })).status).toBe(201);
    expect((await admin('PUT', `/v1/admin/merchants/${merchant.id}/terminals/${pagouno}`, { provider: 'pagouno', label: 'Tienda online' })).status).toBe(201);
  });
  afterAll(async () => gw.close());

  /** Expects a 422 (400 for REQUEST.VALIDATION_FAILED) with `code` naming `field`, and nothing written. */
  async function refused(path: string, body: unknown, code: string, field: string): Promise<Answer> {
    const before = await gw.counts();
    const res = await post(path, body);
    expect(res.status).toBe(code === 'REQUEST.VALIDATION_FAILED' ? 400 : 422);
    expect(res.body).toMatchObject({ code, errors: expect.arrayContaining([expect.objectContaining({ field })]) });
    expect(await gw.counts()).toEqual(before);
    return res.body;
  }

  describe('terminal registry', () => {
    it('shows the Klio device of a Klio terminal, and null for the others', async () => {
      const res = await gw.request<{ data: { terminalId: string; provider: string; deviceId: string | null }[] }>('GET', '/v1/terminals', {
        key: merchant.apiKey,
      });
      expect(res.body.data).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ terminalId: klio, provider: 'klio', deviceId: klioDevice }),
          expect.objectContaining({ terminalId: pagouno, provider: 'pagouno', deviceId: null }),
          expect.objectContaining({ terminalId: paystore, provider: 'paystore', deviceId: null }),
        ]),
      );
    });

    it('refuses a Klio terminal without a device, and a device on another provider', async () => {
      const noDevice = await admin('PUT', `/v1/admin/merchants/${merchant.id}/terminals/klio-x`, { provider: 'klio' });
      expect(noDevice.status).toBe(400);
      expect(noDevice.body).toMatchObject({ code: 'REQUEST.VALIDATION_FAILED', errors: [{ field: 'deviceId' }] });
      const stray = await admin('PUT', `/v1/admin/merchants/${merchant.id}/terminals/12345678`, { provider: 'paystore', deviceId: 'd1' });
      expect(stray.status).toBe(400);
      expect(stray.body).toMatchObject({ errors: [{ field: 'deviceId' }] });
    });

    it('answers 409 for a Klio device already registered as another terminal', async () => {
      const res = await admin('PUT', `/v1/admin/merchants/${merchant.id}/terminals/klio-dup`, { provider: 'klio', deviceId: klioDevice });
      expect(res.status).toBe(409);
      expect(res.body).toMatchObject({ code: 'TERMINAL.OWNED_BY_ANOTHER_MERCHANT', errors: [{ field: 'deviceId' }] });
    });
  });

  describe('payments', () => {
    it('queues a Klio payment with its device and task options', async () => {
      const res = await post('/v1/payments', {
        terminalIds: [klio],
        amount: 150000,
        currency: 'ARS',
        method: 'qr',
        klio: { interestPayer: 'merchant', printTicket: 'offer', collectAccount: { portfolioId: 7, personId: 42 } },
      });
      expect(res.status).toBe(202);
      expect(res.body).toMatchObject({ provider: 'klio', method: 'qr', terminalIds: [klio] });
      const op = await repo.findById(res.body.id);
      expect(op?.request.klio).toEqual({
        deviceId: klioDevice,
        interestPayer: 'merchant',
        customerChoosesInstallments: false,
        printTicket: 'offer',
        collectAccount: { portfolioId: 7, personId: 42 },
      });
    });

    it('queues a pagoUno split charge whose purchases add up to the amount', async () => {
      const res = await post('/v1/payments', { terminalIds: [pagouno], amount: 100000, currency: 'ARS', pagouno: SPLIT });
      expect(res.status).toBe(202);
      const op = await repo.findById(res.body.id);
      expect(op?.provider).toBe('pagouno');
      expect(op?.request.pagouno?.cards[0].purchases).toEqual([
        { merchantCode: 'SHOP1', amount: 60000, installments: 1, plan: null, sellerDescriptor: 'ALMACEN*CENTRO' },
        { merchantCode: 'SHOP2', amount: 40000, installments: 3, plan: 'ahora_3', sellerDescriptor: 'KIOSCO*2' },
      ]);
    });

    it('refuses a broadcast to several Klio devices', async () => {
      await refused('/v1/payments', { terminalIds: [klio, klio2], amount: 1000, currency: 'ARS' }, 'PROVIDER.OPERATION_NOT_SUPPORTED', 'terminalIds');
    });

    it('refuses an Ahora plan on Klio and a QR payment on pagoUno', async () => {
      await refused('/v1/payments', { terminalIds: [klio], amount: 1000, currency: 'ARS', plan: 'ahora_12' }, 'PROVIDER.OPERATION_NOT_SUPPORTED', 'plan');
      await refused(
        '/v1/payments',
        { terminalIds: [pagouno], amount: 100000, currency: 'ARS', method: 'qr', pagouno: SPLIT },
        'PROVIDER.OPERATION_NOT_SUPPORTED',
        'method',
      );
    });

    it('refuses card tokens on a terminal and Klio options on PayStore', async () => {
      await refused('/v1/payments', { terminalIds: [paystore], amount: 100000, currency: 'ARS', pagouno: SPLIT }, 'PROVIDER.OPERATION_NOT_SUPPORTED', 'pagouno');
      await refused('/v1/payments', { terminalIds: [paystore], amount: 1000, currency: 'ARS', klio: {} }, 'PROVIDER.OPERATION_NOT_SUPPORTED', 'klio');
    });

    it('asks a pagoUno charge for its cards, and for purchases that add up', async () => {
      await refused('/v1/payments', { terminalIds: [pagouno], amount: 100000, currency: 'ARS' }, 'REQUEST.VALIDATION_FAILED', 'pagouno');
      await refused('/v1/payments', { terminalIds: [pagouno], amount: 99999, currency: 'ARS', pagouno: SPLIT }, 'PAYMENT.AMOUNT_MISMATCH', 'pagouno.cards');
    });

    it.each([
      ['a purchase under the minimum', { merchantCode: 'S', amount: 999, sellerDescriptor: 'A' }, 'pagouno.cards.0.purchases.0.amount'],
      ['a lowercase seller descriptor', { merchantCode: 'S', amount: 1000, sellerDescriptor: 'tienda' }, 'pagouno.cards.0.purchases.0.sellerDescriptor'],
      ['a descriptor over 25 characters', { merchantCode: 'S', amount: 1000, sellerDescriptor: 'A'.repeat(26) }, 'pagouno.cards.0.purchases.0.sellerDescriptor'],
      ['100 installments', { merchantCode: 'S', amount: 1000, installments: 100, sellerDescriptor: 'A' }, 'pagouno.cards.0.purchases.0.installments'],
      ['13 installments without a plan (pagoUno reads 13 as Ahora 3)', { merchantCode: 'S', amount: 1000, installments: 13, sellerDescriptor: 'A' }, 'pagouno.cards.0.purchases.0.installments'],
      ['an Ahora 6 plan with 12 installments', { merchantCode: 'S', amount: 1000, installments: 12, plan: 'ahora_6', sellerDescriptor: 'A' }, 'pagouno.cards.0.purchases.0.plan'],
    ])('answers 400 for %s, and writes nothing', async (_name, purchase, field) => {
      const before = await gw.counts();
      const res = await post('/v1/payments', {
        terminalIds: [pagouno],
        amount: purchase.amount,
        currency: 'ARS',
        pagouno: { cards: [{ token: 'tok_visa_0001', purchases: [purchase] }] },
      });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ code: 'REQUEST.VALIDATION_FAILED', errors: [expect.objectContaining({ field })] });
      expect(await gw.counts()).toEqual(before);
    });

    it('answers 400 for one token paying twice, and writes nothing', async () => {
      const before = await gw.counts();
      const purchase = { merchantCode: 'S', amount: 1000, sellerDescriptor: 'A' };
      const res = await post('/v1/payments', {
        terminalIds: [pagouno],
        amount: 2000,
        currency: 'ARS',
        pagouno: { cards: [{ token: 'tok_same_0001', purchases: [purchase] }, { token: 'tok_same_0001', purchases: [purchase] }] },
      });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ code: 'REQUEST.VALIDATION_FAILED', errors: [{ field: 'pagouno.cards.1.token' }] });
      expect(await gw.counts()).toEqual(before);
    });

    it('refuses to cancel a pagoUno charge (it is final when answered)', async () => {
      const res = await post('/v1/payments', { terminalIds: [pagouno], amount: 100000, currency: 'ARS', pagouno: SPLIT });
      const cancel = await post(`/v1/payments/${res.body.id}/cancel`, undefined);
      expect(cancel.status).toBe(422);
      expect(cancel.body).toMatchObject({ code: 'PROVIDER.OPERATION_NOT_SUPPORTED' });
      expect((await repo.findById(res.body.id))?.status).toBe('accepted');
    });
  });

  describe('refunds and settlements', () => {
    it('refuses an unreferenced refund on Klio and a batch close on pagoUno', async () => {
      await refused('/v1/refunds', { terminalIds: [klio], amount: 1000, currency: 'ARS' }, 'PROVIDER.OPERATION_NOT_SUPPORTED', 'terminalIds');
      await refused('/v1/settlements', { terminalId: pagouno }, 'PROVIDER.OPERATION_NOT_SUPPORTED', 'terminalId');
    });
  });

  describe('partial reversals (Klio annulments)', () => {
    async function approvedKlioPayment(amount: number, approvedAt = new Date()): Promise<string> {
      const res = await post('/v1/payments', { terminalIds: [klio], amount, currency: 'ARS' });
      expect(res.status).toBe(202);
      await repo.transition(res.body.id, 'approved', { terminalId: klio, providerId: `task-${randomUUID()}` });
      await gw.db.dataSource.query('UPDATE operations SET final_at = $2 WHERE id = $1', [res.body.id, approvedAt]);
      return res.body.id;
    }

    /** Ends a reversal as the reversals worker would, with the payment linkage in the same transaction. */
    const endReversal = (id: string, status: 'approved' | 'rejected') => repo.transition(id, status, {}, undefined, linkPayment);

    it('takes partial reversals up to the payment, one at a time, and refuses more than is left', async () => {
      const paymentId = await approvedKlioPayment(100000);
      const first = await post('/v1/reversals', { paymentId, amount: 30000 });
      expect(first.status).toBe(202);
      expect(first.body).toMatchObject({ amount: 30000, paymentId, provider: 'klio' });

      // One in flight at a time.
      const meanwhile = await post('/v1/reversals', { paymentId, amount: 10000 });
      expect(meanwhile.status).toBe(409);
      expect(meanwhile.body.code).toBe('PAYMENT.ALREADY_REVERSED');

      await endReversal(first.body.id, 'approved');
      let payment = await repo.findById(paymentId);
      expect(payment).toMatchObject({ reversedAmount: 30000, reversalId: null, status: 'approved' });

      await refused('/v1/reversals', { paymentId, amount: 70001 }, 'REVERSAL.AMOUNT_EXCEEDS_REMAINING', 'amount');

      const declined = await post('/v1/reversals', { paymentId, amount: 20000 });
      await endReversal(declined.body.id, 'rejected');
      expect(await repo.findById(paymentId)).toMatchObject({ reversedAmount: 30000, reversalId: null });

      // No amount: all that is left.
      const rest = await post('/v1/reversals', { paymentId });
      expect(rest.body.amount).toBe(70000);
      await endReversal(rest.body.id, 'approved');
      payment = await repo.findById(paymentId);
      expect(payment).toMatchObject({ reversedAmount: 100000, reversalId: rest.body.id });
      const view = await gw.request<OperationView>('GET', `/v1/payments/${paymentId}`, { key: merchant.apiKey });
      expect(view.body).toMatchObject({ reversedAmount: 100000, reversalId: rest.body.id });

      const after = await post('/v1/reversals', { paymentId, amount: 1 });
      expect(after.status).toBe(409);
      expect(after.body.code).toBe('PAYMENT.ALREADY_REVERSED');
    });

    it('refuses to annul a Klio payment approved more than 30 days ago', async () => {
      const paymentId = await approvedKlioPayment(5000, new Date(Date.now() - 31 * 86_400_000));
      await refused('/v1/reversals', { paymentId }, 'REVERSAL.TOO_LATE', 'paymentId');
    });
  });
});
