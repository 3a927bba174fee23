// A provider outage seen from outside the worker: the poll breaker opens (in /metrics and in the
// logs), the provider stops being called while it rests, jobs wait without spending attempts or
// failing, and once it is back every payment completes and the breaker closes again.
import { waitFor } from '@app/testing';
import type { OperationRuntime } from '@app/workers';
import { createPaymentsApp } from '../../apps/payments/src/payments.app';
import { startSystem, System } from '../support/system';

const POLL_PATH = '/terminal_payments/payments/';

describe('a provider outage on polls', () => {
  let sys: System;
  let runtime: OperationRuntime;

  beforeAll(async () => {
    sys = await startSystem({ payments: false });
    const started = await createPaymentsApp({ ...sys.config, WORKER_CONCURRENCY: 5 });
    runtime = started.runtime;
    sys.onStop(() => started.app.close());
  });
  afterAll(async () => sys.stop());

  const breakerGauge = async (): Promise<number | undefined> => {
    const metric = await runtime.registry.getSingleMetric('ecr_provider_breaker_open')?.get();
    return metric?.values.find((v) => v.labels.provider === 'paystore' && v.labels.operation === 'payment.get')?.value;
  };
  const polls = async () => ((await sys.sandboxCall('GET', `/sandbox/requests?path=${encodeURIComponent(POLL_PATH)}&method=GET`)) as { data: { at: string }[] }).data;

  it('rests the provider while its breaker is open, fails nothing, and completes every payment after', async () => {
    const m = await sys.merchant(1, 'manual');
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) ids.push(await sys.payment(m, 410000 + i * 100));
    for (const id of ids) await waitFor(async () => ((await sys.status(id)) === 'pending' ? true : undefined), { what: `${id} pending` });

    const fault = await sys.sandboxCall<{ data: { id: string } }>('POST', '/sandbox/faults', { match: { method: 'GET', path: POLL_PATH }, errorRate: 1, status: 503 });
    await waitFor(async () => ((await breakerGauge()) === 1 ? true : undefined), { what: 'the poll breaker open in /metrics' });

    // While open (it rests 10 s), polls fail fast inside the worker: over 2 s the provider hears
    // (almost) nothing, however long the breaker took to open.
    const before = (await polls()).length;
    expect(before).toBeGreaterThan(ids.length); // the log does see the polls: the count below can tell
    await new Promise((r) => setTimeout(r, 2000));
    const during = (await polls()).length - before;
    expect(during).toBeLessThanOrEqual(2);
    expect(await breakerGauge()).toBe(1);
    await sys.sandboxCall('DELETE', `/sandbox/faults/${fault.data.id}`);

    const queue = sys.queue('payment');
    for (const id of ids) {
      expect(await sys.status(id)).toBe('pending');
      expect(await (await queue.getJob(id))?.getState()).not.toBe('failed');
    }

    for (const id of ids) {
      const op = await sys.repo.findById(id);
      await sys.sandboxCall('POST', `/sandbox/terminals/${m.terminals[0]}/approve`, { paymentId: op?.providerId });
    }
    for (const id of ids) expect(await sys.finalStatus(id, 60_000)).toBe('approved');
    await waitFor(async () => ((await breakerGauge()) === 0 ? true : undefined), { what: 'the poll breaker closed in /metrics' });
  });
});
