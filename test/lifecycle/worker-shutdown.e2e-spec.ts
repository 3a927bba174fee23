// SIGTERM to a worker process mid-traffic: it stops taking jobs, finishes the steps in flight and
// exits 0 within SHUTDOWN_GRACE_MS; a step that cannot finish in time goes straight back to the queue
// (not left locked until stall detection) and the next worker completes it without a second create.
import { waitFor } from '@app/testing';
import { Register, registerFor, startGatewayFor, StartedGateway } from '../support/e2e';
import { startSystem, System } from '../support/system';
import { AppProcess, envOf, freePort } from './processes';

const EXPECTED: Record<string, string> = { '00': 'approved', '05': 'rejected', '06': 'failed', '08': 'approved' };

describe('a worker stopped with SIGTERM', () => {
  jest.setTimeout(120_000);
  let sys: System;
  let gw: StartedGateway;
  let reg: Register;
  const procs: AppProcess[] = [];

  beforeAll(async () => {
    sys = await startSystem({ payments: false, sandbox: { slowMs: 1000 } });
    gw = await startGatewayFor(sys);
    reg = await registerFor(sys, gw, 2);
  });
  afterAll(async () => {
    for (const proc of procs) await proc.kill();
    await sys.stop();
  });

  async function payments(extra: Record<string, string | number> = {}): Promise<AppProcess> {
    const proc = new AppProcess('payments', await freePort(), envOf(sys.config, { LOG_LEVEL: 'info', ...extra }));
    procs.push(proc);
    return proc.start().ready(60_000);
  }

  async function expectFinal(ids: Map<string, string>): Promise<void> {
    for (const [id, status] of ids) expect({ id, status: await sys.finalStatus(id, 60_000) }).toEqual({ id, status });
    for (const id of ids.keys()) expect({ id, creates: await sys.createsFor(id) }).toEqual({ id, creates: 1 });
    await waitFor(
      async () => {
        const [row] = (await sys.db.dataSource.query(
          `SELECT count(*)::int AS n FROM outbox WHERE subject = ANY($1) AND published_at IS NULL`,
          [[...ids.keys()]],
        )) as { n: number }[];
        return row.n === 0 ? true : undefined;
      },
      { timeoutMs: 20_000, what: 'every event to be published' },
    );
  }

  it('finishes the steps in flight, exits 0 well within the grace period, and a new worker loses nothing', async () => {
    const grace = 10_000;
    const first = await payments({ SHUTDOWN_GRACE_MS: grace });
    // Slow polls keep steps in flight at any moment.
    await sys.sandboxCall('POST', '/sandbox/faults', { match: { method: 'GET', path: '/terminal_payments/payments' }, latencyMs: 300 });
    const ids = new Map<string, string>();
    const suffixes = Object.keys(EXPECTED);
    for (let i = 0; i < 16; i++) {
      const suffix = suffixes[i % suffixes.length];
      const res = await reg.pay({ amount: 100000 + i * 100 + Number(suffix), terminalIds: [reg.terminals[i % 2]] });
      expect(res.status).toBe(202);
      ids.set(String(res.body.id), EXPECTED[suffix]);
    }
    await waitFor(async () => ((await sys.queue('payment').getActiveCount()) > 0 ? true : undefined), { what: 'a step in flight' });
    const exit = await first.stop('SIGTERM');
    console.log(`payments worker, steps in flight: exit ${exit.code} after ${exit.ms} ms (SHUTDOWN_GRACE_MS ${grace})`);
    expect({ code: exit.code, signal: exit.signal }).toEqual({ code: 0, signal: null });
    expect(exit.ms).toBeLessThan(grace);
    expect(first.text()).toContain('"msg":"shut down"');
    expect(first.text()).not.toContain('handed back to the queue');
    // Nothing is left locked by the stopped worker.
    expect(await sys.queue('payment').getActiveCount()).toBe(0);
    await sys.sandboxCall('DELETE', '/sandbox/faults');

    const second = await payments({ SHUTDOWN_GRACE_MS: grace });
    await expectFinal(ids);
    expect((await second.stop('SIGTERM')).code).toBe(0);
  });

  it('hands a step that cannot finish within the grace period back to the queue at once; the next worker completes it with one create', async () => {
    const grace = 2000;
    // The create of an amount ending in 09 is stored, but its answer never comes: the step waits for
    // PAYSTORE_TIMEOUT_MS (20 s here), far past the grace period.
    const first = await payments({ SHUTDOWN_GRACE_MS: grace, PAYSTORE_TIMEOUT_MS: 20_000 });
    const id = String((await reg.pay({ amount: 310009 })).body.id);
    await waitFor(async () => ((await sys.repo.findById(id))?.submittedAt ? true : undefined), { what: 'the create to be sent' });
    await waitFor(async () => ((await sys.createsFor(id)) === 1 ? true : undefined), { what: 'the create to reach the provider' });
    expect(await sys.queue('payment').getJobState(id)).toBe('active');

    const exit = await first.stop('SIGTERM');
    console.log(`payments worker, a step longer than the grace period: exit ${exit.code} after ${exit.ms} ms (SHUTDOWN_GRACE_MS ${grace})`);
    expect({ code: exit.code, signal: exit.signal }).toEqual({ code: 0, signal: null });
    // Exit 0 means the process finished its stop before its own deadline (SHUTDOWN_GRACE_MS after
    // the signal arrived); the margin is for signal delivery and process exit on a busy machine.
    expect(exit.ms).toBeLessThan(grace + 1500);
    expect(first.text()).toMatch(/"released":\["pay_[^"]+"\].*handed back to the queue/);
    // Released, not locked until its lock expires and stall detection notices.
    expect(await sys.queue('payment').getJobState(id)).toBe('waiting');
    expect(await sys.status(id)).not.toMatch(/^(approved|rejected|failed|cancelled|expired)$/);

    const started = Date.now();
    const second = await payments();
    expect(await sys.finalStatus(id, 30_000)).toBe('approved');
    // The lost answer is looked up by reference, never sent again.
    expect(await sys.createsFor(id)).toBe(1);
    expect(Date.now() - started).toBeLessThan(30_000);
    expect((await second.stop('SIGTERM')).code).toBe(0);
  });
});
