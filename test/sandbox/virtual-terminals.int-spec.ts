import type { RunningSandbox } from '../../apps/sandbox/src/sandbox.app';
import { ecrId, isFinal, OTHER_CUIT, PAYMENTS, REFUNDS, REVERSALS, sleep, SUBNET, withSandbox, type ErrorBody, type SandboxHttp } from './sandbox-http';

interface TerminalIntent {
  id: string;
  kind: string;
  status: string;
  amount: string;
  amountText: string;
  takenBy: string | null;
  takenHere: boolean;
}

interface TerminalView {
  terminalId: string;
  cuit: string;
  mode: string;
  offline: boolean;
  takeDelayMs: number;
  batchNumber: string;
}

describe('sandbox virtual terminals', () => {
  let sandbox: RunningSandbox;
  let http: SandboxHttp;

  beforeAll(async () => {
    ({ sandbox, http } = await withSandbox({ takeDelayMs: 30, terminals: [{ terminalId: '38040099', cuit: '30-71234567-8' }] }));
  });
  afterAll(() => sandbox.close());

  async function intentsOn(terminalId: string): Promise<TerminalIntent[]> {
    return (await http.control<{ data: TerminalIntent[] }>('GET', `/sandbox/terminals/${terminalId}/intents`)).body.data;
  }

  it('lists configured and registered terminals; registering again updates instead of duplicating', async () => {
    await http.terminal('38040001', '30712345678', { mode: 'manual', takeDelayMs: 5 });
    await http.terminal('38040001', '30-71234567-8', { mode: 'auto' });
    const list = (await http.control<{ data: TerminalView[] }>('GET', '/sandbox/terminals')).body.data;
    expect(list.filter((t) => t.terminalId === '38040001')).toEqual([
      expect.objectContaining({ terminalId: '38040001', cuit: '30-71234567-8', mode: 'auto', takeDelayMs: 5, offline: false, batchNumber: '1' }),
    ]);
    expect(list.map((t) => t.terminalId)).toContain('38040099');
  });

  it('rejects a terminal id that is not 8 digits and a malformed CUIT', async () => {
    const id = await http.control<ErrorBody>('POST', '/sandbox/terminals', { terminalId: '123', cuit: '30-71234567-8' });
    expect(id.status).toBe(400);
    const cuit = await http.control<ErrorBody>('POST', '/sandbox/terminals', { terminalId: '38040002', cuit: 'nope' });
    expect(cuit.status).toBe(400);
  });

  it('broadcasts to three terminals: each lists it, exactly one takes it, and terminal_id names it', async () => {
    const ids = ['38041001', '38041002', '38041003'];
    await http.terminal(ids[0], undefined, { takeDelayMs: 150 });
    await http.terminal(ids[1], undefined, { takeDelayMs: 60 });
    await http.terminal(ids[2], undefined, { takeDelayMs: 100 });
    const created = await http.createPayment('2000', ids);
    const paymentId = created.body.payment_data.payment_id;
    for (const id of ids) expect((await intentsOn(id)).map((i) => i.id)).toContain(paymentId);
    const data = await http.waitPayment(paymentId, isFinal);
    expect(data).toMatchObject({ payment_status: 'CONFIRMED', terminal_id: ids[1] });
    for (const id of ids) expect((await intentsOn(id)).map((i) => i.id)).not.toContain(paymentId);
    // The two that lost never process it: their receipt counters did not move.
    const other = await http.createPayment('2100', [ids[0]]);
    expect((await http.waitPayment(other.body.payment_data.payment_id, isFinal)).transaction_receipt).toBe('1');
  });

  it('gives a broadcast tie to the terminal listed first', async () => {
    const ids = ['38041101', '38041102', '38041103'];
    for (const id of ids) await http.terminal(id, undefined, { takeDelayMs: 20 });
    const created = await http.createPayment('2000', [ids[2], ids[0], ids[1]]);
    const data = await http.waitPayment(created.body.payment_data.payment_id, isFinal);
    expect(data.terminal_id).toBe(ids[2]);
  });

  it('leaves an intent waiting on a manual terminal until a person takes and approves it with a chosen card', async () => {
    const terminal = '38042001';
    await http.terminal(terminal, undefined, { mode: 'manual' });
    const created = await http.createPayment('5000', [terminal]);
    const paymentId = created.body.payment_data.payment_id;
    await sleep(150);
    expect((await http.getPayment(paymentId)).payment_data.payment_status).toBe('PAYMENT_REQUEST');
    expect(await intentsOn(terminal)).toEqual([expect.objectContaining({ id: paymentId, kind: 'payment', status: 'PAYMENT_REQUEST', amount: '5000', amountText: '$ 50,00', takenBy: null })]);

    const take = await http.control<{ data: TerminalIntent }>('POST', `/sandbox/terminals/${terminal}/take`, { paymentId });
    expect(take.status).toBe(200);
    expect(take.body.data).toMatchObject({ status: 'PROCESSING_PAYMENT', takenHere: true });
    await sleep(100);
    expect((await http.getPayment(paymentId)).payment_data).toMatchObject({ payment_status: 'PROCESSING_PAYMENT', terminal_id: terminal });

    const approve = await http.control('POST', `/sandbox/terminals/${terminal}/approve`, { paymentId, brand: 'MC', entryMode: 'CHIP_CONTACTLESS' });
    expect(approve.status).toBe(200);
    expect((await http.getPayment(paymentId)).payment_data).toMatchObject({
      payment_status: 'CONFIRMED',
      card_brand_product: 'MC',
      card_type: 'CHIP_CONTACTLESS',
      terminal_id: terminal,
    });
    expect(await intentsOn(terminal)).toEqual([]);
  });

  it('lets a person decline on a manual terminal, even an amount that would approve', async () => {
    const terminal = '38042002';
    await http.terminal(terminal, undefined, { mode: 'manual' });
    const created = await http.createPayment('5000', [terminal]);
    const decline = await http.control('POST', `/sandbox/terminals/${terminal}/decline`, {});
    expect(decline.status).toBe(200);
    expect((await http.getPayment(created.body.payment_data.payment_id)).payment_data).toMatchObject({
      payment_status: 'DECLINED',
      acquirer_additional_message: 'DENEGADA',
    });
  });

  it('answers 409 when a second terminal tries to take what another took, and after the end', async () => {
    const [a, b] = ['38042101', '38042102'];
    await http.terminal(a, undefined, { mode: 'manual' });
    await http.terminal(b, undefined, { mode: 'manual' });
    const created = await http.createPayment('5000', [a, b]);
    const paymentId = created.body.payment_data.payment_id;
    expect((await http.control('POST', `/sandbox/terminals/${a}/take`, { paymentId })).status).toBe(200);
    const second = await http.control<ErrorBody>('POST', `/sandbox/terminals/${b}/take`, { paymentId });
    expect(second.status).toBe(409);
    expect(second.body.errors[0].code).toBe('INVALID_STATE');
    expect((await intentsOn(b)).map((i) => i.id)).not.toContain(paymentId);
    expect((await http.control('POST', `/sandbox/terminals/${a}/approve`, { paymentId })).status).toBe(200);
    expect((await http.control('POST', `/sandbox/terminals/${a}/decline`, { paymentId })).status).toBe(409);
  });

  it('walks away: the terminal gives the intent back and another broadcast terminal can take it', async () => {
    const [a, b] = ['38042201', '38042202'];
    await http.terminal(a, undefined, { mode: 'manual' });
    await http.terminal(b, undefined, { mode: 'manual' });
    const created = await http.createPayment('5000', [a, b]);
    const paymentId = created.body.payment_data.payment_id;
    await http.control('POST', `/sandbox/terminals/${a}/take`, { paymentId });
    const walk = await http.control<{ data: TerminalIntent }>('POST', `/sandbox/terminals/${a}/walkaway`, { paymentId });
    expect(walk.status).toBe(200);
    expect(walk.body.data.status).toBe('PAYMENT_REQUEST');
    expect((await http.getPayment(paymentId)).payment_data).toMatchObject({ payment_status: 'PAYMENT_REQUEST', terminal_id: null });
    expect((await intentsOn(a)).map((i) => i.id)).not.toContain(paymentId);
    expect((await http.control('POST', `/sandbox/terminals/${b}/approve`, { paymentId })).status).toBe(200);
    expect((await http.getPayment(paymentId)).payment_data).toMatchObject({ payment_status: 'CONFIRMED', terminal_id: b });
  });

  describe('cancel on the terminal', () => {
    async function cancellationsSent(paymentId: string): Promise<unknown[]> {
      const log = await http.control<{ data: Array<{ path: string }> }>('GET', `/sandbox/requests?path=${paymentId}/cancellations`);
      return log.body.data;
    }

    it('ends a taken intent UNDONE at once, naming the terminal, with no cancellation request from the caller', async () => {
      const terminal = '38042301';
      await http.terminal(terminal, undefined, { mode: 'manual' });
      const created = await http.createPayment('5000', [terminal]);
      const paymentId = created.body.payment_data.payment_id;
      await http.control('POST', `/sandbox/terminals/${terminal}/take`, { paymentId });
      const cancel = await http.control<{ data: TerminalIntent }>('POST', `/sandbox/terminals/${terminal}/cancel`, { paymentId });
      expect(cancel.status).toBe(200);
      expect(cancel.body.data).toMatchObject({ id: paymentId, status: 'UNDONE', takenBy: terminal, takenHere: true });
      expect((await http.getPayment(paymentId)).payment_data).toMatchObject({
        payment_status: 'UNDONE',
        terminal_id: terminal,
        authorization_code: null,
        batch_number: null,
      });
      expect(await intentsOn(terminal)).toEqual([]);
      expect(await cancellationsSent(paymentId)).toEqual([]);
      // Final: neither the register nor the terminal can do anything with it any more.
      const registerCancel = await http.api<ErrorBody>('PUT', `${PAYMENTS}/${paymentId}/cancellations`);
      expect(registerCancel.status).toBe(409);
      expect(registerCancel.body.errors[0].title).toContain('UNDONE');
      expect(await cancellationsSent(paymentId)).toHaveLength(1); // the log does see a cancellation when one is sent
      expect((await http.control('POST', `/sandbox/terminals/${terminal}/approve`, { paymentId })).status).toBe(409);
      expect((await http.control('POST', `/sandbox/terminals/${terminal}/cancel`, { paymentId })).status).toBe(409);
    });

    it('ends an untaken broadcast intent UNDONE on every terminal, and beats an automatic terminal that was about to take it', async () => {
      const [manual, automatic] = ['38042311', '38042312'];
      await http.terminal(manual, undefined, { mode: 'manual' });
      await http.terminal(automatic, undefined, { mode: 'auto', takeDelayMs: 1_000 });
      const created = await http.createPayment('5000', [manual, automatic]);
      const paymentId = created.body.payment_data.payment_id;
      const cancel = await http.control<{ data: TerminalIntent }>('POST', `/sandbox/terminals/${manual}/cancel`, {});
      expect(cancel.status).toBe(200);
      expect(cancel.body.data).toMatchObject({ id: paymentId, status: 'UNDONE', takenBy: null });
      await sleep(1_100);
      expect((await http.getPayment(paymentId)).payment_data).toMatchObject({ payment_status: 'UNDONE', terminal_id: null });
      expect(await intentsOn(automatic)).toEqual([]);
      expect(await cancellationsSent(paymentId)).toEqual([]);
    });

    it('undoes an AMEX refund and a reversal too, but answers 409 for what another terminal took and 404 off the terminal', async () => {
      const [a, b] = ['38042321', '38042322'];
      await http.terminal(a, undefined, { mode: 'manual' });
      await http.terminal(b, undefined, { mode: 'manual' });
      const refund = await http.api<{ refund_data: { refund_id: string } }>('POST', REFUNDS, {
        subnet: false,
        body: {
          subnet_acquirer_id: SUBNET,
          refund_amount: '4500',
          terminal_menu_text: 'Caja 1',
          ecr_provider: 'ecr-bridge',
          ecr_name: 'tests',
          ecr_version: '1.0.0',
          ecr_transaction_id: ecrId('ref'),
          print_copies: 'BOTH',
          terminals_list: [{ terminal_id: a }],
          card_brand_product: 'AM',
        },
      });
      expect(refund.status).toBe(200);
      const refundId = refund.body.refund_data.refund_id;
      expect((await http.control<{ data: TerminalIntent }>('POST', `/sandbox/terminals/${a}/cancel`, { paymentId: refundId })).body.data).toMatchObject({
        kind: 'refund',
        status: 'UNDONE',
      });

      const paid = (await http.createPayment('5000', [a])).body.payment_data.payment_id;
      await http.control('POST', `/sandbox/terminals/${a}/approve`, { paymentId: paid });
      const reversal = await http.api('POST', REVERSALS, {
        subnet: false,
        body: {
          reversal_request_data: {
            subnet_acquirer_id: SUBNET,
            payment_id: paid,
            ecr_transaction_id: ecrId('rev'),
            terminal_menu_text: 'Caja 1',
            print_copies: 'BOTH',
            terminals_list: [{ terminal_id: a }],
          },
        },
      });
      expect(reversal.status).toBe(200);
      await http.control('POST', `/sandbox/terminals/${a}/take`, { paymentId: paid });
      expect((await http.control<{ data: TerminalIntent }>('POST', `/sandbox/terminals/${a}/cancel`, { paymentId: paid })).body.data).toMatchObject({
        kind: 'reversal',
        status: 'REVERSAL_UNDONE',
      });

      const broadcast = (await http.createPayment('5000', [a, b])).body.payment_data.payment_id;
      await http.control('POST', `/sandbox/terminals/${a}/take`, { paymentId: broadcast });
      const other = await http.control<ErrorBody>('POST', `/sandbox/terminals/${b}/cancel`, { paymentId: broadcast });
      expect(other.status).toBe(409);
      expect(other.body.errors[0].title).toContain(`taken by terminal ${a}`);
      expect((await http.control('POST', `/sandbox/terminals/${b}/cancel`, { paymentId: 'nope' })).status).toBe(404);
      expect((await http.getPayment(broadcast)).payment_data.payment_status).toBe('PROCESSING_PAYMENT');
    });
  });

  it('never takes anything while offline, and takes it once back online', async () => {
    const terminal = '38043001';
    await http.terminal(terminal, undefined, { takeDelayMs: 20 });
    const offline = await http.control<{ data: TerminalView }>('POST', `/sandbox/terminals/${terminal}/mode`, { offline: true });
    expect(offline.body.data.offline).toBe(true);
    const created = await http.createPayment('5000', [terminal]);
    const paymentId = created.body.payment_data.payment_id;
    await sleep(150);
    expect((await http.getPayment(paymentId)).payment_data.payment_status).toBe('PAYMENT_REQUEST');
    const take = await http.control<ErrorBody>('POST', `/sandbox/terminals/${terminal}/take`, { paymentId });
    expect(take.status).toBe(409);
    await http.control('POST', `/sandbox/terminals/${terminal}/mode`, { offline: false });
    expect((await http.waitPayment(paymentId, isFinal)).payment_status).toBe('CONFIRMED');
  });

  it('switching a manual terminal to auto makes it take what waits on it', async () => {
    const terminal = '38043002';
    await http.terminal(terminal, undefined, { mode: 'manual' });
    const created = await http.createPayment('5000', [terminal]);
    await sleep(80);
    await http.control('POST', `/sandbox/terminals/${terminal}/mode`, { mode: 'auto', takeDelayMs: 10 });
    expect((await http.waitPayment(created.body.payment_data.payment_id, isFinal)).payment_status).toBe('CONFIRMED');
  });

  it('answers 404 for control actions on an unknown terminal or an intent that is not on it', async () => {
    expect((await http.control('POST', '/sandbox/terminals/38049999/take', {})).status).toBe(404);
    expect((await http.control('POST', '/sandbox/terminals/38040099/take', { paymentId: 'nope' })).status).toBe(404);
    expect((await http.control('POST', '/sandbox/terminals/38040099/mode', { mode: 'sideways' })).status).toBe(400);
  });

  it('keeps terminals of another CUIT apart', async () => {
    await http.terminal('38044001', OTHER_CUIT);
    const result = await http.createPayment('5000', ['38044001']);
    expect(result.status).toBe(400);
  });

  it('serves the virtual POS page with stable test ids and the terminal list', async () => {
    const page = await http.raw('GET', '/sandbox/pos/38040099');
    expect(page.status).toBe(200);
    const html = page.body as string;
    expect(html).toContain('data-testid="intent-list"');
    expect(html).toContain("'take-' + id");
    expect(html).toContain("'walkaway-' + id");
    expect(html).toContain("'cancel-' + id");
    expect(html).not.toMatch(/<(script|link)[^>]+(src|href)=/);
    const index = await http.raw('GET', '/sandbox/pos');
    expect(index.body as string).toContain('href="/sandbox/pos/38040099"');
    expect((await http.raw('GET', '/sandbox/pos/38049999')).status).toBe(404);
  });
});

describe('sandbox with control routes off', () => {
  let sandbox: RunningSandbox;
  let http: SandboxHttp;

  beforeAll(async () => {
    ({ sandbox, http } = await withSandbox({ control: false, terminals: [{ terminalId: '38045001', cuit: '30-71234567-8', mode: 'manual' }] }));
  });
  afterAll(() => sandbox.close());

  it('answers 404 on faults, reset and the POS actions, but still lists terminals and serves the provider API', async () => {
    expect((await http.control('POST', '/sandbox/faults', {})).status).toBe(404);
    expect((await http.control('DELETE', '/sandbox/faults')).status).toBe(404);
    expect((await http.control('POST', '/sandbox/reset', {})).status).toBe(404);
    for (const action of ['take', 'approve', 'decline', 'walkaway', 'cancel']) {
      expect((await http.control('POST', `/sandbox/terminals/38045001/${action}`, {})).status).toBe(404);
    }
    expect((await http.control('GET', '/sandbox/terminals')).status).toBe(200);
    expect((await http.createPayment('1500', ['38045001'])).status).toBe(200);
  });
});
