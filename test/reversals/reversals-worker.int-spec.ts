// The reversals worker against real Postgres, Redis and the sandbox over HTTP: Visa payments given
// back through Reversals, AMEX ones through Refunds, the reversal outcomes by the payment's amount,
// cancels and deadlines, lost answers and refusals, and unreferenced AMEX refunds (a card of another
// brand refused at the terminal included).
import { waitFor } from '@app/testing';
import { isSubsequence, Merchant, startSystem, System } from '../support/system';

const REVERSALS_PATH = '/terminal_reversals/reversals';
const REFUNDS_PATH = '/terminal_refunds/refunds';

async function approvedPayment(sys: System, m: Merchant, amount: number): Promise<string> {
  const id = await sys.payment(m, amount);
  expect(await sys.finalStatus(id)).toBe('approved');
  return id;
}

describe('reversals worker', () => {
  let sys: System;

  beforeAll(async () => {
    sys = await startSystem();
    await sys.startReversals();
  });
  afterAll(async () => sys.stop());

  const finalStatus = (id: string) => sys.finalStatus(id);

  it('reverses a Visa payment through Reversals, links the payment to it and publishes each step', async () => {
    const m = await sys.merchant();
    const paymentId = await approvedPayment(sys, m, 120000);
    // The worker sets the link itself, also when the gateway did not.
    const id = await sys.reversal(paymentId, { link: false });
    expect(await finalStatus(id)).toBe('approved');

    const [reversal, payment] = await Promise.all([sys.repo.findById(id), sys.repo.findById(paymentId)]);
    expect(payment?.status).toBe('approved');
    expect(payment?.reversalId).toBe(id);
    expect(reversal?.providerId).toBe(payment?.providerId);
    expect(reversal?.terminalId).toBe(m.terminals[0]);
    expect(reversal?.result.card).toEqual(payment?.result.card);
    expect(reversal?.result.authorizationCode).toMatch(/^\d{6}$/);
    expect(reversal?.result.batchNumber).toBe(payment?.result.batchNumber);

    const creates = await sys.providerRequests(REVERSALS_PATH, 'POST');
    const mine = creates.filter((r) => JSON.stringify(r.body).includes(id));
    expect(mine).toHaveLength(1);
    expect(mine[0].body).toMatchObject({
      reversal_request_data: { payment_id: payment?.providerId, ecr_transaction_id: id, terminals_list: [{ terminal_id: m.terminals[0] }] },
    });
    expect(await sys.providerCreatesFor(REFUNDS_PATH, id)).toBe(0);

    const events = await sys.events(id);
    expect(events[0]).toBe('reversal.accepted');
    expect(events.at(-1)).toBe('reversal.approved');
    expect(isSubsequence(events, ['reversal.accepted', 'reversal.pending', 'reversal.in_progress', 'reversal.approved'])).toBe(true);
    // The payment's status does not change: no payment event is added by the reversal.
    expect((await sys.events(paymentId)).at(-1)).toBe('payment.approved');
  });

  it('gives an AMEX payment back through Refunds with its amount and card_brand_product AM, never through Reversals', async () => {
    const m = await sys.merchant();
    const paymentId = await approvedPayment(sys, m, 120750);
    expect((await sys.repo.findById(paymentId))?.result.card?.brand).toBe('amex');
    const id = await sys.reversal(paymentId);
    expect(await finalStatus(id)).toBe('approved');

    expect(await sys.providerCreatesFor(REVERSALS_PATH, id)).toBe(0);
    const creates = (await sys.providerRequests(REFUNDS_PATH, 'POST')).filter((r) => JSON.stringify(r.body).includes(id));
    expect(creates).toHaveLength(1);
    expect(creates[0].body).toMatchObject({ refund_amount: '120750', card_brand_product: 'AM', ecr_transaction_id: id });

    const reversal = await sys.repo.findById(id);
    expect(reversal?.result.card?.brand).toBe('amex');
    expect((await sys.repo.findById(paymentId))?.reversalId).toBe(id);
    expect((await sys.events(id)).at(-1)).toBe('reversal.approved');
  });

  it.each([
    [150015, 'rejected', 'REVERSAL.DECLINED'],
    [150016, 'failed', 'TERMINAL.ERROR'],
  ])('ends the reversal of a payment of %p %s (%s) and frees the payment for another reversal', async (amount, status, code) => {
    const m = await sys.merchant();
    const paymentId = await approvedPayment(sys, m, amount);
    const id = await sys.reversal(paymentId);
    expect((await sys.repo.findById(paymentId))?.reversalId).toBe(id);
    expect(await finalStatus(id)).toBe(status);
    expect((await sys.repo.findById(id))?.result.failure?.code).toBe(code);
    expect((await sys.repo.findById(paymentId))?.reversalId).toBeNull();
    expect((await sys.events(id)).at(-1)).toBe(`reversal.${status}`);
  });

  it('cancels a reversal no terminal takes (17) when the register asks, and frees the payment', async () => {
    const m = await sys.merchant();
    const paymentId = await approvedPayment(sys, m, 150017);
    const id = await sys.reversal(paymentId);
    await sys.reached(id, 'pending');
    await sys.repo.transition(id, 'cancelling', { cancelReason: 'requested' });
    expect(await finalStatus(id)).toBe('cancelled');

    const payment = await sys.repo.findById(paymentId);
    expect(payment?.reversalId).toBeNull();
    expect(await sys.providerRequests(`${REVERSALS_PATH}/${payment?.providerId}/cancellations`, 'PUT')).toHaveLength(1);
    expect(await sys.events(id)).toEqual(['reversal.accepted', 'reversal.pending', 'reversal.cancelling', 'reversal.cancelled']);
  });

  it('expires a reversal nobody takes before its deadline, cancelling it at the provider', async () => {
    const m = await sys.merchant();
    const paymentId = await approvedPayment(sys, m, 160017);
    const id = await sys.reversal(paymentId, { expiresInMs: 1500 });
    expect(await finalStatus(id)).toBe('expired');
    expect((await sys.repo.findById(paymentId))?.reversalId).toBeNull();
    expect(await sys.events(id)).toEqual(['reversal.accepted', 'reversal.pending', 'reversal.cancelling', 'reversal.expired']);
  });

  it('fails a reversal of a payment that is not approved without calling the provider', async () => {
    const m = await sys.merchant();
    const paymentId = await sys.payment(m, 150005);
    expect(await finalStatus(paymentId)).toBe('rejected');
    const id = await sys.reversal(paymentId, { link: false, via: 'reversal' });
    expect(await finalStatus(id)).toBe('failed');
    expect((await sys.repo.findById(id))?.result.failure?.code).toBe('PAYMENT.NOT_APPROVED');
    expect(await sys.providerCreatesFor(REVERSALS_PATH, id)).toBe(0);
  });

  it('approves an unreferenced AMEX refund with the refund’s own card', async () => {
    const m = await sys.merchant();
    const id = await sys.refund(m, 50000);
    expect(await finalStatus(id)).toBe('approved');
    const refund = await sys.repo.findById(id);
    expect(refund?.result.card).toMatchObject({ brand: 'amex', last4: expect.stringMatching(/^\d{4}$/) });
    expect(refund?.terminalId).toBe(m.terminals[0]);
    expect(refund?.result.batchNumber).toBeTruthy();
    const creates = (await sys.providerRequests(REFUNDS_PATH, 'POST')).filter((r) => JSON.stringify(r.body).includes(id));
    expect(creates).toHaveLength(1);
    expect(creates[0].body).toMatchObject({ refund_amount: '50000', card_brand_product: 'AM' });
    const events = await sys.events(id);
    expect(events[0]).toBe('refund.accepted');
    expect(events.at(-1)).toBe('refund.approved');
  });

  it('rejects an unreferenced refund the acquirer declines (05) with REFUND.DECLINED', async () => {
    const m = await sys.merchant();
    const id = await sys.refund(m, 50005);
    expect(await finalStatus(id)).toBe('rejected');
    expect((await sys.repo.findById(id))?.result.failure).toEqual({ code: 'REFUND.DECLINED', message: 'DENEGADA' });
    expect((await sys.events(id)).at(-1)).toBe('refund.rejected');
  });

  it('rejects a refund the terminal refused because the card presented is not AMEX with REFUND.BRAND_NOT_ALLOWED; an AMEX decline stays REFUND.DECLINED', async () => {
    const m = await sys.merchant(1, 'manual');
    const wrongCard = await sys.refund(m, 51000);
    const declined = await sys.refund(m, 52000);
    const atTerminal = async (id: string, action: 'approve' | 'decline', brand: string) => {
      await sys.reached(id, 'pending');
      const providerId = (await sys.repo.findById(id))?.providerId;
      await sys.sandboxCall('POST', `/sandbox/terminals/${m.terminals[0]}/${action}`, { paymentId: providerId, brand });
    };
    await atTerminal(wrongCard, 'approve', 'VI');
    await atTerminal(declined, 'decline', 'AM');

    expect(await finalStatus(wrongCard)).toBe('rejected');
    const refused = await sys.repo.findById(wrongCard);
    expect(refused?.result.failure).toEqual({ code: 'REFUND.BRAND_NOT_ALLOWED', message: expect.stringContaining('AMEX') });
    expect(refused?.result.card).toMatchObject({ brand: 'visa' });
    expect((await sys.events(wrongCard)).at(-1)).toBe('refund.rejected');

    expect(await finalStatus(declined)).toBe('rejected');
    expect((await sys.repo.findById(declined))?.result.failure).toEqual({ code: 'REFUND.DECLINED', message: 'DENEGADA' });
  });

  it('resolves a lost refund create answer (09) by reference: one refund at the provider, approved', async () => {
    const m = await sys.merchant();
    const id = await sys.refund(m, 50009);
    expect(await finalStatus(id)).toBe('approved');
    expect(await sys.providerCreatesFor(REFUNDS_PATH, id)).toBe(1);
    const events = await sys.events(id);
    expect(events).toContain('refund.unknown');
    expect(events.at(-1)).toBe('refund.approved');
  });

  it('resolves a lost answer on the refund that gives an AMEX payment back (09) with exactly one create', async () => {
    const m = await sys.merchant();
    const paymentId = await approvedPayment(sys, m, 120709);
    const id = await sys.reversal(paymentId);
    expect(await finalStatus(id)).toBe('approved');
    expect(await sys.providerCreatesFor(REFUNDS_PATH, id)).toBe(1);
    expect(await sys.events(id)).toContain('reversal.unknown');
    expect((await sys.repo.findById(paymentId))?.reversalId).toBe(id);
  });

  it('resends a reversal the provider refused with 503 only after looking it up, and ends with one reversal', async () => {
    const m = await sys.merchant();
    const paymentId = await approvedPayment(sys, m, 130000);
    const { data: fault } = await sys.sandboxCall<{ data: { id: string } }>('POST', '/sandbox/faults', {
      match: { method: 'POST', path: REVERSALS_PATH },
      status: 503,
    });
    const id = await sys.reversal(paymentId);
    await waitFor(async () => ((await sys.providerCreatesFor(REVERSALS_PATH, id)) >= 1 ? true : undefined), { what: 'a refused create' });
    await sys.sandboxCall('DELETE', `/sandbox/faults/${fault.id}`);
    expect(await finalStatus(id)).toBe('approved');

    const requests = (await sys.providerRequests(REVERSALS_PATH)).filter((r) => JSON.stringify(r).includes(id));
    const creates = requests.filter((r) => r.method === 'POST');
    expect(creates.map((r) => r.status)).toEqual([503, 200]);
    // Between the refused create and the resend, the worker looked for the reversal by its reference.
    const lookups = requests.filter((r) => r.method === 'GET');
    expect(lookups.length).toBeGreaterThanOrEqual(1);
    expect(requests.indexOf(lookups[0])).toBeLessThan(requests.indexOf(creates[1]));
  });
});
