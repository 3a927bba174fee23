// The pagoUno adapter's ports against the sandbox: a payment's create, read, get and find, and a
// full reversal through adjustments, idempotent by the reversal's id.
import { PagounoAdapter, PagounoErrorCode, PagounoReversalEnvelope } from '@app/pagouno-client';
import type { IntentPort } from '@app/providers';
import type { OperationEntity } from '@app/persistence';
import { CHARGE_PATH, Harness, pagounoFailure, paymentOp, purchase, reversalOp, startHarness } from './pagouno.harness';

describe('pagoUno adapter against the sandbox', () => {
  let h: Harness;
  let adapter: PagounoAdapter;

  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());
  beforeEach(async () => {
    await h.clearFaults();
    adapter = h.adapter();
  });
  afterEach(() => adapter.shutdown());

  async function split(amounts = [1500, 2500, 1000, 3000]): Promise<OperationEntity> {
    const [t1, t2] = [await h.tokenize('4545454545458745'), await h.tokenize('5401000000000004')];
    return paymentOp({
      cards: [
        { token: t1, purchases: [purchase('MG-NORTE', amounts[0]), purchase('MG-SUR', amounts[1])] },
        { token: t2, purchases: [purchase('MG-NORTE', amounts[2]), purchase('MG-SUR', amounts[3])] },
      ],
    });
  }

  /** The payment as the lifecycle would have stored it after reading the create's answer. */
  async function approvedPayment(amounts?: number[]): Promise<OperationEntity> {
    const op = await split(amounts);
    const port = adapter.payment();
    const reading = port.read(await port.create('', op), op);
    expect(reading.status).toBe('approved');
    return { ...op, status: 'approved', providerId: reading.providerId, terminalId: reading.terminalId, result: reading.result };
  }

  it('approves a 2 × 2 split; the result lists each transaction; find and get read the same group', async () => {
    const op = await split();
    const port = adapter.payment();
    const reading = port.read(await port.create('', op), op);
    expect(reading).toMatchObject({ cls: 'approved', status: 'approved', terminalId: 'pagouno-main' });
    expect(reading.result.transactions?.map((t) => [t.merchantCode, t.amount, t.status])).toEqual([
      ['MG-NORTE', 1500, 'approved'],
      ['MG-SUR', 2500, 'approved'],
      ['MG-NORTE', 1000, 'approved'],
      ['MG-SUR', 3000, 'approved'],
    ]);
    expect(reading.providerId).toBe(reading.result.transactions?.[0].id);
    expect(reading.result.card).toEqual({ brand: 'visa', bin: '454545', last4: '8745', entryMode: 'card_not_present' });
    expect(reading.result.transactions?.[2].card).toMatchObject({ brand: 'mastercard', last4: '0004' });

    const found = await port.find('', op);
    expect(found && port.read(found, op)).toEqual(reading);
    expect(port.read(await port.get('', reading.providerId), op)).toEqual(reading);
  });

  it('rejects the whole charge when one purchase is declined, showing which were reversed', async () => {
    const op = await split([1500, 2500, 1005, 3000]);
    const port = adapter.payment();
    const reading = port.read(await port.create('', op), op);
    expect(reading).toMatchObject({ cls: 'declined', status: 'rejected' });
    expect(reading.result.failure).toEqual({ code: 'PAYMENT.DECLINED', message: 'DENEGADA' });
    expect(reading.result.transactions?.map((t) => t.status)).toEqual(['reversed', 'reversed', 'declined', 'reversed']);
  });

  it('a bad token is refused for good; a bad key is "not taken" (a configuration problem)', async () => {
    const port = adapter.payment();
    const op = paymentOp({ cards: [{ token: 'UNKNOWN-TOKEN', purchases: [purchase('MG', 1500)] }] });
    const err = await pagounoFailure(port.create('', op));
    expect(port.failureOf?.(err)).toBe('rejected');
    expect(port.rejection?.(err, port.messageOf?.(err) ?? '')).toMatchObject({ code: 'PROVIDER.REJECTED' });

    const wrongKey = h.adapter({ privateKey: 'wrong-key' });
    const keyErr = await pagounoFailure(wrongKey.payment().create('', await split()));
    expect(keyErr).toMatchObject({ code: PagounoErrorCode.Unauthorized, status: 403 });
    expect(wrongKey.payment().failureOf?.(keyErr)).toBe('not_taken');
    wrongKey.shutdown();
  });

  it('refuses before sending a split pagoUno would refuse', async () => {
    const port = adapter.payment();
    const op = paymentOp({ cards: [{ token: await h.tokenize(), purchases: [purchase('MG', 1500, { sellerDescriptor: 'lower case' })] }] });
    const err = await pagounoFailure(port.create('', op));
    expect(err).toMatchObject({ code: PagounoErrorCode.InvalidRequest, outcome: 'not_sent' });
    expect(port.failureOf?.(err)).toBe('rejected');
    expect(port.rejection?.(err, err.message).code).toBe('REQUEST.VALIDATION_FAILED');
  });

  it('after a create whose answer was lost, finds the charge by our reference instead of sending it again', async () => {
    const quick = h.adapter({ timeoutMs: 300 });
    await h.addFault({ match: { path: CHARGE_PATH, method: 'POST' }, latencyMs: 1000 });
    const op = await split();
    const port = quick.payment();
    const err = await pagounoFailure(port.create('', op));
    expect(port.failureOf?.(err)).toBe('unknown');
    await h.clearFaults();
    let found = await port.find('', op);
    for (let i = 0; i < 30 && !found; i++) {
      await new Promise((r) => setTimeout(r, 100));
      found = await port.find('', op);
    }
    expect(found && port.read(found, op)).toMatchObject({ status: 'approved' });
    const sent = (await h.requests({ path: CHARGE_PATH, method: 'POST' })).filter(
      (r) => (r.body as { external_reference?: string }).external_reference === op.id,
    );
    expect(sent).toHaveLength(1);
    quick.shutdown();
  });

  describe('reversal', () => {
    const annulments = async (payment: OperationEntity) =>
      (await h.requests({ method: 'POST' })).filter((r) => r.path.endsWith('/adjustments') && payment.result.transactions?.some((t) => r.path.includes(t.id as string)));

    it('annuls every transaction of the payment; a repeat of the same reversal annuls nothing more', async () => {
      const payment = await approvedPayment();
      const rev = reversalOp(payment);
      const port: IntentPort<PagounoReversalEnvelope> = adapter.reversal(payment);
      const reading = port.read(await port.create('', rev), rev);
      expect(reading).toMatchObject({ providerId: rev.id, cls: 'approved', status: 'approved', terminalId: 'pagouno-main' });
      expect(reading.result.transactions?.map((t) => t.status)).toEqual(['reversed', 'reversed', 'reversed', 'reversed']);
      const client = h.client();
      for (const t of payment.result.transactions ?? []) expect(await client.getTransaction(t.id as string)).toMatchObject({ annulled: true });

      const again = port.read(await port.create('', rev), rev);
      expect(again.status).toBe('approved');
      expect((await client.findAdjustments(rev.id)).length).toBe(4);
      expect(port.read((await port.find('', rev)) as PagounoReversalEnvelope, rev).status).toBe('approved');
      expect(port.read(await port.get('', rev.id), rev).status).toBe('approved');

      // Another reversal of the same payment finds every transaction annulled already: nothing twice.
      const other = reversalOp(payment);
      expect(port.read(await port.create('', other), other).status).toBe('approved');
      expect(await client.findAdjustments(other.id)).toEqual([]);
      expect(await annulments(payment)).toHaveLength(4 + 4 + 4);
    });

    it('completes an interrupted reversal through followUp, under the same reference', async () => {
      const payment = await approvedPayment();
      const rev = reversalOp(payment);
      const port = adapter.reversal(payment);
      // Every second adjustment is answered 503: the create stops at the second transaction.
      await h.addFault({ match: { path: '/adjustments', method: 'POST' }, errorRate: 0.5, status: 503 });
      const err = await pagounoFailure(port.create('', rev));
      expect(port.failureOf?.(err)).toBe('not_taken');
      await h.clearFaults();
      const found = (await port.find('', rev)) as PagounoReversalEnvelope;
      expect(port.read(found, rev)).toMatchObject({ status: 'in_progress' });
      const done = await port.followUp?.('', rev, found);
      expect(done && port.read(done, rev)).toMatchObject({ status: 'approved' });
      expect(await h.client().findAdjustments(rev.id)).toHaveLength(4);
    });

    it('is rejected when pagoUno declines an annulment (transaction amount ending in 15)', async () => {
      const payment = await approvedPayment([1500, 2515, 1000, 3000]);
      const rev = reversalOp(payment);
      const port = adapter.reversal(payment);
      const reading = port.read(await port.create('', rev), rev);
      expect(reading).toMatchObject({ status: 'rejected', result: { failure: { code: 'REVERSAL.DECLINED' } } });
      expect(reading.result.transactions?.map((t) => t.status)).toEqual(['reversed', 'declined', 'reversed', 'reversed']);
    });

    it('refuses to send a reversal of a payment without approved transactions', async () => {
      const port = adapter.reversal(null);
      const err = await pagounoFailure(port.create('', reversalOp(paymentOp({ cards: [] }))));
      expect(port.failureOf?.(err)).toBe('rejected');
      expect(port.rejection?.(err, err.message).code).toBe('PAYMENT.NOT_APPROVED');
    });
  });
});
