// The Klio adapter's ports against the sandbox: what the workers' lifecycle will call (create,
// get, find, cancel, read, rejection, failureOf), with operations as the gateway stores them.
import { ErrorCode, PROVIDER_CAPABILITIES } from '@app/contracts';
import { KlioAdapter, KlioTask } from '@app/klio-client';
import type { OperationEntity } from '@app/persistence';
import type { IntentPort } from '@app/providers';
import { operationFixture } from '@app/testing';
import { DEVICE, eventually, KLIO_CLIENT_ID, KLIO_CLIENT_SECRET, KlioHarness, origin, startKlioHarness } from './klio.harness';

let h: KlioHarness;
let adapter: KlioAdapter;
const CUIT = '30-71234567-1';

beforeAll(async () => {
  h = await startKlioHarness();
  adapter = KlioAdapter.create({ baseUrl: h.sandbox.url, clientId: KLIO_CLIENT_ID, clientSecret: KLIO_CLIENT_SECRET, timeoutMs: 2_000 });
});

afterAll(async () => {
  adapter.shutdown();
  await h.close();
});

function op(partial: Partial<OperationEntity>): OperationEntity {
  return operationFixture({
    id: origin('op'),
    merchantId: 'm_1',
    provider: 'klio',
    terminalIds: ['T-KLIO-1'],
    request: { klio: { deviceId: DEVICE } },
    ...partial,
  });
}

async function settle(port: IntentPort<KlioTask>, o: OperationEntity) {
  const created = await port.create(CUIT, o);
  return eventually(
    async () => port.read(await port.get(CUIT, created.taskId), o),
    (r) => r.status !== null && !['pending', 'in_progress'].includes(r.status),
  );
}

describe('KlioAdapter', () => {
  it('says what Klio can do', () => {
    expect(adapter.name).toBe('klio');
    expect(adapter.capabilities).toBe(PROVIDER_CAPABILITIES.klio);
    expect(Object.keys(adapter.breakerStates())).toEqual(expect.arrayContaining(['task.submit', 'task.get']));
  });

  it('a card payment is approved with its card data; a magic 05 is declined', async () => {
    const port = adapter.payment();
    const approved = await settle(port, op({ amount: 150_000 }));
    expect(approved).toMatchObject({ cls: 'approved', status: 'approved', terminalId: 'T-KLIO-1' });
    expect(approved.result).toMatchObject({ card: { brand: 'visa', last4: expect.stringMatching(/^\d{4}$/) }, authorizationCode: expect.any(String) });

    const declined = await settle(port, op({ amount: 1_505 }));
    expect(declined).toMatchObject({ status: 'rejected', result: { failure: { code: ErrorCode.Declined, message: 'DENEGADA' } } });
  });

  it('a QR payment is approved with its QR id', async () => {
    const reading = await settle(adapter.payment(), op({ amount: 4_000, request: { method: 'qr', klio: { deviceId: DEVICE } } }));
    expect(reading).toMatchObject({ status: 'approved', result: { card: null, qrCodeId: expect.stringMatching(/^QR/) } });
  });

  it('finds by our id, cancels a task no device takes', async () => {
    const port = adapter.payment();
    const o = op({ amount: 1_507 });
    const created = await port.create(CUIT, o);
    expect((await port.find(CUIT, o))?.taskId).toBe(created.taskId);
    expect(await port.find(CUIT, op({}))).toBeNull();
    const cancelled = await port.cancel!(CUIT, created.taskId);
    expect(port.read(cancelled, { ...o, cancelReason: 'requested' } as OperationEntity).status).toBe('cancelled');
  });

  it('a partial reversal, a second one, then one over what is left is refused with a clear code', async () => {
    const payment = op({ amount: 10_000 });
    await settle(adapter.payment(), payment);
    const approvedPayment = { ...payment, status: 'approved', finalAt: new Date() } as OperationEntity;
    const port = adapter.reversal(approvedPayment);

    const first = await settle(port, op({ type: 'reversal', amount: 4_000, paymentId: payment.id, request: {} }));
    expect(first).toMatchObject({ cls: 'approved', status: 'approved' });
    const second = await settle(port, op({ type: 'reversal', amount: 5_000, paymentId: payment.id, request: {} }));
    expect(second.status).toBe('approved');

    const err = await port.create(CUIT, op({ type: 'reversal', amount: 2_000, paymentId: payment.id, request: {} })).catch((e: unknown) => e);
    expect(port.failureOf!(err)).toBe('rejected');
    expect(port.rejection!(err, 'x')).toEqual({ code: ErrorCode.ReversalDeclined, message: expect.stringContaining('10.00') });
  });

  it('a reversal of a payment older than 30 days is refused before anything is sent', async () => {
    const old = op({ status: 'approved', amount: 10_000, finalAt: new Date(Date.now() - 31 * 86_400_000) });
    const port = adapter.reversal(old);
    const before = (await h.control.requests({ method: 'POST' })).length;
    const err = await port.create(CUIT, op({ type: 'reversal', amount: 1_000, paymentId: old.id })).catch((e: unknown) => e);
    expect(port.failureOf!(err)).toBe('rejected');
    expect(port.rejection!(err, 'x').code).toBe(ErrorCode.ReversalDeclined);
    expect((await h.control.requests({ method: 'POST' })).length).toBe(before);
  });

  it('a create whose answer is lost reads unknown and is found by our id', async () => {
    const slow = KlioAdapter.create({ baseUrl: h.sandbox.url, clientId: KLIO_CLIENT_ID, clientSecret: KLIO_CLIENT_SECRET, submitTimeoutMs: 300 });
    try {
      const port = slow.payment();
      const o = op({ amount: 1_509 });
      const err = await port.create(CUIT, o).catch((e: unknown) => e);
      expect(port.failureOf!(err)).toBe('unknown');
      expect((await port.find(CUIT, o))?.originID).toBe(o.id);
    } finally {
      slow.shutdown();
    }
  });

  it('syncDevices lists the account devices', async () => {
    expect((await adapter.syncDevices()).map((d) => d.deviceId)).toContain(DEVICE);
  });
});
