import { randomUUID } from 'node:crypto';
import { OperationView, QueueName } from '@app/contracts';
import { createQueue } from '@app/jobs';
import { OperationsRepository } from '@app/persistence';
import type { Queue } from 'bullmq';
import { linkPayment } from '../../apps/reversals/src/payment-linkage';
import { Gateway, startGateway } from './gateway.harness';

interface Page {
  data: OperationView[];
  nextCursor: string | null;
}

describe('gateway reversals', () => {
  let gw: Gateway;
  let queue: Queue;
  let repo: OperationsRepository;
  let merchant: { id: string; apiKey: string };
  let terminal: string;
  let second: string;

  beforeAll(async () => {
    gw = await startGateway();
    queue = createQueue(QueueName.Reversals, gw.redis.client, gw.redis.prefix);
    repo = new OperationsRepository(gw.db.dataSource);
    merchant = await gw.createMerchant();
    terminal = await gw.registerTerminal(merchant.id);
    second = await gw.registerTerminal(merchant.id);
  });
  afterAll(async () => {
    await queue.close();
    await gw.close();
  });

  /** A payment of `apiKey`'s merchant, moved to `status` as the payments worker would. */
  async function payment(opts: { status?: 'approved' | 'rejected' | 'accepted'; brand?: string; amount?: number; apiKey?: string; terminalIds?: string[] } = {}) {
    const res = await gw.request<OperationView>('POST', '/v1/payments', {
      key: opts.apiKey ?? merchant.apiKey,
      body: { terminalIds: opts.terminalIds ?? [terminal, second], amount: opts.amount ?? 120000, currency: 'ARS' },
      headers: { 'idempotency-key': randomUUID() },
    });
    expect(res.status).toBe(202);
    const status = opts.status ?? 'approved';
    if (status !== 'accepted') {
      const takenBy = (opts.terminalIds ?? [terminal, second]).at(-1);
      await repo.transition(res.body.id, status, {
        terminalId: takenBy,
        providerId: `ps-${randomUUID()}`,
        result: { card: { brand: opts.brand ?? 'visa', bin: '450799', last4: '1234', entryMode: 'CHIP' }, batchNumber: '1' },
      });
    }
    return res.body.id;
  }

  const reverse = (body: Record<string, unknown>, key: string = randomUUID(), apiKey = merchant.apiKey, headers: Record<string, string> = {}) =>
    gw.request<OperationView & { code?: string; errors?: { field: string }[] }>('POST', '/v1/reversals', {
      key: apiKey,
      body,
      headers: { 'idempotency-key': key, ...headers },
    });

  const cancel = (id: string, key: string = randomUUID(), apiKey = merchant.apiKey) =>
    gw.request<OperationView & { code?: string }>('POST', `/v1/reversals/${id}/cancel`, { key: apiKey, headers: { 'idempotency-key': key } });

  const eventsOf = async (id: string) =>
    ((await gw.db.dataSource.query('SELECT type FROM outbox WHERE subject = $1 ORDER BY seq', [id])) as { type: string }[]).map((r) => r.type);

  const reversalsOf = async (paymentId: string) =>
    ((await gw.db.dataSource.query(`SELECT id FROM operations WHERE type = 'reversal' AND payment_id = $1`, [paymentId])) as { id: string }[]).map(
      (r) => r.id,
    );

  /** Ends a reversal as the reversals worker does: the final status and the payment's link in one transaction. */
  const endReversal = (id: string, status: 'approved' | 'rejected' | 'failed' | 'cancelled' | 'expired') =>
    repo.transition(id, status, {}, undefined, linkPayment);

  describe('create', () => {
    it("answers 202 with the reversal of the payment's amount on the terminal that took it, links the payment and queues the job", async () => {
      const paymentId = await payment({ amount: 98700 });
      const eventsBefore = await eventsOf(paymentId);
      const res = await reverse({ paymentId, reference: 'anul-0001', description: 'Anulacion ticket 1' });
      expect(res.status).toBe(202);
      expect(res.headers.get('location')).toBe(`/v1/reversals/${res.body.id}`);
      expect(res.body.id).toMatch(/^rev_/);
      expect(res.body).toMatchObject({
        type: 'reversal',
        status: 'accepted',
        merchantId: merchant.id,
        paymentId,
        terminalIds: [second],
        amount: 98700,
        currency: 'ARS',
        reference: 'anul-0001',
        description: 'Anulacion ticket 1',
        provider: 'paystore',
      });
      const row = await repo.findById(res.body.id);
      expect(row?.request).toEqual({ via: 'reversal', cardBrand: 'visa', printCopies: 'both' });
      expect(row?.expiresAt).not.toBeNull();
      expect(await eventsOf(res.body.id)).toEqual(['reversal.accepted']);
      expect((await queue.getJob(res.body.id))?.data).toEqual({ operationId: res.body.id });

      const paid = await gw.request<OperationView>('GET', `/v1/payments/${paymentId}`, { key: merchant.apiKey });
      expect(paid.body).toMatchObject({ status: 'approved', reversalId: res.body.id });
      // The link is not a status change of the payment: no payment event for it.
      expect(await eventsOf(paymentId)).toEqual(eventsBefore);
    });

    it('gives an AMEX payment back through the Refunds API', async () => {
      const paymentId = await payment({ brand: 'amex', amount: 120750 });
      const res = await reverse({ paymentId });
      expect(res.status).toBe(202);
      expect((await repo.findById(res.body.id))?.request).toMatchObject({ via: 'refund', cardBrand: 'amex' });
    });

    it('sends it to the terminals asked for, when they are registered to the merchant', async () => {
      const paymentId = await payment();
      const res = await reverse({ paymentId, terminalIds: [terminal] });
      expect(res.status).toBe(202);
      expect(res.body.terminalIds).toEqual([terminal]);
    });

    it('answers 422 TERMINAL.NOT_FOUND for a terminal not registered to the merchant, and writes nothing', async () => {
      const paymentId = await payment();
      const other = await gw.createMerchant();
      const theirs = await gw.registerTerminal(other.id);
      const before = await gw.counts();
      const res = await reverse({ paymentId, terminalIds: [terminal, theirs] });
      expect(res.status).toBe(422);
      expect(res.body).toMatchObject({ code: 'TERMINAL.NOT_FOUND', errors: [{ field: 'terminalIds.1' }] });
      expect(await gw.counts()).toEqual(before);
      expect((await repo.findById(paymentId))?.reversalId).toBeNull();
    });

    it('answers 422 PROVIDER.OPERATION_NOT_SUPPORTED for part of a PayStore payment, and writes nothing', async () => {
      const paymentId = await payment({ amount: 50000 });
      const before = await gw.counts();
      const res = await reverse({ paymentId, amount: 20000 });
      expect(res.status).toBe(422);
      expect(res.body).toMatchObject({ code: 'PROVIDER.OPERATION_NOT_SUPPORTED', errors: [{ field: 'amount' }] });
      expect(await gw.counts()).toEqual(before);
      expect((await repo.findById(paymentId))?.reversalId).toBeNull();
    });

    it('takes an amount equal to the whole PayStore payment', async () => {
      const paymentId = await payment({ amount: 50000 });
      const res = await reverse({ paymentId, amount: 50000 });
      expect(res.status).toBe(202);
      expect(res.body).toMatchObject({ type: 'reversal', amount: 50000, paymentId });
    });

    it.each([
      ['no paymentId', {}, 'paymentId'],
      ['an empty paymentId', { paymentId: '' }, 'paymentId'],
      ['a zero amount', { paymentId: 'pay_x', amount: 0 }, 'amount'],
      ['no terminals', { paymentId: 'pay_x', terminalIds: [] }, 'terminalIds'],
      ['a reference over 64 characters', { paymentId: 'pay_x', reference: 'r'.repeat(65) }, 'reference'],
    ])('answers 400 for %s, naming the field, and writes nothing', async (_name, body, field) => {
      const before = await gw.counts();
      const res = await reverse(body);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ code: 'REQUEST.VALIDATION_FAILED', errors: [expect.objectContaining({ field })] });
      expect(await gw.counts()).toEqual(before);
    });

    it('answers 400 IDEMPOTENCY.KEY_MISSING without a key', async () => {
      const paymentId = await payment();
      const res = await gw.request('POST', '/v1/reversals', { key: merchant.apiKey, body: { paymentId } });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ code: 'IDEMPOTENCY.KEY_MISSING' });
      expect(await reversalsOf(paymentId)).toEqual([]);
    });
  });

  describe('the payment', () => {
    it('answers 404 PAYMENT.NOT_FOUND for an unknown payment', async () => {
      const before = await gw.counts();
      const res = await reverse({ paymentId: 'pay_nope' });
      expect(res.status).toBe(404);
      expect(res.body).toMatchObject({ code: 'PAYMENT.NOT_FOUND', errors: [{ field: 'paymentId' }] });
      expect(await gw.counts()).toEqual(before);
    });

    it("answers 404 PAYMENT.NOT_FOUND for another merchant's payment, and leaves it alone", async () => {
      const other = await gw.createMerchant();
      const theirTerminal = await gw.registerTerminal(other.id);
      const theirs = await payment({ apiKey: other.apiKey, terminalIds: [theirTerminal] });
      const before = await gw.counts();
      const res = await reverse({ paymentId: theirs });
      expect(res.status).toBe(404);
      expect(res.body).toMatchObject({ code: 'PAYMENT.NOT_FOUND' });
      expect(await gw.counts()).toEqual(before);
      expect((await repo.findById(theirs))?.reversalId).toBeNull();
    });

    it('answers 404 PAYMENT.NOT_FOUND for an id of a reversal', async () => {
      const created = await reverse({ paymentId: await payment() });
      const res = await reverse({ paymentId: created.body.id });
      expect(res.status).toBe(404);
      expect(res.body).toMatchObject({ code: 'PAYMENT.NOT_FOUND' });
    });

    it.each(['accepted', 'rejected'] as const)('answers 409 PAYMENT.NOT_APPROVED for a payment that is %s, and writes nothing', async (status) => {
      const paymentId = await payment({ status });
      const before = await gw.counts();
      const res = await reverse({ paymentId });
      expect(res.status).toBe(409);
      expect(res.body).toMatchObject({ code: 'PAYMENT.NOT_APPROVED' });
      expect(await gw.counts()).toEqual(before);
      expect((await repo.findById(paymentId))?.reversalId).toBeNull();
    });

    it('answers 409 PAYMENT.ALREADY_REVERSED for a second reversal while the first is in flight, and writes nothing', async () => {
      const paymentId = await payment();
      const first = await reverse({ paymentId });
      const before = await gw.counts();
      const res = await reverse({ paymentId, reference: 'again' });
      expect(res.status).toBe(409);
      expect(res.body).toMatchObject({ code: 'PAYMENT.ALREADY_REVERSED', errors: [{ field: 'paymentId' }] });
      expect(await gw.counts()).toEqual(before);
      expect((await repo.findById(paymentId))?.reversalId).toBe(first.body.id);
    });

    it('answers 409 PAYMENT.ALREADY_REVERSED once the payment was reversed', async () => {
      const paymentId = await payment();
      const first = await reverse({ paymentId });
      await endReversal(first.body.id, 'approved');
      const res = await reverse({ paymentId });
      expect(res.status).toBe(409);
      expect(res.body).toMatchObject({ code: 'PAYMENT.ALREADY_REVERSED' });
      expect(await reversalsOf(paymentId)).toEqual([first.body.id]);
    });

    it.each(['rejected', 'failed', 'cancelled', 'expired'] as const)(
      'accepts a new reversal once the previous one ended %s (the worker unlinks the payment)',
      async (status) => {
        const paymentId = await payment();
        const first = await reverse({ paymentId });
        await endReversal(first.body.id, status);
        expect((await repo.findById(paymentId))?.reversalId).toBeNull();
        const next = await reverse({ paymentId });
        expect(next.status).toBe(202);
        expect(next.body.id).not.toBe(first.body.id);
        expect((await repo.findById(paymentId))?.reversalId).toBe(next.body.id);
      },
    );

    it('creates exactly one reversal from 10 concurrent requests with different keys', async () => {
      const paymentId = await payment();
      const before = await gw.counts();
      const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => reverse({ paymentId, reference: `race-${i}` })));
      const accepted = answers.filter((a) => a.status === 202);
      expect(accepted).toHaveLength(1);
      expect(answers.filter((a) => a.status === 409).map((a) => a.body.code)).toEqual(Array(9).fill('PAYMENT.ALREADY_REVERSED'));
      expect(await reversalsOf(paymentId)).toEqual([accepted[0].body.id]);
      expect((await repo.findById(paymentId))?.reversalId).toBe(accepted[0].body.id);
      const after = await gw.counts();
      expect(after.operations - before.operations).toBe(1);
      expect(after.idempotencyKeys - before.idempotencyKeys).toBe(1);
      expect(after.outbox - before.outbox).toBe(1);
    });
  });

  describe('idempotency', () => {
    it('replays the same reversal for the same key and body, and refuses the key with another body', async () => {
      const paymentId = await payment();
      const key = randomUUID();
      const first = await reverse({ paymentId, reference: 'r-1' }, key);
      const before = await gw.counts();
      const again = await reverse({ paymentId, reference: 'r-1' }, key);
      expect(again.status).toBe(202);
      expect(again.headers.get('idempotent-replayed')).toBe('true');
      expect(again.body.id).toBe(first.body.id);
      const reused = await reverse({ paymentId, reference: 'r-2' }, key);
      expect(reused.status).toBe(409);
      expect(reused.body).toMatchObject({ code: 'IDEMPOTENCY.KEY_REUSED' });
      // The key is judged before the payment: a used key names the reuse, not the payment's state.
      const elsewhere = await reverse({ paymentId: 'pay_nope' }, key);
      expect(elsewhere.status).toBe(409);
      expect(elsewhere.body).toMatchObject({ code: 'IDEMPOTENCY.KEY_REUSED' });
      expect(await gw.counts()).toEqual(before);
    });

    it('replays, rather than refuses, 10 concurrent requests with one key', async () => {
      const paymentId = await payment();
      const key = randomUUID();
      const answers = await Promise.all(Array.from({ length: 10 }, () => reverse({ paymentId }, key)));
      expect(answers.map((a) => a.status)).toEqual(Array(10).fill(202));
      expect(new Set(answers.map((a) => a.body.id)).size).toBe(1);
      expect(answers.filter((a) => a.headers.get('idempotent-replayed') !== 'true')).toHaveLength(1);
      expect(await reversalsOf(paymentId)).toHaveLength(1);
    });

    it('replays a reversal as it is now: 200 once it is final', async () => {
      const paymentId = await payment();
      const key = randomUUID();
      const first = await reverse({ paymentId }, key);
      await endReversal(first.body.id, 'approved');
      const again = await reverse({ paymentId }, key);
      expect(again.status).toBe(200);
      expect(again.headers.get('idempotent-replayed')).toBe('true');
      expect(again.body).toMatchObject({ id: first.body.id, status: 'approved' });
    });

    it('answers 202 after waiting for a reversal that stays in flight', async () => {
      const res = await reverse({ paymentId: await payment() }, randomUUID(), merchant.apiKey, { prefer: 'wait=1' });
      expect(res.status).toBe(202);
      expect(res.headers.get('preference-applied')).toBe('wait=1');
    });
  });

  describe('read and list', () => {
    it('reads a reversal back as it was created', async () => {
      const created = await reverse({ paymentId: await payment() });
      const read = await gw.request<OperationView>('GET', `/v1/reversals/${created.body.id}`, { key: merchant.apiKey });
      expect(read.status).toBe(200);
      expect(read.body).toEqual(created.body);
    });

    it("answers 404 REVERSAL.NOT_FOUND for another merchant's reversal and for a payment id, with none of its data", async () => {
      const created = await reverse({ paymentId: await payment(), reference: 'secret-rev-7' });
      const other = await gw.createMerchant();
      const theirs = await gw.request('GET', `/v1/reversals/${created.body.id}`, { key: other.apiKey });
      expect(theirs.status).toBe(404);
      expect(theirs.body).toMatchObject({ code: 'REVERSAL.NOT_FOUND' });
      expect(theirs.text).not.toContain('secret-rev-7');
      const cancelled = await cancel(created.body.id, randomUUID(), other.apiKey);
      expect(cancelled.status).toBe(404);
      expect(cancelled.body).toMatchObject({ code: 'REVERSAL.NOT_FOUND' });
      expect((await repo.findById(created.body.id))?.status).toBe('accepted');
      const list = await gw.request<Page>('GET', '/v1/reversals', { key: other.apiKey });
      expect(list.body.data).toEqual([]);
      const paymentAsReversal = await gw.request('GET', `/v1/reversals/${created.body.paymentId}`, { key: merchant.apiKey });
      expect(paymentAsReversal.status).toBe(404);
      expect(paymentAsReversal.body).toMatchObject({ code: 'REVERSAL.NOT_FOUND' });
    });

    it('lists only reversals, newest first, by status, terminal and reference, in pages', async () => {
      const m = await gw.createMerchant();
      const t1 = await gw.registerTerminal(m.id);
      const t2 = await gw.registerTerminal(m.id);
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) {
        const paymentId = await payment({ apiKey: m.apiKey, terminalIds: i === 1 ? [t2] : [t1] });
        const res = await reverse({ paymentId, reference: `anul-${i}` }, randomUUID(), m.apiKey);
        ids.push(res.body.id);
      }
      await endReversal(ids[2], 'approved');
      const list = (query: string) => gw.request<Page>('GET', `/v1/reversals${query}`, { key: m.apiKey });
      expect((await list('')).body.data.map((op) => op.id)).toEqual([...ids].reverse());
      expect((await list('?status=approved')).body.data.map((op) => op.id)).toEqual([ids[2]]);
      expect((await list(`?terminalId=${t2}`)).body.data.map((op) => op.id)).toEqual([ids[1]]);
      expect((await list('?reference=anul-0')).body.data.map((op) => op.id)).toEqual([ids[0]]);
      const first = await list('?limit=2');
      expect(first.body.data.map((op) => op.id)).toEqual([ids[2], ids[1]]);
      const rest = await list(`?limit=2&cursor=${first.body.nextCursor}`);
      expect(rest.body).toEqual({ data: [expect.objectContaining({ id: ids[0] })], nextCursor: null });
      expect((await list('?status=paid')).status).toBe(400);
    });
  });

  describe('cancel', () => {
    it('moves an accepted reversal to cancelling, promotes its job and replays with its key', async () => {
      const created = await reverse({ paymentId: await payment() });
      const key = randomUUID();
      const res = await cancel(created.body.id, key);
      expect(res.status).toBe(202);
      expect(res.body.status).toBe('cancelling');
      expect((await repo.findById(created.body.id))?.cancelReason).toBe('requested');
      expect(await eventsOf(created.body.id)).toEqual(['reversal.accepted', 'reversal.cancelling']);
      expect(await queue.getJob(created.body.id)).toBeDefined();
      const replay = await cancel(created.body.id, key);
      expect(replay.headers.get('idempotent-replayed')).toBe('true');
      const second = await cancel(created.body.id);
      expect(second.status).toBe(202);
      expect(await eventsOf(created.body.id)).toEqual(['reversal.accepted', 'reversal.cancelling']);
    });

    it('answers 409 REVERSAL.NOT_CANCELLABLE for a reversal that ended other than cancelled, storing no key', async () => {
      const created = await reverse({ paymentId: await payment() });
      await endReversal(created.body.id, 'approved');
      const before = await gw.counts();
      const res = await cancel(created.body.id);
      expect(res.status).toBe(409);
      expect(res.body).toMatchObject({ code: 'REVERSAL.NOT_CANCELLABLE' });
      expect(await gw.counts()).toEqual(before);
    });

    it('answers a cancelled reversal with 200', async () => {
      const created = await reverse({ paymentId: await payment() });
      await cancel(created.body.id);
      await endReversal(created.body.id, 'cancelled');
      const res = await cancel(created.body.id);
      expect(res.status).toBe(200);
      expect(res.body.status).toBe('cancelled');
    });

    it('answers 404 REVERSAL.NOT_FOUND for a payment id', async () => {
      const paymentId = await payment({ status: 'accepted' });
      const res = await cancel(paymentId);
      expect(res.status).toBe(404);
      expect(res.body).toMatchObject({ code: 'REVERSAL.NOT_FOUND' });
      expect((await repo.findById(paymentId))?.status).toBe('accepted');
    });
  });

  it('is documented from the schema that validates it', async () => {
    const doc = await gw.request<{ paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: { $ref: string } }> } }>>; components: { schemas: Record<string, { required: string[] }> } }>(
      'GET',
      '/docs-json',
    );
    const create = doc.body.paths['/v1/reversals'].post;
    const ref = create.requestBody?.content['application/json'].schema.$ref.split('/').pop() as string;
    expect(doc.body.components.schemas[ref].required).toEqual(['paymentId']);
    expect(Object.keys(doc.body.paths['/v1/reversals'])).toEqual(['post', 'get']);
    expect(Object.keys(doc.body.paths['/v1/reversals/{id}/cancel'])).toEqual(['post']);
  });
});
