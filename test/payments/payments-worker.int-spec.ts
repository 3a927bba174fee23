// The payments worker against real Postgres, Redis and the sandbox over HTTP: every outcome by
// amount, cancels, expiry, broadcast, lost answers, lost jobs and provider outages.
import { waitFor } from '@app/testing';
import { expectLifecycle } from '../support/lifecycle';
import { isSubsequence, startSystem, System } from '../support/system';




describe('payments worker', () => {
  let sys: System;

  beforeAll(async () => {
    sys = await startSystem();
  });
  afterAll(async () => sys.stop());

  const finalStatus = (id: string, timeoutMs?: number) => sys.finalStatus(id, timeoutMs);


  it('approves an amount ending in 00 with card data, authorization and batch, and publishes each step', async () => {
    const m = await sys.merchant();
    const id = await sys.payment(m, 150000);
    expect(await finalStatus(id)).toBe('approved');
    const op = await sys.repo.findById(id);
    expect(op?.terminalId).toBe(m.terminals[0]);
    expect(op?.providerId).toBeTruthy();
    expect(op?.result.card).toMatchObject({ brand: 'visa', last4: expect.stringMatching(/^\d{4}$/) });
    expect(op?.result.card?.bin).toMatch(/^\d{6}$/);
    expect(op?.result.authorizationCode).toBeTruthy();
    expect(op?.result.batchNumber).toBeTruthy();
    // Polls may miss a short-lived status, never reorder or repeat one.
    const events = await sys.events(id);
    expectLifecycle(events, 'payment', 'approved');
    expect(isSubsequence(events, ['payment.accepted', 'payment.pending', 'payment.in_progress', 'payment.approved'])).toBe(true);
    expect(await sys.createsFor(id)).toBe(1);
  });

  it.each([
    [150005, 'rejected', 'PAYMENT.DECLINED'],
    [150006, 'failed', 'TERMINAL.ERROR'],
  ])('ends an amount of %p %s with failure %s', async (amount, status, code) => {
    const m = await sys.merchant();
    const id = await sys.payment(m, amount);
    expect(await finalStatus(id)).toBe(status);
    expect((await sys.repo.findById(id))?.result.failure?.code).toBe(code);
    expectLifecycle(await sys.events(id), 'payment', status);
  });

  it('expires an intent nobody takes (07) and cancels it at the provider', async () => {
    const m = await sys.merchant();
    const id = await sys.payment(m, 150007, { expiresInMs: 1500 });
    expect(await finalStatus(id)).toBe('expired');
    const op = await sys.repo.findById(id);
    const cancels = await sys.providerRequests(`/payments/${op?.providerId}/cancellations`, 'PUT');
    expect(cancels.length).toBeGreaterThanOrEqual(1);
    expect(await sys.events(id)).toEqual(['payment.accepted', 'payment.pending', 'payment.cancelling', 'payment.expired']);
  });

  it('waits out a slow terminal (08) and approves', async () => {
    const m = await sys.merchant();
    const id = await sys.payment(m, 150008);
    expect(await finalStatus(id)).toBe('approved');
    expect(expectLifecycle(await sys.events(id), 'payment', 'approved')).toContain('in_progress');
  });

  it('resolves a lost create answer (09) by reference: one intent at the provider, approved', async () => {
    const m = await sys.merchant();
    const id = await sys.payment(m, 150009);
    expect(await finalStatus(id)).toBe('approved');
    expect(await sys.createsFor(id)).toBe(1);
    expect(expectLifecycle(await sys.events(id), 'payment', 'approved')).toContain('unknown');
  });

  it('names the terminal that took a broadcast intent, and only one of three takes it', async () => {
    const m = await sys.merchant(3);
    const id = await sys.payment(m, 250000, { terminals: m.terminals });
    expect(await finalStatus(id)).toBe('approved');
    const op = await sys.repo.findById(id);
    expect(m.terminals).toContain(op?.terminalId);
    expect(await sys.createsFor(id)).toBe(1);
  });

  it('completes a QR payment with the wallet’s QR id instead of a card', async () => {
    const m = await sys.merchant();
    const id = await sys.payment(m, 99900, { method: 'qr' });
    expect(await finalStatus(id)).toBe('approved');
    const op = await sys.repo.findById(id);
    expect(op?.result.card).toBeNull();
    expect(op?.result.qrCodeId).toBeTruthy();
  });

  it('cancels an intent before a terminal takes it', async () => {
    const m = await sys.merchant(1, 'manual');
    const id = await sys.payment(m, 120000);
    await waitFor(async () => ((await sys.status(id)) === 'pending' ? true : undefined), { what: 'pending' });
    await sys.repo.transition(id, 'cancelling', { cancelReason: 'requested' });
    expect(await finalStatus(id)).toBe('cancelled');
    expect(await sys.events(id)).toEqual(['payment.accepted', 'payment.pending', 'payment.cancelling', 'payment.cancelled']);
  });

  it('ends approved when the terminal had already taken the intent that the register cancels', async () => {
    const m = await sys.merchant(1, 'manual');
    const id = await sys.payment(m, 120100);
    await waitFor(async () => ((await sys.status(id)) === 'pending' ? true : undefined), { what: 'pending' });
    const op = await sys.repo.findById(id);
    await sys.sandboxCall('POST', `/sandbox/terminals/${m.terminals[0]}/take`, { paymentId: op?.providerId });
    await sys.repo.transition(id, 'cancelling', { cancelReason: 'requested' });
    // The worker sees the terminal has it: a cancel can no longer be relied on, so it keeps polling.
    await waitFor(
      async () => ((await sys.repo.findById(id))?.result.providerStatus === 'PROCESSING_PAYMENT' ? true : undefined),
      { what: 'the worker to see the terminal processing' },
    );
    expect(await sys.status(id)).toBe('cancelling');
    await sys.sandboxCall('POST', `/sandbox/terminals/${m.terminals[0]}/approve`, { paymentId: op?.providerId });
    expect(await finalStatus(id)).toBe('approved');
    expect(expectLifecycle(await sys.events(id), 'payment', 'approved')).toContain('cancelling');
  });

  it('cancels without calling the provider when the payment was never submitted', async () => {
    const m = await sys.merchant();
    const id = await sys.payment(m, 130000, { enqueue: false });
    await sys.repo.transition(id, 'cancelling', { cancelReason: 'requested' });
    const { ensureOperationJob } = await import('@app/jobs');
    await ensureOperationJob(sys.queue('payment'), 'payment', id);
    expect(await finalStatus(id)).toBe('cancelled');
    expect(await sys.createsFor(id)).toBe(0);
  });
});

// A provider answering 503 trips the create breaker, so this runs on its own system.
describe('payments worker, provider refusing creates', () => {
  let sys: System;

  beforeAll(async () => {
    sys = await startSystem();
  });
  afterAll(async () => sys.stop());

  it('fails a create the provider keeps refusing with 503 (10), looking it up before every resend', async () => {
    const m = await sys.merchant();
    const id = await sys.payment(m, 150010);
    expect(await sys.finalStatus(id)).toBe('failed');
    const op = await sys.repo.findById(id);
    expect(op?.result.failure?.code).toBe('PAYSTORE.UNAVAILABLE');
    const creates = await sys.createsFor(id);
    const searches = (await sys.providerRequests('/payments/searches', 'POST')).filter((r) =>
      JSON.stringify(r.body).includes(id),
    ).length;
    expect(creates).toBe(5);
    expect(searches).toBe(creates - 1);
    expectLifecycle(await sys.events(id), 'payment', 'failed');
  });

});

// An outage of the provider's reads opens the poll breaker: jobs wait without spending attempts,
// and every payment completes once the provider is back.
describe('payments worker, provider outage on polls', () => {
  let sys: System;

  beforeAll(async () => {
    sys = await startSystem();
  });
  afterAll(async () => sys.stop());

  it('waits out an open breaker without spending attempts, then approves every payment', async () => {
    const m = await sys.merchant(1, 'manual');
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) ids.push(await sys.payment(m, 310000 + i * 100));
    for (const id of ids) await waitFor(async () => ((await sys.status(id)) === 'pending' ? true : undefined), { what: 'pending' });

    await sys.sandboxCall('POST', '/sandbox/faults', {
      match: { method: 'GET', path: '/terminal_payments/payments/' },
      errorRate: 1,
      status: 503,
      forSeconds: 6,
    });
    // Failed polls open the breaker; from then on the jobs are delayed, not failed.
    await new Promise((r) => setTimeout(r, 3000));
    const queue = sys.queue('payment');
    const attemptsDuringOutage = async () => Promise.all(ids.map(async (id) => (await queue.getJob(id))?.attemptsMade ?? -1));
    const early = await attemptsDuringOutage();
    await new Promise((r) => setTimeout(r, 2000));
    const later = await attemptsDuringOutage();
    expect(later).toEqual(early);
    for (const n of later) expect(n).toBeLessThan(8);

    for (const id of ids) {
      const op = await sys.repo.findById(id);
      await sys.sandboxCall('POST', `/sandbox/terminals/${m.terminals[0]}/take`, { paymentId: op?.providerId });
      await sys.sandboxCall('POST', `/sandbox/terminals/${m.terminals[0]}/approve`, { paymentId: op?.providerId });
    }
    for (const id of ids) expect(await sys.finalStatus(id, 40_000)).toBe('approved');
  });
});
