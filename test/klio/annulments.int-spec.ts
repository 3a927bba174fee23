// Contract: Klio annulments against the sandbox — partial ones up to what is left of the payment,
// the 30-day window, QR annulments that take effect at once, and refusals as business errors.
import { KlioClient, KlioErrorCode, KlioTask } from '@app/klio-client';
import { annulment, cardPayment, DEVICE, eventually, klioFailure, KlioHarness, origin, qrPayment, startKlioHarness } from './klio.harness';

let h: KlioHarness;
let client: KlioClient;

beforeAll(async () => {
  h = await startKlioHarness();
  client = h.client();
});

afterAll(() => h.close());

beforeEach(() => h.control.reset());

const final = (t: KlioTask) => ['Completed', 'Failed', 'Canceled'].includes(t.status);

async function collected(pesos: number, qr = false): Promise<KlioTask> {
  const created = await client.submitTask(DEVICE, qr ? qrPayment(pesos) : cardPayment(pesos));
  const done = await eventually(() => client.getTask(created.taskId), final);
  expect(done.paymentaData?.cardPaymentaData?.status ?? done.paymentaData?.qrPaymentaData?.status).toMatch(/APPROVED|COLLECTED/);
  return done;
}

async function annul(source: string, pesos: number): Promise<KlioTask> {
  const created = await client.submitTask(DEVICE, annulment(source, pesos));
  return eventually(() => client.getTask(created.taskId), final);
}

describe('annulments', () => {
  it('a partial annulment, a second one, then one over what is left is refused; the rest can still go', async () => {
    const payment = await collected(100);

    const first = await annul(payment.originID, 30);
    expect(first).toMatchObject({ status: 'Completed', operationType: 'ANNULMENT', sourceOriginID: payment.originID });
    expect(first.paymentaData?.cardPaymentaData?.status).toBe('APPROVED');
    expect(first.paymentaData?.annulmentData).toEqual({ sourceOriginID: payment.originID, amount: 30, remainingAmount: 70 });

    const second = await annul(payment.originID, 50.5);
    expect(second.paymentaData?.annulmentData?.remainingAmount).toBe(19.5);

    const over = await klioFailure(client.submitTask(DEVICE, annulment(payment.originID, 20)));
    expect(over).toMatchObject({ code: KlioErrorCode.Refused, outcome: 'rejected', httpStatus: 422, providerCode: 'ANNULMENT_AMOUNT_EXCEEDED' });
    expect(over.providerMessage).toContain('19.50');

    const rest = await annul(payment.originID, 19.5);
    expect(rest.paymentaData?.annulmentData?.remainingAmount).toBe(0);
    const again = await klioFailure(client.submitTask(DEVICE, annulment(payment.originID, 1)));
    expect(again.providerCode).toBe('ALREADY_ANNULLED');
  });

  it('pending annulments count against what is left', async () => {
    const payment = await collected(100);
    const a = annulment(payment.originID, 60);
    const b = annulment(payment.originID, 50);
    const err = await klioFailure(
      client.submitTasks({ target: { deviceId: DEVICE }, tasks: [{ payment: { ...a, executionOrder: 1 } }, { payment: { ...b, executionOrder: 2 } }] }),
    );
    expect(err.providerCode).toBe('ANNULMENT_AMOUNT_EXCEEDED');
    expect(await client.findTasksByOriginId(a.originID)).toEqual([]);
  });

  it('a QR annulment is Completed at once, with nothing on the device', async () => {
    const payment = await collected(80, true);
    const created = await client.submitTask(DEVICE, annulment(payment.originID, 80));
    expect(created.status).toBe('Completed');
    expect(created.paymentaData?.qrPaymentaData?.qrId).toBe(payment.paymentaData?.qrPaymentaData?.qrId);
  });

  it('only vouchers of the last 30 days can be annulled', async () => {
    const payment = await collected(100);
    await h.control.age(payment.taskId, 29);
    await annul(payment.originID, 10);
    await h.control.age(payment.taskId, 2);
    const err = await klioFailure(client.submitTask(DEVICE, annulment(payment.originID, 10)));
    expect(err).toMatchObject({ code: KlioErrorCode.Refused, providerCode: 'ANNULMENT_PERIOD_EXPIRED' });
  });

  it('an unknown or uncollected source is refused', async () => {
    expect((await klioFailure(client.submitTask(DEVICE, annulment(origin('nothing'), 10)))).providerCode).toBe('SOURCE_NOT_FOUND');
    const declined = await client.submitTask(DEVICE, cardPayment(10.05));
    await eventually(() => client.getTask(declined.taskId), final);
    expect((await klioFailure(client.submitTask(DEVICE, annulment(declined.originID, 1)))).providerCode).toBe('SOURCE_NOT_APPROVED');
  });

  it('an annulment the acquirer rejects (payment ending in 15) gives its amount back', async () => {
    const payment = await collected(100.15);
    const rejected = await annul(payment.originID, 100.15);
    expect(rejected.paymentaData?.cardPaymentaData).toMatchObject({ status: 'REJECTED', message: 'ANULACION RECHAZADA' });
    // Nothing was annulled, so the whole amount can be tried again.
    const created = await client.submitTask(DEVICE, annulment(payment.originID, 100.15));
    expect(created.status).toBe('Created');
  });
});
