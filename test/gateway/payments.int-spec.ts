import { randomUUID } from 'node:crypto';
import { request } from 'node:http';
import { OperationView, QueueName } from '@app/contracts';
import { createQueue } from '@app/jobs';
import { OperationsRepository } from '@app/persistence';
import { waitFor } from '@app/testing';
import type { Queue } from 'bullmq';
import { OperationWaiter } from '../../apps/gateway/src/operations/operation-waiter.service';
import { Gateway, startGateway } from './gateway.harness';

interface Page {
  data: OperationView[];
  nextCursor: string | null;
}

describe('gateway payments', () => {
  let gw: Gateway;
  let queue: Queue;
  let repo: OperationsRepository;
  let merchant: { id: string; apiKey: string };
  let terminal: string;

  beforeAll(async () => {
    gw = await startGateway();
    queue = createQueue(QueueName.Payments, gw.redis.client, gw.redis.prefix);
    repo = new OperationsRepository(gw.db.dataSource);
    merchant = await gw.createMerchant();
    terminal = await gw.registerTerminal(merchant.id);
  });
  afterAll(async () => {
    await queue.close();
    await gw.close();
  });

  const pay = (body: Record<string, unknown>, key: string = randomUUID(), apiKey = merchant.apiKey, headers: Record<string, string> = {}) =>
    gw.request<OperationView>('POST', '/v1/payments', {
      key: apiKey,
      body: { terminalIds: [terminal], amount: 150000, currency: 'ARS', ...body },
      headers: { 'idempotency-key': key, ...headers },
    });

  const eventsOf = async (id: string) =>
    ((await gw.db.dataSource.query('SELECT type FROM outbox WHERE subject = $1 ORDER BY seq', [id])) as { type: string }[]).map((r) => r.type);

  describe('create', () => {
    it('answers 202 with the operation and its URL, and stores the row, its first event and its job', async () => {
      const before = Date.now();
      const res = await pay({ reference: 'caja-1-0001', installments: 3, plan: 'ahora_3', customerTaxId: '20123456786' });
      expect(res.status).toBe(202);
      expect(res.headers.get('location')).toBe(`/v1/payments/${res.body.id}`);
      expect(res.headers.get('idempotent-replayed')).toBeNull();
      expect(res.body).toMatchObject({
        type: 'payment',
        status: 'accepted',
        merchantId: merchant.id,
        terminalIds: [terminal],
        terminalId: null,
        amount: 150000,
        currency: 'ARS',
        reference: 'caja-1-0001',
        provider: 'paystore',
        installments: 3,
        plan: 'ahora_3',
        method: 'card',
      });
      expect(res.body.id).toMatch(/^pay_/);
      const expiresIn = Date.parse(res.body.expiresAt as string) - before;
      expect(expiresIn).toBeGreaterThan(119_000);
      expect(expiresIn).toBeLessThan(125_000);

      const row = await repo.findById(res.body.id);
      expect(row?.request).toEqual({
        installments: 3,
        plan: 'ahora_3',
        method: 'card',
        printCopies: 'both',
        customerTaxId: '20123456786',
        expiresInSeconds: 120,
      });
      expect(await eventsOf(res.body.id)).toEqual(['payment.accepted']);
      const job = await queue.getJob(res.body.id);
      expect(job?.data).toEqual({ operationId: res.body.id });
    });

    it('reads back the operation it created', async () => {
      const created = await pay({});
      const read = await gw.request<OperationView>('GET', `/v1/payments/${created.body.id}`, { key: merchant.apiKey });
      expect(read.status).toBe(200);
      expect(read.body).toEqual(created.body);
    });

    it('answers 422 TERMINAL.NOT_FOUND naming each unregistered terminal, and writes nothing', async () => {
      const before = await gw.counts();
      const res = await pay({ terminalIds: [terminal, '99999999'] });
      expect(res.status).toBe(422);
      expect(res.body).toMatchObject({ code: 'TERMINAL.NOT_FOUND', errors: [{ field: 'terminalIds.1' }] });
      expect(await gw.counts()).toEqual(before);
    });
  });

  describe('idempotency', () => {
    it('replays the same operation for the same key and body: one row, one job, one key', async () => {
      const key = randomUUID();
      const first = await pay({ reference: 'replay' }, key);
      const before = await gw.counts();
      const again = await pay({ reference: 'replay' }, key);
      expect(again.status).toBe(202);
      expect(again.headers.get('idempotent-replayed')).toBe('true');
      expect(again.body.id).toBe(first.body.id);
      expect(await gw.counts()).toEqual(before);
      expect(await queue.getJobs(['waiting', 'delayed', 'active', 'prioritized'])).toEqual(
        expect.arrayContaining([expect.objectContaining({ id: first.body.id })]),
      );
      expect((await queue.getJobs(['waiting', 'delayed', 'active', 'prioritized'])).filter((j) => j.id === first.body.id)).toHaveLength(1);
    });

    it('treats an explicit default as the same body', async () => {
      const key = randomUUID();
      const first = await pay({}, key);
      const again = await pay({ installments: 1, method: 'card', print: { copies: 'both' }, expiresInSeconds: 120 }, key);
      expect(again.status).toBe(202);
      expect(again.body.id).toBe(first.body.id);
    });

    it('answers 409 IDEMPOTENCY.KEY_REUSED for the same key with another body, and writes nothing', async () => {
      const key = randomUUID();
      await pay({ amount: 1000 }, key);
      const before = await gw.counts();
      const res = await pay({ amount: 1001 }, key);
      expect(res.status).toBe(409);
      expect(res.body).toMatchObject({ code: 'IDEMPOTENCY.KEY_REUSED' });
      expect(await gw.counts()).toEqual(before);
    });

    it('creates exactly one operation from 20 concurrent requests with one key', async () => {
      const key = randomUUID();
      const before = await gw.counts();
      const answers = await Promise.all(Array.from({ length: 20 }, () => pay({ reference: 'race' }, key)));
      expect(answers.map((a) => a.status)).toEqual(Array(20).fill(202));
      const ids = new Set(answers.map((a) => a.body.id));
      expect(ids.size).toBe(1);
      expect(answers.filter((a) => a.headers.get('idempotent-replayed') !== 'true')).toHaveLength(1);
      const after = await gw.counts();
      expect(after.operations - before.operations).toBe(1);
      expect(after.idempotencyKeys - before.idempotencyKeys).toBe(1);
      expect(after.outbox - before.outbox).toBe(1);
    });

    it('scopes keys per merchant', async () => {
      const other = await gw.createMerchant();
      const otherTerminal = await gw.registerTerminal(other.id);
      const key = randomUUID();
      const mine = await pay({}, key);
      const theirs = await gw.request<OperationView>('POST', '/v1/payments', {
        key: other.apiKey,
        body: { terminalIds: [otherTerminal], amount: 999, currency: 'ARS' },
        headers: { 'idempotency-key': key },
      });
      expect(theirs.status).toBe(202);
      expect(theirs.body.id).not.toBe(mine.body.id);
    });

    it('forgets a key after 30 days', async () => {
      const key = randomUUID();
      const old = await pay({ amount: 500 }, key);
      await gw.db.dataSource.query(`UPDATE idempotency_keys SET created_at = now() - interval '31 days' WHERE key = $1`, [key]);
      const fresh = await pay({ amount: 600 }, key);
      expect(fresh.status).toBe(202);
      expect(fresh.body.id).not.toBe(old.body.id);
      const rows = (await gw.db.dataSource.query('SELECT operation_id FROM idempotency_keys WHERE key = $1', [key])) as {
        operation_id: string;
      }[];
      expect(rows).toEqual([{ operation_id: fresh.body.id }]);
    });

    it('replays a payment as it is now: 200 once it is final', async () => {
      const key = randomUUID();
      const first = await pay({}, key);
      await repo.transition(first.body.id, 'approved');
      const again = await pay({}, key);
      expect(again.status).toBe(200);
      expect(again.headers.get('idempotent-replayed')).toBe('true');
      expect(again.body.status).toBe('approved');
    });
  });

  describe('tenancy', () => {
    it("answers 404 for another merchant's payment, with none of its data", async () => {
      const mine = await pay({ reference: 'secret-ref-42' });
      const other = await gw.createMerchant();
      const res = await gw.request('GET', `/v1/payments/${mine.body.id}`, { key: other.apiKey });
      expect(res.status).toBe(404);
      expect(res.body).toMatchObject({ code: 'PAYMENT.NOT_FOUND' });
      expect(res.text).not.toContain('secret-ref-42');
      expect(res.text).not.toContain(merchant.id);
      const cancel = await gw.request('POST', `/v1/payments/${mine.body.id}/cancel`, {
        key: other.apiKey,
        headers: { 'idempotency-key': randomUUID() },
      });
      expect(cancel.status).toBe(404);
      expect((await repo.findById(mine.body.id))?.status).toBe('accepted');
      const list = await gw.request<Page>('GET', '/v1/payments', { key: other.apiKey });
      expect(list.body.data).toEqual([]);
    });

    it("refuses another merchant's terminal as if it did not exist", async () => {
      const other = await gw.createMerchant();
      const before = await gw.counts();
      const res = await gw.request('POST', '/v1/payments', {
        key: other.apiKey,
        body: { terminalIds: [terminal], amount: 100, currency: 'ARS' },
        headers: { 'idempotency-key': randomUUID() },
      });
      expect(res.status).toBe(422);
      expect(res.body).toMatchObject({ code: 'TERMINAL.NOT_FOUND', errors: [{ field: 'terminalIds.0' }] });
      expect(await gw.counts()).toEqual(before);
    });
  });

  describe('list', () => {
    let m: { id: string; apiKey: string };
    let t1: string;
    let t2: string;
    const ids: string[] = [];

    beforeAll(async () => {
      m = await gw.createMerchant();
      t1 = await gw.registerTerminal(m.id);
      t2 = await gw.registerTerminal(m.id);
      for (let i = 0; i < 5; i++) {
        const res = await gw.request<OperationView>('POST', '/v1/payments', {
          key: m.apiKey,
          body: { terminalIds: i % 2 ? [t1, t2] : [t1], amount: 100 + i, currency: 'ARS', reference: `ref-${i}` },
          headers: { 'idempotency-key': randomUUID() },
        });
        ids.push(res.body.id);
      }
      await repo.transition(ids[1], 'approved');
    });

    const list = (query: string) => gw.request<Page>('GET', `/v1/payments${query}`, { key: m.apiKey });

    it('pages newest first with an opaque cursor, covering every payment once', async () => {
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const res: { status: number; body: Page } = await list(`?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
        expect(res.status).toBe(200);
        seen.push(...res.body.data.map((op) => op.id));
        cursor = res.body.nextCursor;
        pages++;
      } while (cursor);
      expect(pages).toBe(3);
      expect(seen).toEqual([...ids].reverse());
    });

    it('filters by status, terminal, reference and creation time', async () => {
      expect((await list('?status=approved')).body.data.map((op) => op.id)).toEqual([ids[1]]);
      expect((await list(`?terminalId=${t2}`)).body.data.map((op) => op.id)).toEqual([ids[3], ids[1]]);
      expect((await list('?reference=ref-4')).body.data.map((op) => op.id)).toEqual([ids[4]]);
      const third = (await gw.request<OperationView>('GET', `/v1/payments/${ids[2]}`, { key: m.apiKey })).body;
      const from = encodeURIComponent(third.createdAt);
      expect((await list(`?from=${from}`)).body.data.map((op) => op.id)).toEqual([ids[4], ids[3], ids[2]]);
      expect((await list(`?to=${from}`)).body.data.map((op) => op.id)).toEqual([ids[1], ids[0]]);
      expect((await list('?from=2000-01-01T00:00:00Z&to=2000-01-02T00:00:00Z')).body.data).toEqual([]);
    });

    it.each([
      ['limit=0', 'limit'],
      ['limit=201', 'limit'],
      ['limit=ten', 'limit'],
      ['status=paid', 'status'],
      ['from=yesterday', 'from'],
      ['to=2025-13-01T00:00:00Z', 'to'],
      ['cursor=not-a-cursor', 'cursor'],
      ['colour=red', 'colour'],
      ['from=2025-02-01T00:00:00Z&to=2025-01-01T00:00:00Z', 'from'],
    ])('answers 400 for ?%s, naming %s', async (query, field) => {
      const res = await list(`?${query}`);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ code: 'REQUEST.VALIDATION_FAILED', errors: [expect.objectContaining({ field })] });
    });
  });

  describe('cancel', () => {
    const cancel = (id: string, key: string = randomUUID()) =>
      gw.request<OperationView>('POST', `/v1/payments/${id}/cancel`, { key: merchant.apiKey, headers: { 'idempotency-key': key } });

    it('moves an accepted payment to cancelling and keeps its job', async () => {
      const created = await pay({});
      const res = await cancel(created.body.id);
      expect(res.status).toBe(202);
      expect(res.body.status).toBe('cancelling');
      const row = await repo.findById(created.body.id);
      expect(row?.status).toBe('cancelling');
      expect(row?.cancelReason).toBe('requested');
      expect(await eventsOf(created.body.id)).toEqual(['payment.accepted', 'payment.cancelling']);
      expect(await queue.getJob(created.body.id)).toBeDefined();
    });

    it('replays a cancel with its key, and answers a second cancel as it is, with no new event', async () => {
      const created = await pay({});
      const key = randomUUID();
      await cancel(created.body.id, key);
      const replay = await cancel(created.body.id, key);
      expect(replay.status).toBe(202);
      expect(replay.headers.get('idempotent-replayed')).toBe('true');
      const second = await cancel(created.body.id);
      expect(second.status).toBe(202);
      expect(second.headers.get('idempotent-replayed')).toBeNull();
      expect(second.body.status).toBe('cancelling');
      expect(await eventsOf(created.body.id)).toEqual(['payment.accepted', 'payment.cancelling']);
    });

    it('answers a cancelled payment with 200', async () => {
      const created = await pay({});
      await cancel(created.body.id);
      await repo.transition(created.body.id, 'cancelled');
      const res = await cancel(created.body.id);
      expect(res.status).toBe(200);
      expect(res.body.status).toBe('cancelled');
    });

    it('answers 409 PAYMENT.NOT_CANCELLABLE for a payment that ended otherwise, storing no key', async () => {
      const created = await pay({});
      await repo.transition(created.body.id, 'approved');
      const before = await gw.counts();
      const res = await cancel(created.body.id);
      expect(res.status).toBe(409);
      expect(res.body).toMatchObject({ code: 'PAYMENT.NOT_CANCELLABLE' });
      expect(await gw.counts()).toEqual(before);
    });

    it('replays the first answer even after the payment ended approved', async () => {
      const created = await pay({});
      const key = randomUUID();
      await cancel(created.body.id, key);
      await repo.transition(created.body.id, 'approved');
      const replay = await cancel(created.body.id, key);
      expect(replay.status).toBe(200);
      expect(replay.headers.get('idempotent-replayed')).toBe('true');
      expect(replay.body.status).toBe('approved');
    });

    it('refuses a key already used for another command', async () => {
      const key = randomUUID();
      const created = await pay({}, key);
      const res = await cancel(created.body.id, key);
      expect(res.status).toBe(409);
      expect(res.body).toMatchObject({ code: 'IDEMPOTENCY.KEY_REUSED' });
      expect((await repo.findById(created.body.id))?.status).toBe('accepted');
    });

    it('answers 404 for an unknown payment', async () => {
      const res = await cancel('pay_nope');
      expect(res.status).toBe(404);
      expect(res.body).toMatchObject({ code: 'PAYMENT.NOT_FOUND' });
    });
  });

  describe('confirm', () => {
    const confirm = (id: string, key: string = randomUUID()) =>
      gw.request<OperationView>('POST', `/v1/payments/${id}/confirm`, { key: merchant.apiKey, headers: { 'idempotency-key': key } });

    it('answers 409 PAYMENT.NOT_CONFIRMABLE unless the provider waits for a confirmation', async () => {
      const created = await pay({});
      const before = await gw.counts();
      const res = await confirm(created.body.id);
      expect(res.status).toBe(409);
      expect(res.body).toMatchObject({ code: 'PAYMENT.NOT_CONFIRMABLE' });
      expect(await gw.counts()).toEqual(before);
      expect((await repo.findById(created.body.id))?.request.confirmRequested).toBeUndefined();
    });

    it('records the confirmation on a payment waiting for it, and replays it', async () => {
      const created = await pay({});
      await repo.transition(created.body.id, 'in_progress', { result: { providerStatus: 'WAITING_CONFIRMATION' } });
      const key = randomUUID();
      const res = await confirm(created.body.id, key);
      expect(res.status).toBe(202);
      expect(res.body.status).toBe('in_progress');
      const row = await repo.findById(created.body.id);
      expect(row?.request).toMatchObject({ confirmRequested: true, installments: 1 });
      const replay = await confirm(created.body.id, key);
      expect(replay.headers.get('idempotent-replayed')).toBe('true');
    });
  });

  describe('Prefer: wait', () => {
    it('holds the answer until the payment is final, then answers 200', async () => {
      const reference = `wait-${randomUUID().slice(0, 8)}`;
      const started = Date.now();
      const answer = pay({ reference }, randomUUID(), merchant.apiKey, { prefer: 'wait=10' });
      const row = await waitFor(async () => {
        const rows = (await gw.db.dataSource.query('SELECT id FROM operations WHERE reference = $1', [reference])) as { id: string }[];
        return rows[0];
      });
      await new Promise((r) => setTimeout(r, 300));
      await repo.transition(row.id, 'pending');
      await repo.transition(row.id, 'approved', { result: { authorizationCode: 'A1B2C3' } });
      const res = await answer;
      expect(res.status).toBe(200);
      expect(res.headers.get('preference-applied')).toBe('wait=10');
      expect(res.body).toMatchObject({ id: row.id, status: 'approved', authorizationCode: 'A1B2C3' });
      expect(Date.now() - started).toBeLessThan(5000);
    });

    it('answers 202 when the wait runs out first', async () => {
      const started = Date.now();
      const res = await pay({}, randomUUID(), merchant.apiKey, { prefer: 'wait=1' });
      const elapsed = Date.now() - started;
      expect(res.status).toBe(202);
      expect(res.body.status).toBe('accepted');
      expect(res.headers.get('preference-applied')).toBe('wait=1');
      expect(elapsed).toBeGreaterThanOrEqual(950);
      expect(elapsed).toBeLessThan(4000);
    });

    it('clamps waits over 60 s and does not wait for a payment already final', async () => {
      const key = randomUUID();
      const created = await pay({}, key);
      await repo.transition(created.body.id, 'rejected');
      const started = Date.now();
      const res = await pay({}, key, merchant.apiKey, { prefer: 'wait=600' });
      expect(res.status).toBe(200);
      expect(res.headers.get('preference-applied')).toBe('wait=60');
      expect(Date.now() - started).toBeLessThan(2000);
    });

    it('stops waiting when the client disconnects', async () => {
      const waiter = gw.app.get(OperationWaiter);
      const body = JSON.stringify({ terminalIds: [terminal], amount: 777, currency: 'ARS' });
      const req = request(`${gw.url}/v1/payments`, {
        method: 'POST',
        agent: false,
        headers: {
          authorization: `Bearer ${merchant.apiKey}`,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          'idempotency-key': randomUUID(),
          prefer: 'wait=30',
        },
      });
      const hungUp = new Promise<string>((resolve) => req.on('error', (err) => resolve(err.message)));
      req.end(body);
      await waitFor(() => (waiter.waitingCount === 1 ? true : undefined), { what: 'the request to wait' });
      req.destroy();
      expect(await hungUp).toBe('socket hang up');
      await waitFor(() => (waiter.waitingCount === 0 ? true : undefined), { timeoutMs: 2000, what: 'the waiter to leave' });
    });

    it('ignores a malformed preference', async () => {
      const res = await pay({}, randomUUID(), merchant.apiKey, { prefer: 'wait=soon' });
      expect(res.status).toBe(202);
      expect(res.headers.get('preference-applied')).toBeNull();
    });
  });
});
