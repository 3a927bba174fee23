// A cash register's view: commands over HTTP to the gateway, the payments worker, the sandbox over
// HTTP, and the outcome on the SSE stream — with workers killed and Redis emptied mid-flight.
import { waitFor } from '@app/testing';
import { AppProcess, distEntry, envOf, listen, Register, registerFor, startGatewayFor, StartedGateway } from '../support/e2e';
import { expectLifecycle } from '../support/lifecycle';
import { startSystem, System } from '../support/system';

describe('payments end to end', () => {
  let sys: System;
  let gw: StartedGateway;
  let reg: Register;
  let sse: Awaited<ReturnType<typeof listen>>;

  beforeAll(async () => {
    sys = await startSystem();
    gw = await startGatewayFor(sys);
    reg = await registerFor(sys, gw, 3);
    sse = await listen(gw, reg.apiKey);
  });
  afterAll(async () => {
    await sse.close();
    await sys.stop();
  });

  it.each([
    [150000, 'approved'],
    [150005, 'rejected'],
    [150006, 'failed'],
    [150008, 'approved'],
    [150009, 'approved'],
  ])('ends %p %s, with its events in order on the stream and one intent at the provider', async (amount, status) => {
    const res = await reg.pay({ amount });
    expect(res.status).toBe(202);
    expect(res.headers.get('location')).toBe(`/v1/payments/${res.body.id}`);
    const id = String(res.body.id);
    const final = await reg.final(id);
    expect(final.status).toBe(status);
    await waitFor(() => (sse.of(id).at(-1) === `payment.${status}` ? true : undefined), { what: 'the final event on SSE' });
    expectLifecycle(sse.of(id), 'payment', status);
    expect(await sys.createsFor(id)).toBe(1);
    const last = sse.events.filter((e) => e.data.subject === id).at(-1);
    expect(last?.data.data).toMatchObject({ id, status, merchantId: reg.merchantId, amount });
  });

  it('answers 200 with the final payment when asked to wait for it', async () => {
    const res = await reg.pay({ amount: 123400 }, { wait: 15 });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'approved', amount: 123400, currency: 'ARS', terminalId: reg.terminals[0] });
    expect(res.body.card).toMatchObject({ brand: 'visa', last4: expect.stringMatching(/^\d{4}$/) });
    expect(JSON.stringify(res.body)).not.toMatch(/\d{13,19}/);
  });

  it('broadcasts to three terminals and names the one that took it', async () => {
    const res = await reg.pay({ amount: 50000, terminalIds: reg.terminals });
    const final = await reg.final(String(res.body.id));
    expect(final.status).toBe('approved');
    expect(reg.terminals).toContain(final.terminalId);
    expect(final.terminalIds).toEqual(reg.terminals);
  });

  it('cancels an intent nobody took when the register asks', async () => {
    const res = await reg.pay({ amount: 150007 });
    const id = String(res.body.id);
    await waitFor(async () => ((await reg.get(id)).body.status === 'pending' ? true : undefined), { what: 'pending' });
    const cancel = await reg.cancel(id);
    expect([200, 202]).toContain(cancel.status);
    expect((await reg.final(id)).status).toBe('cancelled');
    await waitFor(() => (sse.of(id).includes('payment.cancelled') ? true : undefined), { what: 'payment.cancelled on SSE' });
    expectLifecycle(sse.of(id), 'payment', 'cancelled');
  });
});

describe('payments end to end, when things fail mid-flight', () => {
  let sys: System;
  let gw: StartedGateway;
  let reg: Register;
  let worker: AppProcess;

  beforeAll(async () => {
    sys = await startSystem({ payments: false });
    gw = await startGatewayFor(sys);
    reg = await registerFor(sys, gw, 1, 'manual');
    worker = new AppProcess(distEntry('payments'), envOf(sys.config, { PORT: '0', HOST: '127.0.0.1' }));
    sys.onStop(() => worker.kill());
  });
  afterAll(async () => sys.stop());

  async function operatorApproves(id: string): Promise<void> {
    const providerId = await waitFor(async () => ((await reg.get(id)).body.providerId as string | null) ?? undefined, {
      what: 'the provider id',
    });
    await sys.sandboxCall('POST', `/sandbox/terminals/${reg.terminals[0]}/take`, { paymentId: providerId });
    await sys.sandboxCall('POST', `/sandbox/terminals/${reg.terminals[0]}/approve`, { paymentId: providerId });
  }

  it('resumes a payment whose worker was killed mid-poll, and approves it once', async () => {
    worker.start();
    const id = String((await reg.pay({ amount: 210000 })).body.id);
    await waitFor(async () => ((await reg.get(id)).body.status === 'pending' ? true : undefined), { what: 'pending' });
    await worker.kill('SIGKILL');
    await operatorApproves(id);
    worker.start();
    expect((await reg.final(id, 30_000)).status).toBe('approved');
    expect(await sys.createsFor(id)).toBe(1);
    expect(await sys.events(id)).toEqual(['payment.accepted', 'payment.pending', 'payment.approved']);
    await worker.kill('SIGKILL');
  });

  it('never sends a create twice when the worker dies while the create is in flight', async () => {
    await sys.sandboxCall('POST', '/sandbox/faults', { match: { method: 'POST', path: '/terminal_payments/payments' }, latencyMs: 4000 });
    worker.start();
    const id = String((await reg.pay({ amount: 220000 })).body.id);
    await waitFor(async () => ((await sys.repo.findById(id))?.submittedAt ? true : undefined), { what: 'the submit to start' });
    // `submittedAt` is committed just before the request leaves; give it time to reach the provider,
    // which holds it for 4 s, and kill the worker while it waits for the answer.
    await new Promise((r) => setTimeout(r, 1000));
    await worker.kill('SIGKILL');
    await sys.sandboxCall('DELETE', '/sandbox/faults');
    // The provider still handles the create it received; a new worker must find it, not resend it.
    await new Promise((r) => setTimeout(r, 3500));
    worker.start();
    await operatorApproves(id);
    expect((await reg.final(id, 30_000)).status).toBe('approved');
    expect(await sys.createsFor(id)).toBe(1);
    expectLifecycle(await sys.events(id), 'payment', 'approved');
    await worker.kill('SIGKILL');
  });

  it('loses nothing when Redis loses every job and event mid-flight', async () => {
    worker.start();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(String((await reg.pay({ amount: 230000 + i * 100 })).body.id));
    for (const id of ids) {
      await waitFor(async () => ((await reg.get(id)).body.status === 'pending' ? true : undefined), { what: `${id} pending` });
    }
    await sys.redis.flush();
    for (const id of ids) await operatorApproves(id);
    for (const id of ids) {
      expect((await reg.final(id, 30_000)).status).toBe('approved');
      expect(await sys.createsFor(id)).toBe(1);
      expectLifecycle(await sys.events(id), 'payment', 'approved');
    }
    await worker.kill('SIGTERM');
  });
});
