// A PayStore outage on the reads of settlements, seen by the settlements worker against real
// Postgres, Redis and the sandbox over HTTP: the breaker of those reads opens, the provider stops
// hearing polls, the jobs keep waiting without spending attempts and nothing ends failed; once the
// provider is back the breaker closes and every batch close completes with the batch it closed.
import { sleep } from '@app/testing';
import type { OperationRuntime } from '@app/workers';
import { createSettlementsApp } from '../../apps/settlements/src/settlements.app';
import { breakersBecome, expectRecovered, expectWaitingOut, failReads, SHORT_BREAKERS } from '../support/outage';
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

      await expectWaitingOut(sys, runtime, sys.queue('settlement'), ids, ['settlement.get'], [SETTLEMENT_READS]);

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

    await expectRecovered(sys, runtime, ids, ['settlement.get']);
    for (const id of ids) expect((await sys.repo.findById(id))?.result.batchNumber).toBe('1');
  });
});
