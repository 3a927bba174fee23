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

describe('gateway settlements', () => {
  let gw: Gateway;
  let queue: Queue;
  let repo: OperationsRepository;
  let merchant: { id: string; apiKey: string };

  beforeAll(async () => {
    gw = await startGateway();
    queue = createQueue(QueueName.Settlements, gw.redis.client, gw.redis.prefix);
    repo = new OperationsRepository(gw.db.dataSource);
    merchant = await gw.createMerchant();
  });
  afterAll(async () => {
    await queue.close();
    await gw.close();
  });

  const settle = (body: Record<string, unknown>, key: string = randomUUID(), apiKey = merchant.apiKey) =>
    gw.request<OperationView & { code?: string; errors?: { field: string }[] }>('POST', '/v1/settlements', {
      key: apiKey,
      body,
      headers: { 'idempotency-key': key },
    });

  const settlementsOf = async (terminalId: string) =>
    ((await gw.db.dataSource.query(`SELECT id FROM operations WHERE type = 'settlement' AND terminal_id = $1`, [terminalId])) as {
      id: string;
    }[]).map((r) => r.id);

  it('answers 202 with the batch close of the terminal, printing the receipt by default, and queues it', async () => {
    const terminal = await gw.registerTerminal(merchant.id);
    const res = await settle({ terminalId: terminal });
    expect(res.status).toBe(202);
    expect(res.headers.get('location')).toBe(`/v1/settlements/${res.body.id}`);
    expect(res.body.id).toMatch(/^set_/);
    expect(res.body).toMatchObject({
      type: 'settlement',
      status: 'accepted',
      merchantId: merchant.id,
      terminalIds: [terminal],
      terminalId: terminal,
      amount: null,
      expiresAt: null,
      totals: null,
      provider: 'paystore',
    });
    expect((await repo.findById(res.body.id))?.request).toEqual({ printReceipt: true });
    expect((await queue.getJob(res.body.id))?.data).toEqual({ operationId: res.body.id });
  });

  it('stores printReceipt false when asked', async () => {
    const terminal = await gw.registerTerminal(merchant.id);
    const res = await settle({ terminalId: terminal, printReceipt: false });
    expect((await repo.findById(res.body.id))?.request).toEqual({ printReceipt: false });
  });

  it.each([
    ['no terminal', {}, 'terminalId'],
    ['a list of terminals', { terminalIds: ['12345678'] }, 'terminalIds'],
    ['a printReceipt that is not a boolean', { terminalId: '12345678', printReceipt: 'yes' }, 'printReceipt'],
  ])('answers 400 for %s, naming the field, and writes nothing', async (_name, body, field) => {
    const before = await gw.counts();
    const res = await settle(body);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'REQUEST.VALIDATION_FAILED', errors: expect.arrayContaining([expect.objectContaining({ field })]) });
    expect(await gw.counts()).toEqual(before);
  });

  it("answers 422 TERMINAL.NOT_FOUND for an unknown terminal or another merchant's, and writes nothing", async () => {
    const other = await gw.createMerchant();
    const theirs = await gw.registerTerminal(other.id);
    const before = await gw.counts();
    for (const terminalId of [theirs, '99999999']) {
      const res = await settle({ terminalId });
      expect(res.status).toBe(422);
      expect(res.body).toMatchObject({ code: 'TERMINAL.NOT_FOUND', errors: [{ field: 'terminalId' }] });
    }
    expect(await gw.counts()).toEqual(before);
  });

  describe('one in flight per terminal', () => {
    it('answers 409 SETTLEMENT.ALREADY_IN_FLIGHT while the terminal has one open, and writes nothing', async () => {
      const terminal = await gw.registerTerminal(merchant.id);
      const first = await settle({ terminalId: terminal });
      await repo.transition(first.body.id, 'pending');
      const before = await gw.counts();
      const res = await settle({ terminalId: terminal, printReceipt: false });
      expect(res.status).toBe(409);
      expect(res.body).toMatchObject({ code: 'SETTLEMENT.ALREADY_IN_FLIGHT', errors: [{ field: 'terminalId' }] });
      expect(res.text).toContain(first.body.id);
      expect(await gw.counts()).toEqual(before);
    });

    it('does not hold back the other terminals of the merchant', async () => {
      const busy = await gw.registerTerminal(merchant.id);
      const free = await gw.registerTerminal(merchant.id);
      await settle({ terminalId: busy });
      expect((await settle({ terminalId: free })).status).toBe(202);
    });

    it.each(['approved', 'rejected', 'failed'] as const)('accepts the next settlement once the previous one ended %s', async (status) => {
      const terminal = await gw.registerTerminal(merchant.id);
      const first = await settle({ terminalId: terminal });
      await repo.transition(first.body.id, status);
      const next = await settle({ terminalId: terminal });
      expect(next.status).toBe(202);
      expect(await settlementsOf(terminal)).toHaveLength(2);
    });

    it('creates exactly one settlement from 10 concurrent requests with different keys', async () => {
      const terminal = await gw.registerTerminal(merchant.id);
      const answers = await Promise.all(Array.from({ length: 10 }, () => settle({ terminalId: terminal })));
      const accepted = answers.filter((a) => a.status === 202);
      expect(accepted).toHaveLength(1);
      expect(answers.filter((a) => a.status === 409).map((a) => a.body.code)).toEqual(Array(9).fill('SETTLEMENT.ALREADY_IN_FLIGHT'));
      expect(await settlementsOf(terminal)).toEqual([accepted[0].body.id]);
    });

    it('replays, rather than refuses, 10 concurrent requests with one key', async () => {
      const terminal = await gw.registerTerminal(merchant.id);
      const key = randomUUID();
      const answers = await Promise.all(Array.from({ length: 10 }, () => settle({ terminalId: terminal }, key)));
      expect(answers.map((a) => a.status)).toEqual(Array(10).fill(202));
      expect(new Set(answers.map((a) => a.body.id)).size).toBe(1);
      expect(answers.filter((a) => a.headers.get('idempotent-replayed') === 'true')).toHaveLength(9);
      expect(await settlementsOf(terminal)).toHaveLength(1);
    });

    it('replays with the same key after the settlement ended, and refuses the key with another body', async () => {
      const terminal = await gw.registerTerminal(merchant.id);
      const key = randomUUID();
      const first = await settle({ terminalId: terminal }, key);
      await repo.transition(first.body.id, 'approved', { totals: [], result: { batchNumber: '1' } });
      const again = await settle({ terminalId: terminal, printReceipt: true }, key);
      expect(again.status).toBe(200);
      expect(again.headers.get('idempotent-replayed')).toBe('true');
      expect(again.body).toMatchObject({ id: first.body.id, status: 'approved', batchNumber: '1', totals: [] });
      const reused = await settle({ terminalId: terminal, printReceipt: false }, key);
      expect(reused.status).toBe(409);
      expect(reused.body).toMatchObject({ code: 'IDEMPOTENCY.KEY_REUSED' });
    });
  });

  describe('read and list', () => {
    it("answers 404 SETTLEMENT.NOT_FOUND for another merchant's settlement, and lists none of it", async () => {
      const terminal = await gw.registerTerminal(merchant.id);
      const created = await settle({ terminalId: terminal });
      const other = await gw.createMerchant();
      const read = await gw.request('GET', `/v1/settlements/${created.body.id}`, { key: other.apiKey });
      expect(read.status).toBe(404);
      expect(read.body).toMatchObject({ code: 'SETTLEMENT.NOT_FOUND' });
      expect(read.text).not.toContain(terminal);
      expect((await gw.request<Page>('GET', '/v1/settlements', { key: other.apiKey })).body.data).toEqual([]);
      const mine = await gw.request<OperationView>('GET', `/v1/settlements/${created.body.id}`, { key: merchant.apiKey });
      expect(mine.body).toEqual(created.body);
    });

    it('lists settlements by terminal and status', async () => {
      const m = await gw.createMerchant();
      const t1 = await gw.registerTerminal(m.id);
      const t2 = await gw.registerTerminal(m.id);
      const a = await settle({ terminalId: t1 }, randomUUID(), m.apiKey);
      await repo.transition(a.body.id, 'approved');
      const b = await settle({ terminalId: t1 }, randomUUID(), m.apiKey);
      const c = await settle({ terminalId: t2 }, randomUUID(), m.apiKey);
      const list = (query: string) => gw.request<Page>('GET', `/v1/settlements${query}`, { key: m.apiKey });
      expect((await list('')).body.data.map((op) => op.id)).toEqual([c.body.id, b.body.id, a.body.id]);
      expect((await list(`?terminalId=${t1}`)).body.data.map((op) => op.id)).toEqual([b.body.id, a.body.id]);
      expect((await list('?status=accepted')).body.data.map((op) => op.id)).toEqual([c.body.id, b.body.id]);
      expect((await list('?limit=1')).body.nextCursor).toEqual(expect.any(String));
    });

    it('has no cancel: a batch close cannot be cancelled at the provider', async () => {
      const terminal = await gw.registerTerminal(merchant.id);
      const created = await settle({ terminalId: terminal });
      const res = await gw.request('POST', `/v1/settlements/${created.body.id}/cancel`, {
        key: merchant.apiKey,
        headers: { 'idempotency-key': randomUUID() },
      });
      expect(res.status).toBe(404);
      expect(res.body).toMatchObject({ code: 'REQUEST.ROUTE_NOT_FOUND' });
      expect((await repo.findById(created.body.id))?.status).toBe('accepted');
    });
  });
});
