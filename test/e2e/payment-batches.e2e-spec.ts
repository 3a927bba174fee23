// Several payments for one Klio device as one ordered multi-task request, end to end: the cash
// register over HTTP to the gateway, the payments worker, the sandbox speaking Klio's wire over
// HTTP, Postgres and Redis. One request carries the batch in the register's order and the device
// runs it in that order; a member cancelled or expired before the request goes out is never in it;
// a lost answer or a refused request never charges anyone twice.
import { randomBytes } from 'node:crypto';
import { OperationView, PaymentBatchView } from '@app/contracts';
import { waitFor } from '@app/testing';
import { registerFor, startGatewayFor, StartedGateway } from '../support/e2e';
import { ProviderRequest, startSystem, System } from '../support/system';

const FINAL = new Set(['approved', 'rejected', 'cancelled', 'expired', 'failed']);
const TASKS_REQUEST = '/external/posdevice-api/tasks-request';

interface KlioTaskView {
  taskId: number;
  originID: string;
  status: string;
  statusDate: string;
  executionOrder: number;
}

interface TaskPayload {
  payment: { originID: string; executionOrder: number };
}

/** A Klio device in the sandbox and its terminal at the gateway, for one merchant. */
async function klioShop(sys: System, gw: StartedGateway, mode: 'UNATTENDED' | 'DEFAULT' = 'UNATTENDED') {
  const shop = await registerFor(sys, gw, 1);
  const terminalId = `klio-${randomBytes(4).toString('hex')}`;
  const deviceId = `DEV-${randomBytes(4).toString('hex').toUpperCase()}`;
  await sys.sandboxCall('POST', '/sandbox/klio/devices', { deviceId, deviceName: 'Caja Klio', mode, takeDelayMs: 40 });
  const put = await gw.call('PUT', `/v1/admin/merchants/${shop.merchantId}/terminals/${terminalId}`, {
    key: gw.adminKey,
    body: { provider: 'klio', deviceId },
  });
  expect(put.status).toBe(201);
  const key = shop.apiKey;
  const batch = (body: unknown, idempotencyKey = `b-${randomBytes(8).toString('hex')}`) =>
    gw.call<PaymentBatchView & { code?: string; errors?: { field: string }[] }>('POST', '/v1/payment-batches', {
      key,
      body,
      headers: { 'idempotency-key': idempotencyKey },
    });
  const payment = (id: string) => gw.call<OperationView>('GET', `/v1/payments/${id}`, { key });
  const final = (id: string, timeoutMs = 20_000) =>
    waitFor(
      async () => {
        const res = await payment(id);
        return FINAL.has(res.body.status) ? res.body : undefined;
      },
      { timeoutMs, intervalMs: 100, what: `payment ${id} to be final` },
    );
  const tasksOf = async () => (await sys.sandboxCall<{ data: KlioTaskView[] }>('GET', `/sandbox/klio/tasks?deviceId=${deviceId}`)).data;
  return { shop, key, terminalId, paystoreTerminal: shop.terminals[0]!, deviceId, batch, payment, final, tasksOf };
}

/** The tasks-requests the sandbox received that carry any of `ids`, with their tasks. */
async function requestsFor(sys: System, ids: string[]): Promise<TaskPayload[][]> {
  const all: ProviderRequest[] = await sys.providerRequests(TASKS_REQUEST, 'POST');
  return all
    .map((r) => ((r.body as { tasks?: TaskPayload[] } | null)?.tasks ?? []) as TaskPayload[])
    .filter((tasks) => tasks.some((t) => ids.includes(t.payment.originID)));
}

/** Runs `body` while the sandbox answers every tasks-request with `status`; the fault is cleared after. */
async function withSubmitFault<T>(sys: System, status: number, body: () => Promise<T>): Promise<T> {
  const fault = await sys.sandboxCall<{ data: { id: string } }>('POST', '/sandbox/faults', { match: { method: 'POST', path: TASKS_REQUEST }, status });
  try {
    return await body();
  } finally {
    await sys.sandboxCall('DELETE', `/sandbox/faults/${fault.data.id}`);
  }
}

const items = (...amounts: number[]) => amounts.map((amount) => ({ amount, currency: 'ARS' }));

describe('Klio payment batches, end to end', () => {
  let sys: System;
  let gw: StartedGateway;

  beforeAll(async () => {
    sys = await startSystem();
    gw = await startGatewayFor(sys);
  });
  afterAll(async () => sys?.stop());

  it('sends the payments as one request in the given order, and the device runs them in that order', async () => {
    const shop = await klioShop(sys, gw);
    const created = await shop.batch({ terminalId: shop.terminalId, payments: items(130000, 110000, 120000) });
    expect(created.status).toBe(202);
    expect(created.headers.get('location')).toBe(`/v1/payment-batches/${created.body.id}`);
    expect(created.body.id).toMatch(/^bat_/);
    const ids = created.body.payments.map((p) => p.id);
    expect(created.body.payments.map((p) => [p.amount, p.batch?.order, p.batch?.size, p.terminalIds])).toEqual([
      [130000, 1, 3, [shop.terminalId]],
      [110000, 2, 3, [shop.terminalId]],
      [120000, 3, 3, [shop.terminalId]],
    ]);

    const finals = await Promise.all(ids.map((id) => shop.final(id)));
    expect(finals.map((p) => p.status)).toEqual(['approved', 'approved', 'approved']);
    expect(new Set(finals.map((p) => p.providerId)).size).toBe(3);

    // One request for the whole batch, its tasks in the register's order.
    const requests = await requestsFor(sys, ids);
    expect(requests).toHaveLength(1);
    expect(requests[0]!.map((t) => [t.payment.originID, t.payment.executionOrder])).toEqual([
      [ids[0], 1],
      [ids[1], 2],
      [ids[2], 3],
    ]);
    // The device completed them one after the other, in that order.
    const tasks = await shop.tasksOf();
    const completed = ids.map((id) => tasks.find((t) => t.originID === id)!);
    expect(completed.map((t) => t.status)).toEqual(['Completed', 'Completed', 'Completed']);
    const at = completed.map((t) => Date.parse(`${t.statusDate}Z`));
    expect(at[0]!).toBeLessThan(at[1]!);
    expect(at[1]!).toBeLessThan(at[2]!);

    const read = await gw.call<PaymentBatchView>('GET', `/v1/payment-batches/${created.body.id}`, { key: shop.key });
    expect(read.status).toBe(200);
    expect(read.body.payments.map((p) => [p.id, p.status])).toEqual(ids.map((id) => [id, 'approved']));
  });

  it('replays a repeated key, refuses it with another body, and makes one batch of concurrent duplicates', async () => {
    const shop = await klioShop(sys, gw);
    const body = { terminalId: shop.terminalId, payments: items(140000, 150000) };
    const key = `dup-${randomBytes(6).toString('hex')}`;
    const answers = await Promise.all(Array.from({ length: 5 }, () => shop.batch(body, key)));
    expect(answers.map((a) => a.status)).toEqual([202, 202, 202, 202, 202]);
    expect(new Set(answers.map((a) => a.body.id)).size).toBe(1);
    expect(answers.filter((a) => a.headers.get('idempotent-replayed') === 'true')).toHaveLength(4);
    const ids = answers[0]!.body.payments.map((p) => p.id);
    for (const a of answers) expect(a.body.payments.map((p) => p.id)).toEqual(ids);

    await Promise.all(ids.map((id) => shop.final(id)));
    const later = await shop.batch(body, key);
    expect(later.status).toBe(202);
    expect(later.headers.get('idempotent-replayed')).toBe('true');
    expect(later.body.payments.map((p) => [p.id, p.status])).toEqual(ids.map((id) => [id, 'approved']));

    const other = await shop.batch({ ...body, payments: items(140000, 150001) }, key);
    expect(other.status).toBe(409);
    expect(other.body.code).toBe('IDEMPOTENCY.KEY_REUSED');

    const [rows] = (await sys.db.dataSource.query(
      `SELECT count(*)::int AS n FROM operations WHERE merchant_id = $1 AND request ? 'batch'`,
      [shop.shop.merchantId],
    )) as { n: number }[];
    expect(rows!.n).toBe(2);
    expect(await requestsFor(sys, ids)).toHaveLength(1);
  });

  it('refuses what cannot be a batch with a clear 4xx and stores nothing', async () => {
    const shop = await klioShop(sys, gw);
    const count = async () =>
      ((await sys.db.dataSource.query(`SELECT count(*)::int AS n FROM operations WHERE merchant_id = $1`, [shop.shop.merchantId])) as { n: number }[])[0]!.n;

    const paystore = await shop.batch({ terminalId: shop.paystoreTerminal, payments: items(110000, 120000) });
    expect(paystore.status).toBe(422);
    expect(paystore.body.code).toBe('PROVIDER.OPERATION_NOT_SUPPORTED');
    expect(paystore.body.errors?.map((e) => e.field)).toEqual(['terminalId']);

    const second = await shop.batch({
      terminalId: shop.terminalId,
      payments: [
        { amount: 110000, currency: 'ARS' },
        { amount: 120000, currency: 'ARS', plan: 'ahora_3' },
      ],
    });
    expect(second.status).toBe(422);
    expect(second.body.code).toBe('PROVIDER.OPERATION_NOT_SUPPORTED');
    expect(second.body.errors?.map((e) => e.field)).toEqual(['payments.1.plan']);

    const one = await shop.batch({ terminalId: shop.terminalId, payments: items(110000) });
    expect(one.status).toBe(400);
    expect(one.body.code).toBe('REQUEST.VALIDATION_FAILED');

    const unknown = await shop.batch({ terminalId: 'klio-nope', payments: items(110000, 120000) });
    expect(unknown.status).toBe(422);
    expect(unknown.body.code).toBe('TERMINAL.NOT_FOUND');

    expect(await count()).toBe(0);
    const missing = await gw.call<{ code: string }>('GET', '/v1/payment-batches/bat_nope', { key: shop.key });
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('PAYMENT_BATCH.NOT_FOUND');
  });

  it('resolves a batch whose answer was lost by looking each task up, never sending it again', async () => {
    const shop = await klioShop(sys, gw);
    // An amount ending in 09 makes the sandbox run the request and never answer it.
    const created = await shop.batch({ terminalId: shop.terminalId, payments: items(110000, 120009, 130000) });
    expect(created.status).toBe(202);
    const ids = created.body.payments.map((p) => p.id);
    const finals = await Promise.all(ids.map((id) => shop.final(id, 30_000)));
    expect(finals.map((p) => p.status)).toEqual(['approved', 'approved', 'approved']);
    expect(await requestsFor(sys, ids)).toHaveLength(1);
    const tasks = await shop.tasksOf();
    for (const id of ids) expect(tasks.filter((t) => t.originID === id)).toHaveLength(1);
  });

  it('sends a batch the provider did not take again as a whole, and the device runs each payment once', async () => {
    const shop = await klioShop(sys, gw);
    const ids = await withSubmitFault(sys, 503, async () => {
      const created = await shop.batch({ terminalId: shop.terminalId, payments: items(110000, 120000) });
      const sent = created.body.payments.map((p) => p.id);
      // The provider answers 503 (it took nothing) until it is back.
      await waitFor(
        async () => ((await sys.providerRequests(TASKS_REQUEST, 'POST')).some((r) => r.status === 503 && JSON.stringify(r.body).includes(sent[0]!)) ? true : undefined),
        { timeoutMs: 10_000, what: 'the first request refused' },
      );
      expect((await shop.payment(sent[0]!)).body.status).toBe('accepted');
      return sent;
    });
    const finals = await Promise.all(ids.map((id) => shop.final(id, 30_000)));
    expect(finals.map((p) => p.status)).toEqual(['approved', 'approved']);
    // Every attempt carried both, in order; the device got each payment once.
    const requests = await requestsFor(sys, ids);
    expect(requests.length).toBeGreaterThan(1);
    for (const tasks of requests) expect(tasks.map((t) => t.payment.originID)).toEqual(ids);
    const tasks = await shop.tasksOf();
    expect(tasks.map((t) => t.originID).sort()).toEqual([...ids].sort());
  });

  it('fails every payment of a batch the provider refuses for good, and charges none', async () => {
    const shop = await klioShop(sys, gw);
    const ids = await withSubmitFault(sys, 400, async () => {
      const created = await shop.batch({ terminalId: shop.terminalId, payments: items(110000, 120000) });
      const sent = created.body.payments.map((p) => p.id);
      const finals = await Promise.all(sent.map((id) => shop.final(id)));
      expect(finals.map((p) => [p.status, p.failure?.code])).toEqual([
        ['failed', 'PROVIDER.REJECTED'],
        ['failed', 'PROVIDER.REJECTED'],
      ]);
      return sent;
    });
    expect(await requestsFor(sys, ids)).toHaveLength(1);
    expect(await shop.tasksOf()).toEqual([]);
  });
});

describe('Klio payment batches held before they are sent', () => {
  let sys: System;
  let gw: StartedGateway;

  beforeAll(async () => {
    // No payments worker yet: the batch waits in the queue while the register acts on it.
    sys = await startSystem({ payments: false });
    gw = await startGatewayFor(sys);
  });
  afterAll(async () => sys?.stop());

  it('leaves out members cancelled (the first one too) or expired before the request goes out', async () => {
    const shop = await klioShop(sys, gw);
    const created = await shop.batch({ terminalId: shop.terminalId, payments: items(110000, 120000, 130000, 140000) });
    expect(created.status).toBe(202);
    const ids = created.body.payments.map((p) => p.id);
    const [first, second, third, fourth] = ids as [string, string, string, string];

    // The register cancels the first and the third; the fourth's deadline passes.
    for (const id of [first, third]) {
      const cancel = await shop.shop.cancel(id);
      expect(cancel.status).toBe(202);
      expect(cancel.body.status).toBe('cancelling');
    }
    await sys.db.dataSource.query(`UPDATE operations SET expires_at = now() - interval '1 second' WHERE id = $1`, [fourth]);

    await sys.startPayments();
    const finals = await Promise.all(ids.map((id) => shop.final(id)));
    expect(finals.map((p) => [p.status, p.failure])).toEqual([['cancelled', null], ['approved', null], ['cancelled', null], ['expired', null]]);

    // One request, carrying the second payment alone.
    const requests = await requestsFor(sys, ids);
    expect(requests).toHaveLength(1);
    expect(requests[0]!.map((t) => [t.payment.originID, t.payment.executionOrder])).toEqual([[second, 1]]);
    const tasks = await shop.tasksOf();
    expect(tasks.map((t) => t.originID)).toEqual([second]);
  });
});
