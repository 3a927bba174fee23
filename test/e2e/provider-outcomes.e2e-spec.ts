// Every outcome of a Klio SmartPos or pagoUno payment, end to end: a cash register over HTTP to the
// gateway, the payments and reversals workers, the sandbox speaking each provider's wire over HTTP,
// Postgres and Redis. Cancellations (by the register, on the device), QR, full annulments, plain
// declines, and a create whose answer is lost: resolved by looking it up, never charged twice.
import { randomBytes } from 'node:crypto';
import { OperationView } from '@app/contracts';
import { waitFor } from '@app/testing';
import { pagounoToken, registerFor, startGatewayFor, StartedGateway } from '../support/e2e';
import { expectLifecycle } from '../support/lifecycle';
import { startSystem, System } from '../support/system';

const FINAL = new Set(['approved', 'rejected', 'cancelled', 'expired', 'failed']);
const TASKS_REQUEST = '/external/posdevice-api/tasks-request';
const CHARGE = '/pagouno/v1/Transaction/purchasegroup';

interface KlioTaskView {
  taskId: number;
  originID: string;
  status: string;
  generationDate: string;
  statusDate: string;
  operationType: string;
  paymentaData: { annulmentData: { sourceOriginID: string; amount: number; remainingAmount: number } | null } | null;
}

interface Fault {
  id: string;
}

describe('Klio SmartPos and pagoUno outcomes end to end', () => {
  let sys: System;
  let gw: StartedGateway;
  let apiKey: string;
  // An unattended Klio device (it completes tasks by the amount rules), one waiting for a person
  // (DEFAULT mode), and a pagoUno account.
  const klio = `klio-${randomBytes(4).toString('hex')}`;
  const klioDevice = `DEV-${randomBytes(4).toString('hex').toUpperCase()}`;
  const attended = `klio-${randomBytes(4).toString('hex')}`;
  const attendedDevice = `DEV-${randomBytes(4).toString('hex').toUpperCase()}`;
  const pagouno = `pu-${randomBytes(4).toString('hex')}`;

  beforeAll(async () => {
    sys = await startSystem();
    await sys.startReversals();
    gw = await startGatewayFor(sys);
    const shop = await registerFor(sys, gw, 0);
    apiKey = shop.apiKey;
    await sys.sandboxCall('POST', '/sandbox/klio/devices', { deviceId: klioDevice, deviceName: 'Caja Klio', mode: 'UNATTENDED', takeDelayMs: 50 });
    await sys.sandboxCall('POST', '/sandbox/klio/devices', { deviceId: attendedDevice, deviceName: 'Caja atendida', mode: 'DEFAULT' });
    for (const [terminal, body] of [
      [klio, { provider: 'klio', deviceId: klioDevice }],
      [attended, { provider: 'klio', deviceId: attendedDevice }],
      [pagouno, { provider: 'pagouno', label: 'Tienda online' }],
    ] as const) {
      const put = await gw.call('PUT', `/v1/admin/merchants/${shop.merchantId}/terminals/${terminal}`, { key: gw.adminKey, body });
      expect(put.status).toBe(201);
    }
  });
  afterAll(async () => sys?.stop());

  const command = (path: string, body?: unknown) =>
    gw.call<OperationView & { code?: string }>('POST', path, {
      key: apiKey,
      body,
      headers: { 'idempotency-key': `k-${randomBytes(8).toString('hex')}` },
    });
  const view = async (path: string, id: string) => (await gw.call<OperationView>('GET', `${path}/${id}`, { key: apiKey })).body;
  const final = (path: string, id: string, timeoutMs = 15_000) =>
    waitFor(
      async () => {
        const res = await view(path, id);
        return FINAL.has(res.status) ? res : undefined;
      },
      { timeoutMs, intervalMs: 100, what: `${path}/${id} to be final` },
    );
  const inStatus = (path: string, id: string, status: string) =>
    waitFor(async () => ((await view(path, id)).status === status ? true : undefined), { timeoutMs: 10_000, intervalMs: 50, what: `${id} to be ${status}` });
  /** Waits for the operation's event `type` in the outbox (a short-lived status is never missed there). */
  const eventOf = (id: string, type: string) =>
    waitFor(async () => ((await sys.events(id)).includes(type) ? true : undefined), { timeoutMs: 10_000, intervalMs: 50, what: `${type} of ${id}` });
  /** Requests the sandbox logged under `path` whose body carries `id`. */
  const carrying = async (path: string, method: string, id: string) =>
    (await sys.providerRequests(path, method)).filter((r) => r.path.endsWith(path) && JSON.stringify(r.body ?? '').includes(id));
  const klioTask = async (originID: string): Promise<KlioTaskView> => {
    const { data } = await sys.sandboxCall<{ data: KlioTaskView[] }>('GET', '/sandbox/klio/tasks');
    const matching = data.filter((t) => t.originID === originID);
    expect(matching).toHaveLength(1);
    return matching[0];
  };
  /** Runs `body` with a fault on the sandbox's provider routes, removed afterwards whatever happens. */
  async function withFault<T>(spec: Record<string, unknown>, body: () => Promise<T>): Promise<T> {
    const { data } = await sys.sandboxCall<{ data: Fault }>('POST', '/sandbox/faults', spec);
    try {
      return await body();
    } finally {
      await sys.sandboxCall('DELETE', `/sandbox/faults/${data.id}`);
    }
  }

  describe('Klio SmartPos', () => {
    it('cancels a payment the register calls off before the device takes it', async () => {
      const created = await command('/v1/payments', { terminalIds: [attended], amount: 180000, currency: 'ARS' });
      expect(created.status).toBe(202);
      const id = created.body.id;
      await inStatus('/v1/payments', id, 'pending');
      const task = await klioTask(id);
      expect(task.status).toBe('Created');

      const cancel = await gw.call<OperationView>('POST', `/v1/payments/${id}/cancel`, {
        key: apiKey,
        headers: { 'idempotency-key': `c-${randomBytes(8).toString('hex')}` },
      });
      expect([200, 202]).toContain(cancel.status);
      expect(await final('/v1/payments', id)).toMatchObject({ status: 'cancelled', provider: 'klio', providerId: String(task.taskId), failure: null });

      expect(expectLifecycle(await sys.events(id), 'payment', 'cancelled')).toEqual(['accepted', 'pending', 'cancelling', 'cancelled']);
      expect((await klioTask(id)).status).toBe('Canceled');
      expect(await carrying(TASKS_REQUEST, 'POST', id)).toHaveLength(1);
      expect(await sys.providerRequests(`/external/posdevice-api/tasks/${task.taskId}/cancel`, 'POST')).toHaveLength(1);
      // Nobody can complete it at the device any more.
      await expect(sys.sandboxCall('POST', `/sandbox/klio/tasks/${task.taskId}/approve`)).rejects.toThrow(/409/);
    });

    it('ends cancelled a payment the person at the device cancels, without the register asking', async () => {
      const created = await command('/v1/payments', { terminalIds: [attended], amount: 90000, currency: 'ARS' });
      const id = created.body.id;
      await inStatus('/v1/payments', id, 'pending');
      const task = await klioTask(id);
      await sys.sandboxCall('POST', `/sandbox/klio/tasks/${task.taskId}/cancel`);

      expect(await final('/v1/payments', id)).toMatchObject({ status: 'cancelled', provider: 'klio', card: null });
      expect(expectLifecycle(await sys.events(id), 'payment', 'cancelled')).toEqual(['accepted', 'pending', 'cancelled']);
      // The gateway only looked: the cancel came from the device, not from a cancel call.
      expect(await sys.providerRequests(`/external/posdevice-api/tasks/${task.taskId}/cancel`)).toHaveLength(0);
      expect(await carrying(TASKS_REQUEST, 'POST', id)).toHaveLength(1);
    });

    it('approves a QR payment, and its annulment is applied at once', async () => {
      const created = await command('/v1/payments', { terminalIds: [klio], amount: 64000, currency: 'ARS', method: 'qr' });
      expect(created.status).toBe(202);
      const payment = await final('/v1/payments', created.body.id);
      expect(payment).toMatchObject({ status: 'approved', provider: 'klio', method: 'qr', card: null, terminalId: klio });
      expect(payment.qrCodeId).toEqual(expect.any(String));
      expectLifecycle(await sys.events(payment.id), 'payment', 'approved');
      const sent = await carrying(TASKS_REQUEST, 'POST', payment.id);
      expect(sent).toHaveLength(1);
      expect(sent[0].body).toMatchObject({ tasks: [{ payment: { qrMethod: { accountMoney: true }, cardMethod: { credit: false, debit: false } } }] });

      const reversal = await command('/v1/reversals', { paymentId: payment.id });
      expect(reversal.status).toBe(202);
      expect(await final('/v1/reversals', reversal.body.id)).toMatchObject({ status: 'approved', amount: 64000, provider: 'klio', paymentId: payment.id });
      expect((await view('/v1/payments', payment.id)).reversedAmount).toBe(64000);
      // Completed in the very answer of the tasks-request: nothing ran on the device, and the
      // reversal was never polled.
      const annulment = await klioTask(reversal.body.id);
      expect(annulment).toMatchObject({ operationType: 'ANNULMENT', status: 'Completed', statusDate: annulment.generationDate });
      expect(await sys.providerRequests(`/external/posdevice-api/tasks/${annulment.taskId}`, 'GET')).toHaveLength(0);
      expect(expectLifecycle(await sys.events(reversal.body.id), 'reversal', 'approved')).toEqual(['accepted', 'approved']);
    });

    it('annuls a card payment in full when the reversal names no amount', async () => {
      const created = await command('/v1/payments', { terminalIds: [klio], amount: 432100, currency: 'ARS' });
      const payment = await final('/v1/payments', created.body.id);
      expect(payment).toMatchObject({ status: 'approved', reversedAmount: 0 });

      const reversal = await command('/v1/reversals', { paymentId: payment.id });
      expect(reversal.status).toBe(202);
      expect(reversal.body.amount).toBe(432100);
      expect(await final('/v1/reversals', reversal.body.id)).toMatchObject({ status: 'approved', amount: 432100, provider: 'klio' });
      expect(await view('/v1/payments', payment.id)).toMatchObject({ status: 'approved', reversedAmount: 432100, reversalId: reversal.body.id });
      const statuses = expectLifecycle(await sys.events(reversal.body.id), 'reversal', 'approved');
      expect(statuses.slice(0, 2)).toEqual(['accepted', 'pending']);

      // Klio annulled the whole voucher, in one annulment task.
      const annulment = await klioTask(reversal.body.id);
      expect(annulment).toMatchObject({ operationType: 'ANNULMENT', status: 'Completed' });
      expect(annulment.paymentaData?.annulmentData).toEqual({ sourceOriginID: payment.id, amount: 4321, remainingAmount: 0 });
      expect(await carrying(TASKS_REQUEST, 'POST', reversal.body.id)).toHaveLength(1);
      expect((await command('/v1/reversals', { paymentId: payment.id })).body.code).toBe('PAYMENT.ALREADY_REVERSED');
    });

    it('resolves a payment whose tasks-request answer was lost by its originID, without sending it again', async () => {
      // The request reaches Klio and is handled, but only after the client (1.5 s) gave up.
      const id = await withFault({ match: { method: 'POST', path: TASKS_REQUEST }, latencyMs: 2500 }, async () => {
        const created = await command('/v1/payments', { terminalIds: [klio], amount: 275000, currency: 'ARS' });
        expect(created.status).toBe(202);
        await eventOf(created.body.id, 'payment.unknown');
        return created.body.id;
      });
      const payment = await final('/v1/payments', id);
      expect(payment).toMatchObject({ status: 'approved', provider: 'klio', terminalId: klio, failure: null });
      expect(payment.card?.last4).toMatch(/^\d{4}$/);

      const statuses = expectLifecycle(await sys.events(id), 'payment', 'approved');
      expect(statuses.slice(0, 2)).toEqual(['accepted', 'unknown']);
      // One charge: a single tasks-request carrying this originID, found again by look-ups.
      const sent = await carrying(TASKS_REQUEST, 'POST', id);
      expect(sent).toHaveLength(1);
      expect(sent[0].body).toMatchObject({ tasks: [{ payment: { originID: id, operationType: 'PAYMENT' } }] });
      const lookups = (await sys.providerRequests('/external/posdevice-api/tasks', 'GET')).filter((r) => r.query?.originID === id);
      expect(lookups.length).toBeGreaterThanOrEqual(1);
      expect((await klioTask(id)).status).toBe('Completed');
    });
  });

  describe('pagoUno', () => {
    it('rejects a plain charge the issuer declines, charged once', async () => {
      const card = await pagounoToken(sys);
      const created = await command('/v1/payments', {
        terminalIds: [pagouno],
        amount: 45005,
        currency: 'ARS',
        pagouno: { cards: [{ token: card, purchases: [{ merchantCode: 'SHOP1', amount: 45005, sellerDescriptor: 'TIENDA*UNO' }] }] },
      });
      expect(created.status).toBe(202);
      const payment = await final('/v1/payments', created.body.id);
      expect(payment).toMatchObject({ status: 'rejected', provider: 'pagouno', failure: { code: 'PAYMENT.DECLINED' } });
      expect(payment.transactions).toEqual([expect.objectContaining({ merchantCode: 'SHOP1', amount: 45005, status: 'declined' })]);
      expect(expectLifecycle(await sys.events(payment.id), 'payment', 'rejected')).toEqual(['accepted', 'rejected']);
      expect(await carrying(CHARGE, 'POST', payment.id)).toHaveLength(1);
      // Nothing to give back.
      expect(await command('/v1/reversals', { paymentId: payment.id })).toMatchObject({ status: 409, body: { code: 'PAYMENT.NOT_APPROVED' } });
    });

    it('refuses what pagoUno cannot do (cancel, partial annulment, QR) without calling it', async () => {
      const card = await pagounoToken(sys);
      const created = await command('/v1/payments', {
        terminalIds: [pagouno],
        amount: 70000,
        currency: 'ARS',
        pagouno: { cards: [{ token: card, purchases: [{ merchantCode: 'SHOP1', amount: 70000, sellerDescriptor: 'TIENDA*UNO' }] }] },
      });
      const payment = await final('/v1/payments', created.body.id);
      expect(payment.status).toBe('approved');

      const cancel = await command(`/v1/payments/${payment.id}/cancel`);
      expect(cancel).toMatchObject({ status: 422, body: { code: 'PROVIDER.OPERATION_NOT_SUPPORTED' } });
      const partial = await command('/v1/reversals', { paymentId: payment.id, amount: 10000 });
      expect(partial).toMatchObject({ status: 422, body: { code: 'PROVIDER.OPERATION_NOT_SUPPORTED' } });
      const qr = await command('/v1/payments', { terminalIds: [pagouno], amount: 70000, currency: 'ARS', method: 'qr' });
      expect(qr).toMatchObject({ status: 422, body: { code: 'PROVIDER.OPERATION_NOT_SUPPORTED' } });

      expect(await view('/v1/payments', payment.id)).toMatchObject({ status: 'approved', reversedAmount: 0, reversalId: null });
      const txId = payment.transactions?.[0].id;
      expect(txId).toEqual(expect.any(String));
      expect(await sys.providerRequests(`/purchase/${txId}/adjustments`)).toHaveLength(0);
      expect(await carrying(CHARGE, 'POST', payment.id)).toHaveLength(1);
    });

    it('resolves a charge whose answer was lost by its external reference, charged once', async () => {
      const card = await pagounoToken(sys);
      // The charge reaches pagoUno and is made, but its answer comes after the client (1.5 s) gave up.
      const id = await withFault({ match: { method: 'POST', path: CHARGE }, latencyMs: 2500 }, async () => {
        const created = await command('/v1/payments', {
          terminalIds: [pagouno],
          amount: 88000,
          currency: 'ARS',
          pagouno: { cards: [{ token: card, purchases: [{ merchantCode: 'SHOP2', amount: 88000, sellerDescriptor: 'TIENDA*DOS' }] }] },
        });
        expect(created.status).toBe(202);
        await eventOf(created.body.id, 'payment.unknown');
        return created.body.id;
      });
      const payment = await final('/v1/payments', id);
      expect(payment).toMatchObject({ status: 'approved', provider: 'pagouno', failure: null });
      expect(payment.transactions).toEqual([expect.objectContaining({ merchantCode: 'SHOP2', amount: 88000, status: 'approved', id: expect.any(String) })]);

      // pagoUno is synchronous: the group found by its reference is final.
      expect(expectLifecycle(await sys.events(id), 'payment', 'approved')).toEqual(['accepted', 'unknown', 'approved']);
      expect(await carrying(CHARGE, 'POST', id)).toHaveLength(1);
      const lookups = (await sys.providerRequests(CHARGE, 'GET')).filter((r) => r.query?.external_reference === id);
      expect(lookups.length).toBeGreaterThanOrEqual(1);

      // And it is annulled in full like any other.
      const reversal = await command('/v1/reversals', { paymentId: id });
      expect(await final('/v1/reversals', reversal.body.id)).toMatchObject({ status: 'approved', amount: 88000, provider: 'pagouno' });
      expect(await view('/v1/payments', id)).toMatchObject({ reversedAmount: 88000, reversalId: reversal.body.id });
      expect(await sys.providerRequests(`/purchase/${payment.transactions?.[0].id}/adjustments`, 'POST')).toHaveLength(1);
    });
  });
});
