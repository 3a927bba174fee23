import { randomUUID } from 'node:crypto';
import { OperationView, QueueName } from '@app/contracts';
import { createQueue } from '@app/jobs';
import { OperationsRepository } from '@app/persistence';
import type { Queue } from 'bullmq';
import { Gateway, startGateway } from './gateway.harness';

interface Page {
  data: OperationView[];
  nextCursor: string | null;
}

describe('gateway refunds', () => {
  let gw: Gateway;
  let queue: Queue;
  let repo: OperationsRepository;
  let merchant: { id: string; apiKey: string };
  let terminal: string;

  beforeAll(async () => {
    gw = await startGateway();
    queue = createQueue(QueueName.Reversals, gw.redis.client, gw.redis.prefix);
    repo = new OperationsRepository(gw.db.dataSource);
    merchant = await gw.createMerchant();
    terminal = await gw.registerTerminal(merchant.id);
  });
  afterAll(async () => {
    await queue.close();
    await gw.close();
  });

  const refund = (body: Record<string, unknown>, key: string = randomUUID(), apiKey = merchant.apiKey) =>
    gw.request<OperationView & { code?: string }>('POST', '/v1/refunds', {
      key: apiKey,
      body: { terminalIds: [terminal], amount: 45000, currency: 'ARS', ...body },
      headers: { 'idempotency-key': key },
    });

  const cancel = (id: string, key: string = randomUUID(), apiKey = merchant.apiKey) =>
    gw.request<OperationView & { code?: string }>('POST', `/v1/refunds/${id}/cancel`, { key: apiKey, headers: { 'idempotency-key': key } });

  const eventsOf = async (id: string) =>
    ((await gw.db.dataSource.query('SELECT type FROM outbox WHERE subject = $1 ORDER BY seq', [id])) as { type: string }[]).map((r) => r.type);

  describe('create', () => {
    it('answers 202 with an AMEX refund of the amount, stores its first event and queues it on the reversals queue', async () => {
      const res = await refund({ reference: 'dev-0001', description: 'Devolucion' });
      expect(res.status).toBe(202);
      expect(res.headers.get('location')).toBe(`/v1/refunds/${res.body.id}`);
      expect(res.body.id).toMatch(/^ref_/);
      expect(res.body).toMatchObject({
        type: 'refund',
        status: 'accepted',
        merchantId: merchant.id,
        terminalIds: [terminal],
        amount: 45000,
        currency: 'ARS',
        reference: 'dev-0001',
        provider: 'paystore',
        paymentId: null,
      });
      expect((await repo.findById(res.body.id))?.request).toEqual({ cardBrand: 'amex', printCopies: 'both' });
      expect(await eventsOf(res.body.id)).toEqual(['refund.accepted']);
      expect((await queue.getJob(res.body.id))?.data).toEqual({ operationId: res.body.id });
    });

    it.each([
      ['no terminals', { terminalIds: undefined }, 'terminalIds'],
      ['a float amount', { amount: 10.5 }, 'amount'],
      ['a zero amount', { amount: 0 }, 'amount'],
      ['an unknown currency', { currency: 'USD' }, 'currency'],
      ['a card brand (refunds are AMEX by definition)', { brand: 'visa' }, 'brand'],
      ['a payment id (giving a payment back is a reversal)', { paymentId: 'pay_x' }, 'paymentId'],
    ])('answers 400 for %s, naming the field, and writes nothing', async (_name, body, field) => {
      const before = await gw.counts();
      const res = await refund(body);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ code: 'REQUEST.VALIDATION_FAILED', errors: [expect.objectContaining({ field })] });
      expect(await gw.counts()).toEqual(before);
    });

    it("answers 422 TERMINAL.NOT_FOUND for another merchant's terminal, and writes nothing", async () => {
      const other = await gw.createMerchant();
      const theirs = await gw.registerTerminal(other.id);
      const before = await gw.counts();
      const res = await refund({ terminalIds: [theirs] });
      expect(res.status).toBe(422);
      expect(res.body).toMatchObject({ code: 'TERMINAL.NOT_FOUND', errors: [{ field: 'terminalIds.0' }] });
      expect(await gw.counts()).toEqual(before);
    });
  });

  describe('idempotency', () => {
    it('replays the same refund for the same key and body, and refuses the key with another amount', async () => {
      const key = randomUUID();
      const first = await refund({}, key);
      const before = await gw.counts();
      const again = await refund({}, key);
      expect(again.status).toBe(202);
      expect(again.headers.get('idempotent-replayed')).toBe('true');
      expect(again.body.id).toBe(first.body.id);
      const reused = await refund({ amount: 45001 }, key);
      expect(reused.status).toBe(409);
      expect(reused.body).toMatchObject({ code: 'IDEMPOTENCY.KEY_REUSED' });
      expect(await gw.counts()).toEqual(before);
    });

    it('creates one refund from 10 concurrent requests with one key', async () => {
      const key = randomUUID();
      const before = await gw.counts();
      const answers = await Promise.all(Array.from({ length: 10 }, () => refund({ reference: 'race' }, key)));
      expect(answers.map((a) => a.status)).toEqual(Array(10).fill(202));
      expect(new Set(answers.map((a) => a.body.id)).size).toBe(1);
      expect((await gw.counts()).operations - before.operations).toBe(1);
    });
  });

  describe('read, list and tenancy', () => {
    it("answers 404 REFUND.NOT_FOUND for another merchant's refund, on read and cancel", async () => {
      const created = await refund({ reference: 'secret-ref-9' });
      const other = await gw.createMerchant();
      const read = await gw.request('GET', `/v1/refunds/${created.body.id}`, { key: other.apiKey });
      expect(read.status).toBe(404);
      expect(read.body).toMatchObject({ code: 'REFUND.NOT_FOUND' });
      expect(read.text).not.toContain('secret-ref-9');
      const cancelled = await cancel(created.body.id, randomUUID(), other.apiKey);
      expect(cancelled.status).toBe(404);
      expect((await repo.findById(created.body.id))?.status).toBe('accepted');
      const mine = await gw.request<OperationView>('GET', `/v1/refunds/${created.body.id}`, { key: merchant.apiKey });
      expect(mine.body).toEqual(created.body);
    });

    it('lists only refunds, by status, terminal, reference and creation time', async () => {
      const m = await gw.createMerchant();
      const t1 = await gw.registerTerminal(m.id);
      const t2 = await gw.registerTerminal(m.id);
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) {
        const res = await refund({ terminalIds: i === 1 ? [t1, t2] : [t1], reference: `dev-${i}` }, randomUUID(), m.apiKey);
        ids.push(res.body.id);
      }
      await gw.request('POST', '/v1/payments', {
        key: m.apiKey,
        body: { terminalIds: [t1], amount: 100, currency: 'ARS', reference: 'dev-0' },
        headers: { 'idempotency-key': randomUUID() },
      });
      await repo.transition(ids[0], 'rejected');
      const list = (query: string) => gw.request<Page>('GET', `/v1/refunds${query}`, { key: m.apiKey });
      expect((await list('')).body.data.map((op) => op.id)).toEqual([...ids].reverse());
      expect((await list('?status=rejected')).body.data.map((op) => op.id)).toEqual([ids[0]]);
      expect((await list(`?terminalId=${t2}`)).body.data.map((op) => op.id)).toEqual([ids[1]]);
      expect((await list('?reference=dev-0')).body.data.map((op) => op.id)).toEqual([ids[0]]);
      const second = (await list('')).body.data[1];
      expect((await list(`?from=${encodeURIComponent(second.createdAt)}`)).body.data.map((op) => op.id)).toEqual([ids[2], ids[1]]);
    });
  });

  describe('cancel', () => {
    it('moves an accepted refund to cancelling and promotes its job', async () => {
      const created = await refund({});
      const res = await cancel(created.body.id);
      expect(res.status).toBe(202);
      expect(res.body.status).toBe('cancelling');
      expect(await eventsOf(created.body.id)).toEqual(['refund.accepted', 'refund.cancelling']);
      expect(await queue.getJob(created.body.id)).toBeDefined();
    });

    it('answers 409 REFUND.NOT_CANCELLABLE for a refund that ended approved, storing no key', async () => {
      const created = await refund({});
      await repo.transition(created.body.id, 'approved');
      const before = await gw.counts();
      const res = await cancel(created.body.id);
      expect(res.status).toBe(409);
      expect(res.body).toMatchObject({ code: 'REFUND.NOT_CANCELLABLE' });
      expect(await gw.counts()).toEqual(before);
    });
  });
});
