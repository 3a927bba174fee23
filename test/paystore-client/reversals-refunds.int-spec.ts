// Contract: reversals (referenced, keyed by the payment id; non-AMEX) and refunds (unreferenced,
// AMEX only) through PaystoreClient against the sandbox over HTTP.
import {
  classifyRefundStatus,
  classifyReversalStatus,
  isOutcomeUnknown,
  mapRefund,
  PaymentEnvelope,
  PaystoreClient,
  PaystoreErrorCode,
  RefundEnvelope,
  refundRefusedForBrand,
  ReversalEnvelope,
} from '@app/paystore-client';
import { CUIT, eventually, Harness, paystoreFailure, reference, REFUNDS_PATH, REVERSALS_PATH, sleep, startHarness } from './sandbox.harness';

const AUTO = '38014001';
const MANUAL = '38014002';

let h: Harness;
let client: PaystoreClient;

beforeAll(async () => {
  h = await startHarness({ takeDelayMs: 40 });
  await h.control.registerTerminal(AUTO);
  await h.control.registerTerminal(MANUAL, { mode: 'manual' });
  client = h.client();
});

afterAll(() => h.close());

const onAuto = [{ terminal_id: AUTO }];

/** The creates the sandbox received under `path` for one reference (the client never sends one twice). */
async function createsFor(path: string, ecr: string, key: 'refund' | 'reversal'): Promise<number> {
  const posts = await h.control.requests({ method: 'POST', path });
  return posts.filter((r) => {
    const body = r.body as { ecr_transaction_id?: string; reversal_request_data?: { ecr_transaction_id?: string } } | null;
    return r.path === path && (key === 'refund' ? body?.ecr_transaction_id : body?.reversal_request_data?.ecr_transaction_id) === ecr;
  }).length;
}

async function paid(amount: string, extra: { card_brand_product?: 'AM' | 'VI' } = {}, finalStatus = 'CONFIRMED'): Promise<PaymentEnvelope> {
  const created = await client.createPayment(CUIT, { payment_amount: amount, ecr_transaction_id: reference('pay'), terminals_list: onAuto, ...extra });
  return eventually(() => client.getPayment(CUIT, created.payment_data.payment_id), (p) => p.payment_data.payment_status === finalStatus);
}

function reversalUntil(paymentId: string, statuses: string[]): Promise<ReversalEnvelope> {
  return eventually(() => client.getReversal(CUIT, paymentId), (r) => statuses.includes(r.reversal_data.reversal_status));
}

function refundUntil(refundId: string, statuses: string[]): Promise<RefundEnvelope> {
  return eventually(() => client.getRefund(CUIT, refundId), (r) => statuses.includes(r.refund_data.refund_status));
}

describe('reversals against the sandbox', () => {
  it('reverses a CONFIRMED Visa payment: REVERSAL_REQUEST, then REVERSED, keyed by the payment id', async () => {
    const payment = await paid('5000');
    const id = payment.payment_data.payment_id;
    const ecr = reference('rev');
    const created = await client.createReversal(CUIT, { payment_id: id, ecr_transaction_id: ecr, terminals_list: onAuto });
    expect(created.reversal_data).toMatchObject({ payment_id: id, reversal_status: 'REVERSAL_REQUEST' });
    expect(created.reversal_request_data?.ecr_transaction_id).toBe(ecr);
    const done = await reversalUntil(id, ['REVERSED', 'REVERSAL_DECLINED', 'REVERSAL_ERROR']);
    expect(classifyReversalStatus(done.reversal_data.reversal_status)).toBe('approved');
    expect(done.reversal_data.payment_data?.payment_id).toBe(id);

    const found = await client.findReversalByEcrTransactionId(CUIT, ecr);
    expect(found?.reversal_data.payment_id).toBe(id);
    const listed = await client.listReversals(CUIT, { ecrTransactionId: ecr });
    expect(listed).toMatchObject({ total: 1, page: 1 });
    expect(listed.reversals[0]?.reversal_data.payment_id).toBe(id);
  });

  it('refuses a second reversal of the same payment (409 ALREADY_REVERSED)', async () => {
    const payment = await paid('5100');
    const id = payment.payment_data.payment_id;
    await client.createReversal(CUIT, { payment_id: id, ecr_transaction_id: reference('rev'), terminals_list: onAuto });
    const err = await paystoreFailure(client.createReversal(CUIT, { payment_id: id, ecr_transaction_id: reference('rev'), terminals_list: onAuto }));
    expect(err).toMatchObject({ code: PaystoreErrorCode.Conflict, outcome: 'not_applied', operation: 'reversal.create' });
    expect(err.providerCode).toBe('ALREADY_REVERSED');
  });

  it('refuses to reverse an AMEX payment (400 BRAND_NOT_ALLOWED): AMEX goes through refunds', async () => {
    const payment = await paid('5200', { card_brand_product: 'AM' });
    const err = await paystoreFailure(
      client.createReversal(CUIT, { payment_id: payment.payment_data.payment_id, ecr_transaction_id: reference('rev'), terminals_list: onAuto }),
    );
    expect(err).toMatchObject({ code: PaystoreErrorCode.BadRequest, outcome: 'not_applied', httpStatus: 400 });
    expect(err.providerCode).toBe('BRAND_NOT_ALLOWED');
  });

  it('refuses to reverse a declined payment (409 INVALID_STATE)', async () => {
    const payment = await paid('5305', {}, 'DECLINED');
    const err = await paystoreFailure(
      client.createReversal(CUIT, { payment_id: payment.payment_data.payment_id, ecr_transaction_id: reference('rev'), terminals_list: onAuto }),
    );
    expect(err).toMatchObject({ code: PaystoreErrorCode.Conflict, outcome: 'not_applied' });
    expect(err.providerCode).toBe('INVALID_STATE');
  });

  it('answers 404 for a reversal of an unknown payment', async () => {
    const err = await paystoreFailure(
      client.createReversal(CUIT, { payment_id: '00000000-0000-4000-8000-000000000000', ecr_transaction_id: reference('rev'), terminals_list: onAuto }),
    );
    expect(err).toMatchObject({ code: PaystoreErrorCode.NotFound, outcome: 'not_applied' });
    expect((await paystoreFailure(client.getReversal(CUIT, '00000000-0000-4000-8000-000000000000'))).code).toBe(PaystoreErrorCode.NotFound);
  });

  it('reports declined and failed reversals', async () => {
    const declined = await paid('5415');
    await client.createReversal(CUIT, { payment_id: declined.payment_data.payment_id, ecr_transaction_id: reference('rev'), terminals_list: onAuto });
    const d = await reversalUntil(declined.payment_data.payment_id, ['REVERSED', 'REVERSAL_DECLINED', 'REVERSAL_ERROR']);
    expect(classifyReversalStatus(d.reversal_data.reversal_status)).toBe('declined');

    const failed = await paid('5416');
    await client.createReversal(CUIT, { payment_id: failed.payment_data.payment_id, ecr_transaction_id: reference('rev'), terminals_list: onAuto });
    const f = await reversalUntil(failed.payment_data.payment_id, ['REVERSED', 'REVERSAL_DECLINED', 'REVERSAL_ERROR']);
    expect(classifyReversalStatus(f.reversal_data.reversal_status)).toBe('error');
  });

  it('cancels a reversal nobody took: UNDO_REVERSAL_REQUEST, then REVERSAL_UNDONE; the payment stays reversible', async () => {
    const payment = await paid('5517');
    const id = payment.payment_data.payment_id;
    await client.createReversal(CUIT, { payment_id: id, ecr_transaction_id: reference('rev'), terminals_list: onAuto });
    await sleep(200);
    expect((await client.getReversal(CUIT, id)).reversal_data.reversal_status).toBe('REVERSAL_REQUEST');
    const cancelling = await client.cancelReversal(CUIT, id);
    expect(classifyReversalStatus(cancelling.reversal_data.reversal_status)).toBe('cancelling');
    const undone = await reversalUntil(id, ['REVERSAL_UNDONE']);
    expect(classifyReversalStatus(undone.reversal_data.reversal_status)).toBe('cancelled');
  });

  it('refuses to cancel a reversal a terminal already took (409)', async () => {
    const payment = await paid('5600');
    const id = payment.payment_data.payment_id;
    await client.createReversal(CUIT, { payment_id: id, ecr_transaction_id: reference('rev'), terminals_list: [{ terminal_id: MANUAL }] });
    expect((await h.control.take(MANUAL, id)).status).toBe(200);
    const err = await paystoreFailure(client.cancelReversal(CUIT, id));
    expect(err).toMatchObject({ code: PaystoreErrorCode.Conflict, outcome: 'not_applied', operation: 'reversal.cancel' });
  });

  it('a lost create answer is TIMEOUT with an unknown outcome, never sent again; the reversal is found by reference', async () => {
    const payment = await paid('5900');
    const id = payment.payment_data.payment_id;
    const ecr = reference('rev-lost');
    const impatient = h.client({ createTimeoutMs: 300 });
    // The sandbox holds the answer past the client's patience, then handles the request anyway.
    await h.control.addFault({ match: { method: 'POST', path: REVERSALS_PATH }, latencyMs: 900 });
    try {
      const started = Date.now();
      const err = await paystoreFailure(impatient.createReversal(CUIT, { payment_id: id, ecr_transaction_id: ecr, terminals_list: onAuto }));
      expect(Date.now() - started).toBeLessThan(900);
      expect(err).toMatchObject({ code: PaystoreErrorCode.Timeout, outcome: 'unknown', operation: 'reversal.create' });
      expect(isOutcomeUnknown(err)).toBe(true);
    } finally {
      await h.control.clearFaults();
    }
    const found = await eventually(() => impatient.findReversalByEcrTransactionId(CUIT, ecr), (r) => r !== null);
    expect(found?.reversal_data.payment_id).toBe(id);
    expect(classifyReversalStatus((await reversalUntil(id, ['REVERSED'])).reversal_data.reversal_status)).toBe('approved');
    expect(await createsFor(REVERSALS_PATH, ecr, 'reversal')).toBe(1);
  });

  it('lists reversals by status and page', async () => {
    const from = new Date();
    const payment = await paid('5800');
    await client.createReversal(CUIT, { payment_id: payment.payment_data.payment_id, ecr_transaction_id: reference('rev'), terminals_list: onAuto });
    await reversalUntil(payment.payment_data.payment_id, ['REVERSED']);
    const reversed = await client.listReversals(CUIT, { statuses: ['REVERSED'], from, page: 1, pageSize: 10 });
    expect(reversed.pageSize).toBe(10);
    expect(reversed.reversals.map((r) => r.reversal_data.payment_id)).toEqual([payment.payment_data.payment_id]);
    const none = await client.listReversals(CUIT, { statuses: ['REVERSAL_DECLINED'], from });
    expect(none).toMatchObject({ reversals: [], total: 0 });
  });
});

describe('AMEX refunds against the sandbox', () => {
  it('refunds an amount to an AMEX card: REFUND_REQUEST, then CONFIRMED', async () => {
    const ecr = reference('ref');
    const created = await client.createRefund(CUIT, { refund_amount: '7000', ecr_transaction_id: ecr, terminals_list: onAuto });
    expect(created.refund_data.refund_status).toBe('REFUND_REQUEST');
    expect(created.refund_data.refund_id).toMatch(/^[0-9a-f-]{36}$/);
    const done = await refundUntil(created.refund_data.refund_id, ['CONFIRMED', 'DECLINED', 'ERROR']);
    expect(classifyRefundStatus(done.refund_data.refund_status)).toBe('approved');
    expect(done.refund_data).toMatchObject({ terminal_id: AUTO, card_brand_product: 'AM', acquirer_id: 'AMEX' });

    expect((await client.findRefundByEcrTransactionId(CUIT, ecr))?.refund_data.refund_id).toBe(created.refund_data.refund_id);
    const listed = await client.listRefunds(CUIT, { ecrTransactionId: ecr, statuses: ['CONFIRMED'] });
    expect(listed.refunds.map((r) => r.refund_data.refund_id)).toEqual([created.refund_data.refund_id]);
  });

  it('refuses a refund for another brand (400 BRAND_NOT_ALLOWED)', async () => {
    const err = await paystoreFailure(
      client.createRefund(CUIT, { refund_amount: '7100', ecr_transaction_id: reference('ref'), terminals_list: onAuto, card_brand_product: 'VI' }),
    );
    expect(err).toMatchObject({ code: PaystoreErrorCode.BadRequest, outcome: 'not_applied', operation: 'refund.create' });
    expect(err.providerCode).toBe('BRAND_NOT_ALLOWED');
  });

  it('reports a declined refund', async () => {
    const created = await client.createRefund(CUIT, { refund_amount: '7205', ecr_transaction_id: reference('ref'), terminals_list: onAuto });
    const done = await refundUntil(created.refund_data.refund_id, ['CONFIRMED', 'DECLINED', 'ERROR']);
    expect(classifyRefundStatus(done.refund_data.refund_status)).toBe('declined');
  });

  it('cancels a refund before a terminal takes it: UNDO_REQUEST, then UNDONE', async () => {
    const created = await client.createRefund(CUIT, { refund_amount: '7300', ecr_transaction_id: reference('ref'), terminals_list: [{ terminal_id: MANUAL }] });
    const cancelling = await client.cancelRefund(CUIT, created.refund_data.refund_id);
    expect(cancelling.refund_data.refund_status).toBe('UNDO_REQUEST');
    const undone = await refundUntil(created.refund_data.refund_id, ['UNDONE']);
    expect(classifyRefundStatus(undone.refund_data.refund_status)).toBe('cancelled');
  });

  it('refuses to cancel a refund a terminal took (409), and a manual approve completes it', async () => {
    const created = await client.createRefund(CUIT, { refund_amount: '7400', ecr_transaction_id: reference('ref'), terminals_list: [{ terminal_id: MANUAL }] });
    const id = created.refund_data.refund_id;
    expect((await h.control.take(MANUAL, id)).status).toBe(200);
    expect((await client.getRefund(CUIT, id)).refund_data.refund_status).toBe('PROCESSING_REFUND');
    const err = await paystoreFailure(client.cancelRefund(CUIT, id));
    expect(err).toMatchObject({ code: PaystoreErrorCode.Conflict, outcome: 'not_applied' });
    expect((await h.control.approve(MANUAL, id)).status).toBe(200);
    expect((await client.getRefund(CUIT, id)).refund_data.refund_status).toBe('CONFIRMED');
  });

  it('a slow terminal keeps the refund PROCESSING_REFUND for a while, then confirms it', async () => {
    const created = await client.createRefund(CUIT, { refund_amount: '7508', ecr_transaction_id: reference('ref'), terminals_list: onAuto });
    const id = created.refund_data.refund_id;
    await refundUntil(id, ['PROCESSING_REFUND']);
    await sleep(200);
    const processing = await client.getRefund(CUIT, id);
    expect(processing.refund_data.refund_status).toBe('PROCESSING_REFUND');
    expect(classifyRefundStatus(processing.refund_data.refund_status)).toBe('processing');
    expect(classifyRefundStatus((await refundUntil(id, ['CONFIRMED', 'DECLINED', 'ERROR'])).refund_data.refund_status)).toBe('approved');
  });

  it('a lost create answer is TIMEOUT with an unknown outcome, never sent again; the refund is found by reference', async () => {
    const impatient = h.client({ createTimeoutMs: 300 });
    const ecr = reference('ref-lost');
    const started = Date.now();
    const err = await paystoreFailure(impatient.createRefund(CUIT, { refund_amount: '7609', ecr_transaction_id: ecr, terminals_list: onAuto }));
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(err).toMatchObject({ code: PaystoreErrorCode.Timeout, outcome: 'unknown', operation: 'refund.create' });
    expect(isOutcomeUnknown(err)).toBe(true);

    const found = await impatient.findRefundByEcrTransactionId(CUIT, ecr);
    expect(found?.refund_request_data?.ecr_transaction_id).toBe(ecr);
    const done = await refundUntil(found?.refund_data.refund_id as string, ['CONFIRMED', 'DECLINED', 'ERROR']);
    expect(classifyRefundStatus(done.refund_data.refund_status)).toBe('approved');
    expect(await createsFor(REFUNDS_PATH, ecr, 'refund')).toBe(1);
  });

  it('a 503 create is UNAVAILABLE, not applied: nothing exists for the reference, sent once', async () => {
    const ecr = reference('ref-503');
    const err = await paystoreFailure(client.createRefund(CUIT, { refund_amount: '7710', ecr_transaction_id: ecr, terminals_list: onAuto }));
    expect(err).toMatchObject({ code: PaystoreErrorCode.Unavailable, outcome: 'not_applied', httpStatus: 503, operation: 'refund.create' });
    expect(isOutcomeUnknown(err)).toBe(false);
    expect(await client.findRefundByEcrTransactionId(CUIT, ecr)).toBeNull();
    expect(await createsFor(REFUNDS_PATH, ecr, 'refund')).toBe(1);
  });

  it('leaves a refund no terminal takes in REFUND_REQUEST until it is cancelled, then UNDONE', async () => {
    const created = await client.createRefund(CUIT, { refund_amount: '7807', ecr_transaction_id: reference('ref'), terminals_list: onAuto });
    const id = created.refund_data.refund_id;
    await sleep(300);
    const waiting = await client.getRefund(CUIT, id);
    expect(waiting.refund_data.refund_status).toBe('REFUND_REQUEST');
    expect(classifyRefundStatus(waiting.refund_data.refund_status)).toBe('requested');
    expect(classifyRefundStatus((await client.cancelRefund(CUIT, id)).refund_data.refund_status)).toBe('cancelling');
    expect(classifyRefundStatus((await refundUntil(id, ['UNDONE'])).refund_data.refund_status)).toBe('cancelled');
  });

  it('reads a card that is not AMEX, refused at the terminal, as a brand refusal: REFUND.BRAND_NOT_ALLOWED', async () => {
    const created = await client.createRefund(CUIT, { refund_amount: '7900', ecr_transaction_id: reference('ref'), terminals_list: [{ terminal_id: MANUAL }] });
    const id = created.refund_data.refund_id;
    expect((await h.control.approve(MANUAL, id, { brand: 'VI' })).status).toBe(200);
    const done = await client.getRefund(CUIT, id);
    expect(done.refund_data).toMatchObject({ refund_status: 'DECLINED', card_brand_product: 'VI', error: { code: 'BRAND_NOT_ALLOWED' } });
    expect(refundRefusedForBrand(done.refund_data)).toBe(true);
    const codes = { declined: 'REFUND.DECLINED', brandNotAllowed: 'REFUND.BRAND_NOT_ALLOWED' } as const;
    expect(mapRefund(done.refund_data, null, codes)).toMatchObject({ status: 'rejected', result: { failure: { code: 'REFUND.BRAND_NOT_ALLOWED' } } });

    // An AMEX card the acquirer declines is a plain decline.
    const declined = await client.createRefund(CUIT, { refund_amount: '7905', ecr_transaction_id: reference('ref'), terminals_list: onAuto });
    const plain = await refundUntil(declined.refund_data.refund_id, ['CONFIRMED', 'DECLINED', 'ERROR']);
    expect(plain.refund_data).toMatchObject({ refund_status: 'DECLINED', card_brand_product: 'AM', error: null });
    expect(refundRefusedForBrand(plain.refund_data)).toBe(false);
    expect(mapRefund(plain.refund_data, null, codes).result.failure?.code).toBe('REFUND.DECLINED');
  });

  it('answers 404 for an unknown refund', async () => {
    const err = await paystoreFailure(client.getRefund(CUIT, '00000000-0000-4000-8000-000000000000'));
    expect(err).toMatchObject({ code: PaystoreErrorCode.NotFound, outcome: 'not_applied' });
  });
});
