import type { RunningSandbox } from '../../apps/sandbox/src/sandbox.app';
import { isFinal, PAYMENTS, sleep, withSandbox, type ErrorBody, type PaymentEnvelope, type SandboxHttp } from './sandbox-http';

describe('sandbox payment cancellation', () => {
  let sandbox: RunningSandbox;
  let http: SandboxHttp;
  const AUTO = '38050001';
  const MANUAL = '38050002';

  beforeAll(async () => {
    ({ sandbox, http } = await withSandbox({ takeDelayMs: 200 }));
    await http.terminal(AUTO);
    await http.terminal(MANUAL, undefined, { mode: 'manual' });
  });
  afterAll(() => sandbox.close());

  function cancel(paymentId: string) {
    return http.api<PaymentEnvelope & ErrorBody>('PUT', `${PAYMENTS}/${paymentId}/cancellations`);
  }

  it('cancels before a terminal takes it: UNDO_REQUEST, then UNDONE shortly after, and the terminal never takes it', async () => {
    const created = await http.createPayment('1500', [AUTO]);
    const paymentId = created.body.payment_data.payment_id;
    const answer = await cancel(paymentId);
    expect(answer.status).toBe(200);
    expect(answer.body.payment_data.payment_status).toBe('UNDO_REQUEST');
    const undone = await http.waitPayment(paymentId, isFinal, 2_000);
    expect(undone).toMatchObject({ payment_status: 'UNDONE', terminal_id: null });
    await sleep(250);
    expect((await http.getPayment(paymentId)).payment_data.payment_status).toBe('UNDONE');
  });

  it('cancels an amount no terminal ever takes (07)', async () => {
    const created = await http.createPayment('1507', [AUTO]);
    expect((await cancel(created.body.payment_data.payment_id)).status).toBe(200);
    expect((await http.waitPayment(created.body.payment_data.payment_id, isFinal, 2_000)).payment_status).toBe('UNDONE');
  });

  it('answers 200 again while the cancel is under way', async () => {
    const created = await http.createPayment('1500', [MANUAL]);
    expect((await cancel(created.body.payment_data.payment_id)).status).toBe(200);
    const again = await cancel(created.body.payment_data.payment_id);
    expect(again.status).toBe(200);
    expect(again.body.payment_data.payment_status).toBe('UNDO_REQUEST');
  });

  it('answers 409 INVALID_STATE once a terminal has taken it, and the payment still completes', async () => {
    const created = await http.createPayment('1500', [AUTO]);
    const paymentId = created.body.payment_data.payment_id;
    await sleep(250);
    const answer = await cancel(paymentId);
    expect(answer.status).toBe(409);
    expect(answer.body.errors[0]).toMatchObject({ status: '409', code: 'INVALID_STATE' });
    expect((await http.waitPayment(paymentId, isFinal)).payment_status).toBe('CONFIRMED');
  });

  it('answers 409 on a final payment, including an UNDONE one', async () => {
    const created = await http.createPayment('1505', [AUTO]);
    const paymentId = created.body.payment_data.payment_id;
    await http.waitPayment(paymentId, isFinal);
    expect((await cancel(paymentId)).status).toBe(409);
    const other = await http.createPayment('1500', [MANUAL]);
    await cancel(other.body.payment_data.payment_id);
    await http.waitPayment(other.body.payment_data.payment_id, isFinal, 2_000);
    expect((await cancel(other.body.payment_data.payment_id)).status).toBe(409);
  });

  it('drops a cancelled intent from the terminal, so a person can no longer take it', async () => {
    const created = await http.createPayment('1500', [MANUAL]);
    const paymentId = created.body.payment_data.payment_id;
    await cancel(paymentId);
    const intents = await http.control<{ data: Array<{ id: string }> }>('GET', `/sandbox/terminals/${MANUAL}/intents`);
    expect(intents.body.data.map((i) => i.id)).not.toContain(paymentId);
    expect((await http.control('POST', `/sandbox/terminals/${MANUAL}/take`, { paymentId })).status).toBe(409);
  });

  it('answers 409 to a confirmation when the confirmation leg is off', async () => {
    const created = await http.createPayment('1500', [AUTO]);
    await http.waitPayment(created.body.payment_data.payment_id, isFinal);
    const answer = await http.api<ErrorBody>('PUT', `${PAYMENTS}/${created.body.payment_data.payment_id}/confirmations`);
    expect(answer.status).toBe(409);
  });
});

describe('sandbox confirmation leg', () => {
  let sandbox: RunningSandbox;
  let http: SandboxHttp;
  const AUTO = '38051001';

  beforeAll(async () => {
    ({ sandbox, http } = await withSandbox({ takeDelayMs: 10, confirmationRequired: true, terminals: [{ terminalId: AUTO, cuit: '30-71234567-8' }] }));
  });
  afterAll(() => sandbox.close());

  it('holds an approval in WAITING_CONFIRMATION until confirmed, then CONFIRMED', async () => {
    const created = await http.createPayment('1500', [AUTO]);
    const paymentId = created.body.payment_data.payment_id;
    const waiting = await http.waitPayment(paymentId, (d) => d.payment_status === 'WAITING_CONFIRMATION');
    expect(waiting.payment_status).toBe('WAITING_CONFIRMATION');
    const confirmed = await http.api<PaymentEnvelope>('PUT', `${PAYMENTS}/${paymentId}/confirmations`);
    expect(confirmed.status).toBe(200);
    expect(confirmed.body.payment_data.payment_status).toBe('CONFIRMED');
    expect((await http.api('PUT', `${PAYMENTS}/${paymentId}/confirmations`)).status).toBe(409);
  });

  it('does not hold a decline for confirmation', async () => {
    const created = await http.createPayment('1505', [AUTO]);
    expect((await http.waitPayment(created.body.payment_data.payment_id, isFinal)).payment_status).toBe('DECLINED');
  });
});
