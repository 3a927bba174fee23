import type { RunningSandbox } from '../../apps/sandbox/src/sandbox.app';
import {
  ecrId,
  isFinal,
  REFUNDS,
  REVERSALS,
  sleep,
  SUBNET,
  withSandbox,
  type ErrorBody,
  type RefundEnvelope,
  type ReversalEnvelope,
  type SandboxHttp,
} from './sandbox-http';

const T1 = '38060001';
const MANUAL = '38060002';

describe('sandbox reversals', () => {
  let sandbox: RunningSandbox;
  let http: SandboxHttp;

  beforeAll(async () => {
    ({ sandbox, http } = await withSandbox({ takeDelayMs: 15 }));
    await http.terminal(T1);
    await http.terminal(MANUAL, undefined, { mode: 'manual' });
  });
  afterAll(() => sandbox.close());

  async function confirmedPayment(amount: string, extra: Record<string, unknown> = {}): Promise<string> {
    const created = await http.createPayment(amount, [T1], extra);
    const data = await http.waitPayment(created.body.payment_data.payment_id, isFinal);
    return data.payment_id;
  }

  function reverse(paymentId: string, terminals: string[] = [T1]) {
    return http.api<ReversalEnvelope & ErrorBody>('POST', REVERSALS, {
      subnet: false,
      body: {
        reversal_request_data: {
          subnet_acquirer_id: SUBNET,
          payment_id: paymentId,
          ecr_transaction_id: ecrId('rev'),
          terminal_menu_text: 'Anulación',
          print_copies: 'BOTH',
          terminals_list: terminals.map((terminal_id) => ({ terminal_id })),
        },
      },
    });
  }

  async function waitReversal(paymentId: string, done: (status: string) => boolean): Promise<ReversalEnvelope['reversal_data']> {
    const deadline = Date.now() + 3_000;
    for (;;) {
      const result = await http.api<ReversalEnvelope>('GET', `${REVERSALS}/${paymentId}`);
      if (done(result.body.reversal_data.reversal_status) || Date.now() > deadline) return result.body.reversal_data;
      await sleep(20);
    }
  }

  const final = (s: string) => ['REVERSED', 'REVERSAL_DECLINED', 'REVERSAL_ERROR', 'REVERSAL_UNDONE'].includes(s);

  it('reverses a confirmed payment; the payment itself stays CONFIRMED', async () => {
    const paymentId = await confirmedPayment('1500');
    const created = await reverse(paymentId);
    expect(created.status).toBe(200);
    expect(created.body.reversal_data).toMatchObject({ payment_id: paymentId, reversal_status: 'REVERSAL_REQUEST' });
    expect(created.body.reversal_data.payment_data.payment_status).toBe('CONFIRMED');
    const done = await waitReversal(paymentId, final);
    expect(done).toMatchObject({ reversal_status: 'REVERSED', terminal_id: T1, batch_number: '1' });
    expect((await http.getPayment(paymentId)).payment_data.payment_status).toBe('CONFIRMED');
  });

  it('answers 409 ALREADY_REVERSED on a second reversal, pending or done', async () => {
    const paymentId = await confirmedPayment('1500');
    expect((await reverse(paymentId)).status).toBe(200);
    const pending = await reverse(paymentId);
    expect(pending.status).toBe(409);
    expect(pending.body.errors[0]).toMatchObject({ status: '409', code: 'ALREADY_REVERSED' });
    await waitReversal(paymentId, final);
    expect((await reverse(paymentId)).body.errors[0].code).toBe('ALREADY_REVERSED');
  });

  it('answers 409 INVALID_STATE for a declined payment and 404 for an unknown one', async () => {
    const declined = await confirmedPayment('1505');
    const answer = await reverse(declined);
    expect(answer.status).toBe(409);
    expect(answer.body.errors[0].code).toBe('INVALID_STATE');
    expect((await reverse('no-such-payment')).status).toBe(404);
  });

  it('answers 400 BRAND_NOT_ALLOWED for an AMEX payment (AMEX goes through refunds)', async () => {
    const amex = await confirmedPayment('1500', { card_brand_product: 'AM' });
    const answer = await reverse(amex);
    expect(answer.status).toBe(400);
    expect(answer.body.errors[0].code).toBe('BRAND_NOT_ALLOWED');
  });

  it('follows the original amount: 15 declined, 16 error, 17 never taken', async () => {
    const [p15, p16, p17] = [await confirmedPayment('1515'), await confirmedPayment('1516'), await confirmedPayment('1517')];
    for (const id of [p15, p16, p17]) expect((await reverse(id)).status).toBe(200);
    expect((await waitReversal(p15, final)).reversal_status).toBe('REVERSAL_DECLINED');
    expect((await waitReversal(p16, final)).reversal_status).toBe('REVERSAL_ERROR');
    await sleep(150);
    expect((await waitReversal(p17, () => true)).reversal_status).toBe('REVERSAL_REQUEST');
  });

  it('allows a new reversal after a declined one', async () => {
    const paymentId = await confirmedPayment('1515');
    await reverse(paymentId);
    await waitReversal(paymentId, final);
    expect((await reverse(paymentId)).status).toBe(200);
  });

  it('cancels a reversal before a terminal takes it: UNDO_REVERSAL_REQUEST, then REVERSAL_UNDONE; 409 after', async () => {
    const paymentId = await confirmedPayment('1517');
    await reverse(paymentId);
    const cancel = await http.api<ReversalEnvelope>('PUT', `${REVERSALS}/${paymentId}/cancellations`);
    expect(cancel.status).toBe(200);
    expect(cancel.body.reversal_data.reversal_status).toBe('UNDO_REVERSAL_REQUEST');
    expect((await waitReversal(paymentId, final)).reversal_status).toBe('REVERSAL_UNDONE');
    expect((await http.api('PUT', `${REVERSALS}/${paymentId}/cancellations`)).status).toBe(409);
  });

  it('is taken by a manual terminal through the POS buttons', async () => {
    const paymentId = await confirmedPayment('1500');
    await reverse(paymentId, [MANUAL]);
    const intents = await http.control<{ data: Array<{ id: string; kind: string }> }>('GET', `/sandbox/terminals/${MANUAL}/intents`);
    expect(intents.body.data).toEqual([expect.objectContaining({ id: paymentId, kind: 'reversal' })]);
    expect((await http.control('POST', `/sandbox/terminals/${MANUAL}/approve`, { paymentId })).status).toBe(200);
    expect((await waitReversal(paymentId, final)).reversal_status).toBe('REVERSED');
  });

  it('lists reversals by reference and status', async () => {
    const paymentId = await confirmedPayment('1500');
    const created = await reverse(paymentId);
    const ecr = created.body.reversal_request_data.ecr_transaction_id as string;
    await waitReversal(paymentId, final);
    const byRef = await http.api<{ reversals: ReversalEnvelope[]; total: number }>('GET', REVERSALS, { query: { ecr_transaction_id: ecr } });
    expect(byRef.body.total).toBe(1);
    expect(byRef.body.reversals[0].reversal_data.payment_id).toBe(paymentId);
    const reversed = await http.api<{ reversals: ReversalEnvelope[] }>('GET', REVERSALS, { query: { status: 'REVERSED', page_size: '200' } });
    expect(reversed.body.reversals.every((r) => r.reversal_data.reversal_status === 'REVERSED')).toBe(true);
    expect((await http.api('GET', REVERSALS, { query: { status: 'DONE' } })).status).toBe(400);
  });
});

describe('sandbox refunds', () => {
  let sandbox: RunningSandbox;
  let http: SandboxHttp;

  beforeAll(async () => {
    ({ sandbox, http } = await withSandbox({ takeDelayMs: 15, terminals: [{ terminalId: T1, cuit: '30-71234567-8' }] }));
  });
  afterAll(() => sandbox.close());

  /** `brand` null leaves card_brand_product out of the body. */
  function refund(amount: string, brand: string | null = 'AM', terminal = T1) {
    return http.api<RefundEnvelope & ErrorBody>('POST', REFUNDS, {
      subnet: false,
      body: {
        subnet_acquirer_id: SUBNET,
        refund_amount: amount,
        terminal_menu_text: 'Devolución',
        ecr_provider: 'ecr-bridge',
        ecr_name: 'tests',
        ecr_version: '1.0.0',
        ecr_transaction_id: ecrId('ref'),
        print_copies: 'BOTH',
        terminals_list: [{ terminal_id: terminal }],
        ...(brand === null ? {} : { card_brand_product: brand }),
      },
    });
  }

  async function waitRefund(refundId: string): Promise<RefundEnvelope['refund_data']> {
    const deadline = Date.now() + 3_000;
    for (;;) {
      const result = await http.api<RefundEnvelope>('GET', `${REFUNDS}/${refundId}`);
      const status = result.body.refund_data.refund_status;
      if (['CONFIRMED', 'DECLINED', 'ERROR', 'UNDONE'].includes(status) || Date.now() > deadline) return result.body.refund_data;
      await sleep(20);
    }
  }

  it('refunds AMEX: CONFIRMED with AMEX card data and a batch', async () => {
    const created = await refund('2500');
    expect(created.status).toBe(200);
    expect(created.body.refund_data.refund_status).toBe('REFUND_REQUEST');
    const done = await waitRefund(created.body.refund_data.refund_id);
    expect(done).toMatchObject({ refund_status: 'CONFIRMED', card_brand_product: 'AM', acquirer_id: 'AMEX', terminal_id: T1, batch_number: '1' });
    expect(done.bin).toMatch(/^3[47]\d{4}$/);
  });

  it('answers 400 BRAND_NOT_ALLOWED for a non-AMEX refund and 400 when the brand is missing', async () => {
    const visa = await refund('2500', 'VI');
    expect(visa.status).toBe(400);
    expect(visa.body.errors[0].code).toBe('BRAND_NOT_ALLOWED');
    const missing = await refund('2500', null);
    expect(missing.status).toBe(400);
    expect(missing.body.errors[0].code).toBe('BAD_REQUEST');
  });

  it('answers 400 for a numeric refund amount', async () => {
    expect((await refund(2500 as unknown as string)).status).toBe(400);
  });

  it('follows the amount table on refund_amount', async () => {
    const declined = await refund('2505');
    expect((await waitRefund(declined.body.refund_data.refund_id)).refund_status).toBe('DECLINED');
    const failed = await refund('2506');
    expect((await waitRefund(failed.body.refund_data.refund_id)).refund_status).toBe('ERROR');
    const unavailable = await refund('2510');
    expect(unavailable.status).toBe(503);
  });

  it('cancels a refund nobody takes: UNDO_REQUEST, then UNDONE', async () => {
    const created = await refund('2507');
    const refundId = created.body.refund_data.refund_id;
    const cancel = await http.api<RefundEnvelope>('PUT', `${REFUNDS}/${refundId}/cancellations`);
    expect(cancel.body.refund_data.refund_status).toBe('UNDO_REQUEST');
    expect((await waitRefund(refundId)).refund_status).toBe('UNDONE');
  });

  describe('at a terminal run by a person', () => {
    const PERSON = '38060003';

    beforeAll(async () => {
      await http.terminal(PERSON, '30-71234567-8', { mode: 'manual' });
    });

    async function finishedBy(action: 'approve' | 'decline', brand?: string): Promise<RefundEnvelope['refund_data']> {
      const created = await refund('2700', 'AM', PERSON);
      const refundId = created.body.refund_data.refund_id;
      expect((await http.control('POST', `/sandbox/terminals/${PERSON}/${action}`, { paymentId: refundId, ...(brand ? { brand } : {}) })).status).toBe(200);
      return waitRefund(refundId);
    }

    it('refuses a card that is not AMEX: DECLINED with the card presented and error BRAND_NOT_ALLOWED, even on approve', async () => {
      const done = await finishedBy('approve', 'VI');
      expect(done).toMatchObject({
        refund_status: 'DECLINED',
        card_brand_product: 'VI',
        acquirer_id: 'PRISMA',
        acquirer_response_code: '57',
        authorization_code: null,
        error: { code: 'BRAND_NOT_ALLOWED' },
      });
      expect(await finishedBy('decline', 'MC')).toMatchObject({ refund_status: 'DECLINED', card_brand_product: 'MC', error: { code: 'BRAND_NOT_ALLOWED' } });
    });

    it('declines an AMEX card with DENEGADA and no error, and approves one', async () => {
      expect(await finishedBy('decline', 'AM')).toMatchObject({ refund_status: 'DECLINED', card_brand_product: 'AM', acquirer_response_code: '05', error: null });
      expect(await finishedBy('approve')).toMatchObject({ refund_status: 'CONFIRMED', card_brand_product: 'AM', error: null });
    });
  });

  it('lists refunds by reference', async () => {
    const created = await refund('2600');
    const ecr = created.body.refund_request_data.ecr_transaction_id as string;
    const list = await http.api<{ refunds: RefundEnvelope[]; total: number }>('GET', REFUNDS, { query: { ecr_transaction_id: ecr } });
    expect(list.body.total).toBe(1);
    expect(list.body.refunds[0].refund_data.refund_id).toBe(created.body.refund_data.refund_id);
  });
});
