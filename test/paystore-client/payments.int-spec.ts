// Contract: PaystoreClient payments against the real sandbox over HTTP, for every outcome the
// sandbox rehearses (by the amount's last two digits) and every way a create can go wrong.
import { classifyPaymentStatus, isOutcomeUnknown, PaymentEnvelope, PaystoreClient, PaystoreErrorCode } from '@app/paystore-client';
import { CUIT, eventually, Harness, OTHER_CUIT, PAYMENTS_PATH, paystoreFailure, reference, sleep, startHarness } from './sandbox.harness';

const AUTO = '38011128';
const MANUAL = '38011129';
const BROADCAST = ['38011131', '38011132', '38011133'];
const ELSEWHERE = '38019999';

let h: Harness;
let client: PaystoreClient;

beforeAll(async () => {
  h = await startHarness({ takeDelayMs: 50, slowMs: 600 });
  await h.control.registerTerminal(AUTO);
  await h.control.registerTerminal(MANUAL, { mode: 'manual' });
  for (const id of BROADCAST) await h.control.registerTerminal(id, { takeDelayMs: 80 });
  await h.control.registerTerminal(ELSEWHERE, { cuit: OTHER_CUIT });
  client = h.client();
});

afterAll(() => h.close());

function input(amount: string, terminals = [AUTO], ecr = reference()) {
  return { payment_amount: amount, ecr_transaction_id: ecr, terminals_list: terminals.map((terminal_id) => ({ terminal_id })) };
}

const statusOf = (p: PaymentEnvelope) => p.payment_data.payment_status;

function until(paymentId: string, statuses: string[], timeoutMs = 5_000): Promise<PaymentEnvelope> {
  return eventually(() => client.getPayment(CUIT, paymentId), (p) => statuses.includes(statusOf(p)), timeoutMs);
}

/** The create requests (not searches) the sandbox received for one reference. */
async function createsFor(ecr: string) {
  const posts = await h.control.requests({ method: 'POST', path: PAYMENTS_PATH });
  return posts.filter(
    (r) => r.path === PAYMENTS_PATH && (r.body as { payment_request_data?: { ecr_transaction_id?: string } } | null)?.payment_request_data?.ecr_transaction_id === ecr,
  );
}

describe('payments against the sandbox', () => {
  it('creates an intent, which a terminal takes and approves: CONFIRMED with card data', async () => {
    const created = await client.createPayment(CUIT, input('1500'));
    expect(statusOf(created)).toBe('PAYMENT_REQUEST');
    expect(created.payment_data.payment_id).toMatch(/^[0-9a-f-]{36}$/);
    const done = await until(created.payment_data.payment_id, ['CONFIRMED', 'DECLINED', 'ERROR']);
    expect(classifyPaymentStatus(statusOf(done))).toBe('approved');
    expect(done.payment_data).toMatchObject({
      terminal_id: AUTO,
      authorized_payment_amount: '1500',
      card_brand_product: 'VI',
      acquirer_id: 'PRISMA',
      payment_type: 'CREDIT',
    });
    expect(done.payment_data.authorization_code).toMatch(/^\d+$/);
    expect(done.payment_data.last_four_digits).toMatch(/^\d{4}$/);
    expect(done.payment_data.batch_number).toMatch(/^\d+$/);
  });

  it('passes through PROCESSING_PAYMENT once a terminal takes it', async () => {
    const created = await client.createPayment(CUIT, input('1508'));
    const seen = new Set<string>();
    await eventually(
      async () => {
        const p = await client.getPayment(CUIT, created.payment_data.payment_id);
        seen.add(statusOf(p));
        return p;
      },
      (p) => statusOf(p) === 'CONFIRMED',
    );
    expect([...seen]).toEqual(expect.arrayContaining(['PROCESSING_PAYMENT', 'CONFIRMED']));
  });

  it('reports a decline as a 200 with DECLINED and the acquirer message', async () => {
    const created = await client.createPayment(CUIT, input('1505'));
    const done = await until(created.payment_data.payment_id, ['CONFIRMED', 'DECLINED', 'ERROR']);
    expect(statusOf(done)).toBe('DECLINED');
    expect(classifyPaymentStatus(statusOf(done))).toBe('declined');
    expect(done.payment_data.acquirer_additional_message).toBe('DENEGADA');
  });

  it('reports a terminal error as ERROR', async () => {
    const created = await client.createPayment(CUIT, input('1506'));
    const done = await until(created.payment_data.payment_id, ['CONFIRMED', 'DECLINED', 'ERROR']);
    expect(classifyPaymentStatus(statusOf(done))).toBe('error');
  });

  it('leaves an intent nobody takes in PAYMENT_REQUEST until it is cancelled, then UNDONE', async () => {
    const created = await client.createPayment(CUIT, input('1507'));
    await sleep(300);
    const waiting = await client.getPayment(CUIT, created.payment_data.payment_id);
    expect(statusOf(waiting)).toBe('PAYMENT_REQUEST');
    const cancelling = await client.cancelPayment(CUIT, created.payment_data.payment_id);
    expect(statusOf(cancelling)).toBe('UNDO_REQUEST');
    expect(classifyPaymentStatus(statusOf(cancelling))).toBe('cancelling');
    const undone = await until(created.payment_data.payment_id, ['UNDONE']);
    expect(classifyPaymentStatus(statusOf(undone))).toBe('cancelled');
  });

  it('cancels before a terminal takes the intent, and the terminal no longer shows it', async () => {
    const created = await client.createPayment(CUIT, input('2000', [MANUAL]));
    const id = created.payment_data.payment_id;
    expect((await h.control.intents(MANUAL)).map((i) => i.id)).toContain(id);
    await client.cancelPayment(CUIT, id);
    await until(id, ['UNDONE']);
    expect((await h.control.intents(MANUAL)).map((i) => i.id)).not.toContain(id);
    const take = await h.control.take(MANUAL, id);
    expect(take.status).toBe(409);
  });

  it('refuses to cancel once a terminal took the intent (409 CONFLICT, not applied), and the payment completes', async () => {
    const created = await client.createPayment(CUIT, input('2100', [MANUAL]));
    const id = created.payment_data.payment_id;
    expect((await h.control.take(MANUAL, id)).status).toBe(200);
    expect(statusOf(await client.getPayment(CUIT, id))).toBe('PROCESSING_PAYMENT');
    const err = await paystoreFailure(client.cancelPayment(CUIT, id));
    expect(err).toMatchObject({ code: PaystoreErrorCode.Conflict, outcome: 'not_applied', httpStatus: 409, operation: 'payment.cancel' });
    expect(err.providerCode).toBe('INVALID_STATE');
    expect((await h.control.approve(MANUAL, id)).status).toBe(200);
    expect(statusOf(await client.getPayment(CUIT, id))).toBe('CONFIRMED');
  });

  it('refuses to cancel a final payment with 409', async () => {
    const created = await client.createPayment(CUIT, input('2200'));
    await until(created.payment_data.payment_id, ['CONFIRMED']);
    const err = await paystoreFailure(client.cancelPayment(CUIT, created.payment_data.payment_id));
    expect(err).toMatchObject({ code: PaystoreErrorCode.Conflict, outcome: 'not_applied' });
  });

  it('broadcasts to three terminals; exactly one takes it and the others drop it', async () => {
    const created = await client.createPayment(CUIT, input('2300', BROADCAST));
    const done = await until(created.payment_data.payment_id, ['CONFIRMED']);
    const taker = done.payment_data.terminal_id;
    expect(BROADCAST).toContain(taker);
    for (const id of BROADCAST) {
      expect((await h.control.intents(id)).map((i) => i.id)).not.toContain(created.payment_data.payment_id);
    }
  });

  it('broadcast: when one terminal takes the intent, another cannot', async () => {
    for (const id of BROADCAST) await h.control.setMode(id, { mode: 'manual' });
    try {
      const created = await client.createPayment(CUIT, input('2400', BROADCAST));
      const id = created.payment_data.payment_id;
      for (const t of BROADCAST) expect((await h.control.intents(t)).map((i) => i.id)).toContain(id);
      expect((await h.control.take(BROADCAST[1] as string, id)).status).toBe(200);
      expect((await h.control.take(BROADCAST[0] as string, id)).status).toBe(409);
      expect((await h.control.take(BROADCAST[2] as string, id)).status).toBe(409);
      expect((await h.control.approve(BROADCAST[1] as string, id)).status).toBe(200);
      const done = await client.getPayment(CUIT, id);
      expect(done.payment_data).toMatchObject({ payment_status: 'CONFIRMED', terminal_id: BROADCAST[1] });
    } finally {
      for (const id of BROADCAST) await h.control.setMode(id, { mode: 'auto' });
    }
  });

  it('a slow terminal keeps the payment PROCESSING_PAYMENT for a while, then approves', async () => {
    const created = await client.createPayment(CUIT, input('2508'));
    const id = created.payment_data.payment_id;
    await until(id, ['PROCESSING_PAYMENT']);
    await sleep(200);
    expect(statusOf(await client.getPayment(CUIT, id))).toBe('PROCESSING_PAYMENT');
    await until(id, ['CONFIRMED'], 5_000);
  });

  it('a lost create answer is TIMEOUT with an unknown outcome; the intent is then found by reference, created exactly once', async () => {
    const impatient = h.client({ createTimeoutMs: 300 });
    const ecr = reference('lost');
    const started = Date.now();
    const err = await paystoreFailure(impatient.createPayment(CUIT, input('2609', [AUTO], ecr)));
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(err).toMatchObject({ code: PaystoreErrorCode.Timeout, outcome: 'unknown', operation: 'payment.create' });
    expect(isOutcomeUnknown(err)).toBe(true);

    const found = await impatient.findPaymentByEcrTransactionId(CUIT, ecr);
    expect(found).not.toBeNull();
    expect(found?.payment_request_data?.ecr_transaction_id).toBe(ecr);
    const done = await until(found?.payment_data.payment_id as string, ['CONFIRMED']);
    expect(done.payment_data.authorized_payment_amount).toBe('2609');
    expect(await createsFor(ecr)).toHaveLength(1);
  });

  it('a 503 create is UNAVAILABLE, not applied: nothing exists for the reference, created once', async () => {
    const ecr = reference('unavailable');
    const err = await paystoreFailure(client.createPayment(CUIT, input('2610', [AUTO], ecr)));
    expect(err).toMatchObject({ code: PaystoreErrorCode.Unavailable, outcome: 'not_applied', httpStatus: 503 });
    expect(isOutcomeUnknown(err)).toBe(false);
    expect(await client.findPaymentByEcrTransactionId(CUIT, ecr)).toBeNull();
    expect(await createsFor(ecr)).toHaveLength(1);
  });

  it('pays by QR: the wallet pays, with a QR card type and code', async () => {
    const created = await client.createPayment(CUIT, { ...input('2700'), terminal_operation_method: 'QR_CODE' });
    const done = await until(created.payment_data.payment_id, ['CONFIRMED']);
    expect(done.payment_data.card_type).toBe('QR_CODE');
    expect(done.payment_data.qr_code_id).toEqual(expect.any(String));
  });

  it('charges AMEX when the request asks for it', async () => {
    const created = await client.createPayment(CUIT, { ...input('2800'), card_brand_product: 'AM' });
    const done = await until(created.payment_data.payment_id, ['CONFIRMED']);
    expect(done.payment_data).toMatchObject({ card_brand_product: 'AM', acquirer_id: 'AMEX' });
  });

  it('sends installments and plan as given', async () => {
    const created = await client.createPayment(CUIT, { ...input('2900'), installments_number: 6, payment_plan_id: '16' });
    expect(created.payment_request_data).toMatchObject({ installments_number: 6, payment_plan_id: '16' });
  });

  it('answers 400 BAD_REQUEST (not applied) for an unknown terminal or one of another merchant', async () => {
    for (const terminal of ['38000000', ELSEWHERE]) {
      const err = await paystoreFailure(client.createPayment(CUIT, input('3000', [terminal])));
      expect(err).toMatchObject({ code: PaystoreErrorCode.BadRequest, outcome: 'not_applied', httpStatus: 400 });
      expect(err.providerCode).toBe('TERMINAL_NOT_FOUND');
    }
  });

  it('answers 404 NOT_FOUND for a payment that does not exist, and for one of another merchant', async () => {
    const err = await paystoreFailure(client.getPayment(CUIT, '00000000-0000-4000-8000-000000000000'));
    expect(err).toMatchObject({ code: PaystoreErrorCode.NotFound, outcome: 'not_applied', httpStatus: 404 });
    const mine = await client.createPayment(CUIT, input('3100'));
    const foreign = await paystoreFailure(client.getPayment(OTHER_CUIT, mine.payment_data.payment_id));
    expect(foreign.code).toBe(PaystoreErrorCode.NotFound);
  });

  it('searches by reference, status and date, with pages, oldest first', async () => {
    const ecr = reference('search');
    const before = new Date();
    const a = await client.createPayment(CUIT, input('3205', [AUTO], ecr));
    const b = await client.createPayment(CUIT, input('3200', [AUTO], `${ecr}-b`));
    await until(a.payment_data.payment_id, ['DECLINED']);
    await until(b.payment_data.payment_id, ['CONFIRMED']);

    const byRef = await client.searchPayments(CUIT, { ecrTransactionId: ecr });
    expect(byRef.payments.map((p) => p.payment_data.payment_id)).toEqual([a.payment_data.payment_id]);
    expect(byRef.total).toBe(1);

    const declined = await client.searchPayments(CUIT, { statuses: ['DECLINED'], from: before, pageSize: 200 });
    expect(declined.payments.every((p) => p.payment_data.payment_status === 'DECLINED')).toBe(true);
    expect(declined.payments.map((p) => p.payment_data.payment_id)).toContain(a.payment_data.payment_id);

    const recent = await client.searchPayments(CUIT, { from: before, to: new Date(Date.now() + 1_000), page: 1, pageSize: 1 });
    expect(recent.pageSize).toBe(1);
    expect(recent.payments).toHaveLength(1);
    expect(recent.total).toBeGreaterThanOrEqual(2);
    const page2 = await client.searchPayments(CUIT, { from: before, page: 2, pageSize: 1 });
    expect(page2.page).toBe(2);
    expect(recent.payments[0]?.payment_data.payment_id).toBe(a.payment_data.payment_id);
    expect(page2.payments[0]?.payment_data.payment_id).toBe(b.payment_data.payment_id);

    const none = await client.searchPayments(CUIT, { from: new Date(Date.now() + 60_000) });
    expect(none).toMatchObject({ payments: [], total: 0 });
  });

  it('finds the payment by reference after the fact', async () => {
    const ecr = reference('find');
    const created = await client.createPayment(CUIT, input('3300', [AUTO], ecr));
    const found = await client.findPaymentByEcrTransactionId(CUIT, ecr);
    expect(found?.payment_data.payment_id).toBe(created.payment_data.payment_id);
    expect(await client.findPaymentByEcrTransactionId(CUIT, reference('missing'))).toBeNull();
  });

  it('keeps every breaker closed through declines, errors, 400s, 404s and 409s', () => {
    expect(new Set(Object.values(client.breakerStates()))).toEqual(new Set(['closed']));
  });
});

describe('payments with the confirmation leg switched on', () => {
  let hc: Harness;
  let c: PaystoreClient;

  beforeAll(async () => {
    hc = await startHarness({ takeDelayMs: 30, confirmationRequired: true });
    await hc.control.registerTerminal(AUTO);
    c = hc.client();
  });

  afterAll(() => hc.close());

  it('waits in WAITING_CONFIRMATION until confirmed, then CONFIRMED', async () => {
    const created = await c.createPayment(CUIT, input('4000'));
    const id = created.payment_data.payment_id;
    const waiting = await eventually(() => c.getPayment(CUIT, id), (p) => statusOf(p) === 'WAITING_CONFIRMATION');
    expect(classifyPaymentStatus(statusOf(waiting))).toBe('processing');
    const confirmed = await c.confirmPayment(CUIT, id);
    expect(['CONFIRM_REQUEST', 'PROCESSING_CONFIRMATION', 'CONFIRMED']).toContain(statusOf(confirmed));
    await eventually(() => c.getPayment(CUIT, id), (p) => statusOf(p) === 'CONFIRMED');
  });

  it('refuses to confirm a payment that is not waiting for it (409)', async () => {
    const created = await c.createPayment(CUIT, input('4100'));
    const err = await paystoreFailure(c.confirmPayment(CUIT, created.payment_data.payment_id));
    expect(err).toMatchObject({ code: PaystoreErrorCode.Conflict, outcome: 'not_applied', operation: 'payment.confirm' });
  });
});
