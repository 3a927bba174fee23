// A PayStore outage on the reads of reversals and refunds, seen by the reversals worker against real
// Postgres, Redis and the sandbox over HTTP: the breakers of those reads open, the provider stops
// hearing polls, the jobs keep waiting without spending attempts and nothing ends failed; once the
// provider is back the breakers close and every reversal and refund completes with what the
// terminal did meanwhile.
import { sleep } from '@app/testing';
import type { OperationRuntime } from '@app/workers';
import { createReversalsApp } from '../../apps/reversals/src/reversals.app';
import { breakersBecome, expectRecovered, expectWaitingOut, failReads, SHORT_BREAKERS } from '../support/outage';
import { Merchant, startSystem, System } from '../support/system';

const REVERSAL_READS = '/terminal_reversals/reversals/';
const REFUND_READS = '/terminal_refunds/refunds/';

describe('reversals and refunds through a provider outage on polls', () => {
  let sys: System;
  let runtime: OperationRuntime;

  beforeAll(async () => {
    sys = await startSystem({ config: SHORT_BREAKERS });
    const started = await createReversalsApp(sys.config);
    runtime = started.runtime;
    sys.onStop(() => started.app.close());
  });
  afterAll(async () => sys.stop());

  /** A Visa payment approved by the person at the (manual) terminal. */
  async function approvedPayment(m: Merchant, amount: number): Promise<string> {
    const id = await sys.payment(m, amount);
    await sys.reached(id, 'pending');
    await sys.sandboxCall('POST', `/sandbox/terminals/${m.terminals[0]}/approve`, { paymentId: (await sys.repo.findById(id))?.providerId });
    expect(await sys.finalStatus(id)).toBe('approved');
    return id;
  }

  it('waits out open breakers without spending attempts or failing anything, then completes every reversal and refund', async () => {
    const m = await sys.merchant(1, 'manual');
    const payments: string[] = [];
    for (let i = 0; i < 5; i++) payments.push(await approvedPayment(m, 210000 + i * 100));

    // The provider takes creates but fails every read from now on. Five of each kind: their first
    // failed polls alone open each breaker (5 calls, none of them answered), so no job spends more
    // than one attempt before it is open.
    const restore = await failReads(sys, [REVERSAL_READS, REFUND_READS]);
    const ids: string[] = [];
    try {
      for (const paymentId of payments) ids.push(await sys.reversal(paymentId));
      for (let i = 0; i < 5; i++) ids.push(await sys.refund(m, 60000 + i * 100));
      for (const id of ids) await sys.reached(id, 'pending');
      await breakersBecome(runtime, ['reversal.get', 'refund.get'], 'open');

      // While the breakers rest, the jobs keep being taken and put back, spending no attempt, and
      // the provider hears (almost) nothing.
      await expectWaitingOut(sys, runtime, sys.queue('reversal'), ids, ['reversal.get', 'refund.get'], [REVERSAL_READS, REFUND_READS]);

      // The terminal goes on meanwhile: the person approves everything the provider cannot tell us about.
      for (const id of ids) {
        await sys.sandboxCall('POST', `/sandbox/terminals/${m.terminals[0]}/approve`, { paymentId: (await sys.repo.findById(id))?.providerId });
      }
      await sleep(300);
      for (const id of ids) expect(await sys.status(id)).toBe('pending');
    } finally {
      await restore();
    }

    await expectRecovered(sys, runtime, ids, ['reversal.get', 'refund.get']);
    for (const paymentId of payments) expect((await sys.repo.findById(paymentId))?.reversalId).toBeTruthy();
  });
});
