// A PayStore outage on the reads of settlements, seen by the settlements worker against real
// Postgres, Redis and the sandbox over HTTP: the breaker of those reads opens, the provider stops
// hearing polls, the jobs keep waiting without spending attempts and nothing ends failed; once the
// provider is back the breaker closes and every batch close completes with the batch it closed.
import { sleep } from '@app/testing';
import type { OperationRuntime } from '@app/workers';
import { createSettlementsApp } from '../../apps/settlements/src/settlements.app';
import { breakersBecome, breakerStates, failReads, jobsSnapshot, readsOf, SHORT_BREAKERS } from '../support/outage';
import { startSystem, System } from '../support/system';

const SETTLEMENT_READS = '/terminal_settlements/settlements/';

describe('settlements through a provider outage on polls', () => {
  let sys: System;
  let runtime: OperationRuntime;

  beforeAll(async () => {
    sys = await startSystem({ config: SHORT_BREAKERS, payments: false });
    const started = await createSettlementsApp(sys.config);
    runtime = started.runtime;
    sys.onStop(() => started.app.close());
  });
  afterAll(async () => sys.stop());

  it('waits out an open breaker without spending attempts or failing anything, then closes every batch', async () => {
    // One close in flight per terminal: five terminals, five closes, whose first failed polls alone
    // open the breaker (5 calls, none of them answered), so no job spends more than one attempt.
    const m = await sys.merchant(5, 'manual');
    const restore = await failReads(sys, [SETTLEMENT_READS]);
    const ids: string[] = [];
    try {
      for (const terminalId of m.terminals) ids.push(await sys.settlement(m, terminalId));
      for (const id of ids) await sys.reached(id, 'pending');
      await breakersBecome(runtime, ['settlement.get'], 'open');

      const queue = sys.queue('settlement');
      const before = await jobsSnapshot(queue, ids);
      const readsBefore = await readsOf(sys, SETTLEMENT_READS);
      await sleep(1500);
      const after = await jobsSnapshot(queue, ids);
      expect(breakerStates(runtime, ['settlement.get'])).toEqual(['open']);
      expect(after.attempts).toEqual(before.attempts);
      for (const n of after.attempts) expect(n).toBeLessThanOrEqual(1);
      after.processedOn.forEach((at, i) => expect(at).toBeGreaterThan(before.processedOn[i]));
      expect(after.states).not.toContain('failed');
      expect((await readsOf(sys, SETTLEMENT_READS)) - readsBefore).toBeLessThanOrEqual(1);
      for (const id of ids) expect(await sys.status(id)).toBe('pending');

      // Each terminal closes its batch meanwhile; the worker cannot see it yet.
      for (const id of ids) {
        const op = await sys.repo.findById(id);
        await sys.sandboxCall('POST', `/sandbox/terminals/${op?.terminalIds[0]}/approve`, { paymentId: op?.providerId });
      }
      await sleep(300);
      for (const id of ids) expect(await sys.status(id)).toBe('pending');
    } finally {
      await restore();
    }

    const cleared = Date.now();
    for (const id of ids) expect(await sys.finalStatus(id, 20_000)).toBe('approved');
    // Within one rest of the breaker (4 s) and a job's wait, not the 10 s + 5 s of the defaults.
    expect(Date.now() - cleared).toBeLessThan(8000);
    await breakersBecome(runtime, ['settlement.get'], 'closed', 5000);
    for (const id of ids) {
      const op = await sys.repo.findById(id);
      expect(op?.result.batchNumber).toBe('1');
      expect(op?.result.failure).toBeUndefined();
    }
  });
});
