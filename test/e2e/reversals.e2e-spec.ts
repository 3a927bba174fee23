// A cash register gives payments back and refunds AMEX cards: commands over HTTP to the gateway,
// the payments and reversals workers, the sandbox over HTTP, and the outcome on the SSE stream.
import { randomBytes } from 'node:crypto';
import { waitFor } from '@app/testing';
import { Answer, listen, Register, registerFor, startGatewayFor, StartedGateway } from '../support/e2e';
import { startSystem, System } from '../support/system';

type View = Record<string, unknown> & { id: string; status: string };

const FINAL = new Set(['approved', 'rejected', 'cancelled', 'expired', 'failed']);

describe('reversals and refunds end to end', () => {
  let sys: System;
  let gw: StartedGateway;
  let reg: Register;
  let sse: Awaited<ReturnType<typeof listen>>;

  beforeAll(async () => {
    sys = await startSystem();
    await sys.startReversals();
    gw = await startGatewayFor(sys);
    reg = await registerFor(sys, gw, 1);
    sse = await listen(gw, reg.apiKey);
  });
  afterAll(async () => {
    await sse.close();
    await sys.stop();
  });

  const command = (path: string, body?: unknown, apiKey = reg.apiKey): Promise<Answer<View>> =>
    gw.call<View>('POST', path, { key: apiKey, body, headers: { 'idempotency-key': `k-${randomBytes(8).toString('hex')}` } });

  const reverse = (paymentId: string) => command('/v1/reversals', { paymentId });

  const read = async (path: string, apiKey = reg.apiKey) => (await gw.call<View>('GET', path, { key: apiKey })).body;

  const final = (path: string, apiKey = reg.apiKey) =>
    waitFor(
      async () => {
        const op = await read(path, apiKey);
        return FINAL.has(op.status) ? op : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 100, what: `${path} to be final` },
    );

  const reached = (path: string, status: string, apiKey = reg.apiKey) =>
    waitFor(async () => ((await read(path, apiKey)).status === status ? true : undefined), { what: `${path} to be ${status}` });

  const onStream = (id: string, type: string) =>
    waitFor(() => (sse.of(id).includes(type) ? true : undefined), { what: `${type} of ${id} on the stream` });

  async function approvedPayment(amount: number): Promise<View> {
    const res = await reg.pay({ amount });
    expect(res.status).toBe(202);
    const payment = (await reg.final(String(res.body.id))) as View;
    expect(payment.status).toBe('approved');
    return payment;
  }

  describe('reversals', () => {
    it('reverses an approved payment on the terminal that took it, and the payment shows the reversal', async () => {
      const payment = await approvedPayment(150000);
      const res = await reverse(payment.id);
      expect(res.status).toBe(202);
      expect(res.headers.get('location')).toBe(`/v1/reversals/${res.body.id}`);
      const reversal = await final(`/v1/reversals/${res.body.id}`);
      expect(reversal).toMatchObject({
        status: 'approved',
        paymentId: payment.id,
        amount: 150000,
        terminalId: reg.terminals[0],
        card: payment.card,
        authorizationCode: expect.stringMatching(/^\d{6}$/),
        via: 'reversal',
        receipt: null,
      });
      expect(await read(`/v1/payments/${payment.id}`)).toMatchObject({ status: 'approved', reversalId: reversal.id });
      await onStream(reversal.id, 'reversal.approved');
      expect(sse.of(reversal.id)[0]).toBe('reversal.accepted');
      expect(await sys.providerCreatesFor('/terminal_reversals/reversals', reversal.id)).toBe(1);
      expect(await sys.providerCreatesFor('/terminal_refunds/refunds', reversal.id)).toBe(0);
      // Reversed once: another request is refused, and the provider never sees it.
      const again = await reverse(payment.id);
      expect(again.status).toBe(409);
      expect(again.body).toMatchObject({ code: 'PAYMENT.ALREADY_REVERSED' });
    });

    it('gives an AMEX payment back through the provider Refunds API', async () => {
      const payment = await approvedPayment(120750);
      expect(payment.card).toMatchObject({ brand: 'amex' });
      const res = await reverse(payment.id);
      const reversal = await final(`/v1/reversals/${res.body.id}`);
      expect(reversal).toMatchObject({ status: 'approved', amount: 120750, via: 'refund', card: expect.objectContaining({ brand: 'amex' }) });
      const refunds = await sys.providerRequests('/terminal_refunds/refunds', 'POST');
      const ours = refunds.filter((r) => JSON.stringify(r.body).includes(reversal.id));
      expect(ours).toHaveLength(1);
      expect(ours[0].body).toMatchObject({ refund_amount: '120750', card_brand_product: 'AM' });
      expect(await sys.providerCreatesFor('/terminal_reversals/reversals', reversal.id)).toBe(0);
      expect(await read(`/v1/payments/${payment.id}`)).toMatchObject({ reversalId: reversal.id });
    });

    it('ends rejected when the provider declines the reversal, and lets the register ask again', async () => {
      const payment = await approvedPayment(150015);
      const first = await final(`/v1/reversals/${(await reverse(payment.id)).body.id}`);
      expect(first).toMatchObject({ status: 'rejected', failure: expect.objectContaining({ code: 'REVERSAL.DECLINED' }) });
      expect(await read(`/v1/payments/${payment.id}`)).toMatchObject({ reversalId: null });
      await onStream(first.id, 'reversal.rejected');

      const second = await reverse(payment.id);
      expect(second.status).toBe(202);
      expect(second.body.id).not.toBe(first.id);
      expect(await read(`/v1/payments/${payment.id}`)).toMatchObject({ reversalId: second.body.id });
      // The sandbox declines every reversal of this amount; what matters is that it was sent.
      expect((await final(`/v1/reversals/${second.body.id}`)).status).toBe('rejected');
      expect(await sys.providerCreatesFor('/terminal_reversals/reversals', second.body.id)).toBe(1);
    });

    it('cancels a reversal no terminal took, and unlinks the payment', async () => {
      const payment = await approvedPayment(150017);
      const res = await reverse(payment.id);
      await reached(`/v1/reversals/${res.body.id}`, 'pending');
      const cancel = await command(`/v1/reversals/${res.body.id}/cancel`);
      expect([200, 202]).toContain(cancel.status);
      expect((await final(`/v1/reversals/${res.body.id}`)).status).toBe('cancelled');
      expect(await read(`/v1/payments/${payment.id}`)).toMatchObject({ reversalId: null });
      await onStream(res.body.id, 'reversal.cancelled');
      expect(sse.of(res.body.id)).toEqual(expect.arrayContaining(['reversal.accepted', 'reversal.pending', 'reversal.cancelling']));
      const late = await command(`/v1/reversals/${res.body.id}/cancel`);
      expect(late.status).toBe(200);
    });

    it('refuses to reverse a declined payment with 409 PAYMENT.NOT_APPROVED', async () => {
      const res = await reg.pay({ amount: 150005 });
      expect((await reg.final(String(res.body.id))).status).toBe('rejected');
      const reversal = await reverse(String(res.body.id));
      expect(reversal.status).toBe(409);
      expect(reversal.body).toMatchObject({ code: 'PAYMENT.NOT_APPROVED' });
    });
  });

  describe('refunds', () => {
    it('refunds an amount to an AMEX card without a payment to refer to', async () => {
      const res = await command('/v1/refunds', { terminalIds: reg.terminals, amount: 45000, currency: 'ARS', reference: 'dev-1' });
      expect(res.status).toBe(202);
      const refund = await final(`/v1/refunds/${res.body.id}`);
      expect(refund).toMatchObject({ status: 'approved', amount: 45000, terminalId: reg.terminals[0], card: expect.objectContaining({ brand: 'amex' }) });
      await onStream(refund.id, 'refund.approved');
      expect(await sys.providerCreatesFor('/terminal_refunds/refunds', refund.id)).toBe(1);
    });

    describe('at a terminal run by a person', () => {
      let manual: Register;

      beforeAll(async () => {
        manual = await registerFor(sys, gw, 1, 'manual');
      });

      async function offered(): Promise<{ id: string; providerId: string }> {
        const res = await command('/v1/refunds', { terminalIds: manual.terminals, amount: 30000, currency: 'ARS' }, manual.apiKey);
        expect(res.status).toBe(202);
        await reached(`/v1/refunds/${res.body.id}`, 'pending', manual.apiKey);
        return { id: res.body.id, providerId: String((await read(`/v1/refunds/${res.body.id}`, manual.apiKey)).providerId) };
      }

      it('ends rejected REFUND.DECLINED when the AMEX card presented is declined', async () => {
        const { id, providerId } = await offered();
        await sys.sandboxCall('POST', `/sandbox/terminals/${manual.terminals[0]}/decline`, { paymentId: providerId, brand: 'AM' });
        const refund = await final(`/v1/refunds/${id}`, manual.apiKey);
        expect(refund).toMatchObject({
          status: 'rejected',
          failure: expect.objectContaining({ code: 'REFUND.DECLINED' }),
          card: expect.objectContaining({ brand: 'amex' }),
        });
      });

      it('ends rejected REFUND.BRAND_NOT_ALLOWED when the card presented is not AMEX, even if the person approves', async () => {
        const { id, providerId } = await offered();
        await sys.sandboxCall('POST', `/sandbox/terminals/${manual.terminals[0]}/approve`, { paymentId: providerId, brand: 'VI' });
        const refund = await final(`/v1/refunds/${id}`, manual.apiKey);
        expect(refund).toMatchObject({
          status: 'rejected',
          failure: expect.objectContaining({ code: 'REFUND.BRAND_NOT_ALLOWED' }),
          card: expect.objectContaining({ brand: 'visa' }),
        });
      });

      it('cancels a refund nobody took', async () => {
        const { id } = await offered();
        const cancel = await command(`/v1/refunds/${id}/cancel`, undefined, manual.apiKey);
        expect(cancel.status).toBe(202);
        expect((await final(`/v1/refunds/${id}`, manual.apiKey)).status).toBe('cancelled');
      });
    });
  });
});
