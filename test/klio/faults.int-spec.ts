// Contract: failures on the wire as the Klio client sees them — injected 5xx open the
// operation's breaker (submit and look-ups apart), 4xx never do, and a submit whose answer never
// comes is `unknown` and then found by its originID.
import { KlioBreakerState, KlioErrorCode, KlioOperation } from '@app/klio-client';
import { cardPayment, DEVICE, eventually, klioFailure, KlioHarness, startKlioHarness, TASKS_PATH } from './klio.harness';

const breaker = { volumeThreshold: 5, errorThresholdPercentage: 50, resetTimeoutMs: 400, rollingCountTimeoutMs: 10_000 };
let h: KlioHarness;

beforeAll(async () => {
  h = await startKlioHarness();
});

afterAll(() => h.close());

beforeEach(() => h.control.reset());

function watched(extra: Parameters<KlioHarness['client']>[0] = {}) {
  const changes: Array<[KlioOperation, KlioBreakerState]> = [];
  const client = h.client({ breaker, onBreakerStateChange: (op, state) => changes.push([op, state]), ...extra });
  return { client, changes };
}

describe('breakers', () => {
  it('injected 5xx on task look-ups open that breaker only; calls then fail fast, unsent; it recovers', async () => {
    const { client, changes } = watched();
    const created = await client.submitTask(DEVICE, cardPayment(15));
    await h.control.addFault({ match: { method: 'GET', path: '/external/posdevice-api/tasks/' }, status: 500 });
    for (let i = 0; i < 5; i++) {
      expect(await klioFailure(client.getTask(created.taskId))).toMatchObject({ code: KlioErrorCode.ServerError, outcome: 'unknown', httpStatus: 500 });
    }
    expect(client.breakerStates()['task.get']).toBe('open');
    const sent = (await h.control.requests({ method: 'GET' })).length;
    expect(await klioFailure(client.getTask(created.taskId))).toMatchObject({ code: KlioErrorCode.CircuitOpen, outcome: 'not_sent' });
    expect(await h.control.requests({ method: 'GET' })).toHaveLength(sent);

    // Submits have their own breaker.
    await expect(client.submitTask(DEVICE, cardPayment(16))).resolves.toBeDefined();
    expect(client.breakerStates()['task.submit']).toBe('closed');

    await h.control.clearFaults();
    await eventually(async () => client.breakerStates()['task.get'], (s) => s === 'half_open', 3_000);
    await expect(client.getTask(created.taskId)).resolves.toBeDefined();
    expect(changes).toEqual([
      ['task.get', 'open'],
      ['task.get', 'half_open'],
      ['task.get', 'closed'],
    ]);
  });

  it('injected 503 on submits opens the submit breaker, and each one is known not applied', async () => {
    const { client } = watched();
    await h.control.addFault({ match: { method: 'POST', path: TASKS_PATH }, status: 503 });
    for (let i = 0; i < 5; i++) {
      expect(await klioFailure(client.submitTask(DEVICE, cardPayment(20)))).toMatchObject({ code: KlioErrorCode.Unavailable, outcome: 'not_applied' });
    }
    expect(client.breakerStates()['task.submit']).toBe('open');
    expect(client.breakerStates()['task.get']).toBe('closed');
  });

  it('4xx answers and business refusals never open a breaker', async () => {
    const { client } = watched();
    for (let i = 0; i < 8; i++) expect((await klioFailure(client.getTask('999999'))).code).toBe(KlioErrorCode.NotFound);
    for (let i = 0; i < 8; i++) {
      const err = await klioFailure(client.submitTask('UNKNOWN-DEVICE', cardPayment(20)));
      expect(err).toMatchObject({ code: KlioErrorCode.BadRequest, outcome: 'rejected' });
    }
    await h.control.addFault({ match: { method: 'POST', path: TASKS_PATH }, status: 422 });
    for (let i = 0; i < 8; i++) expect((await klioFailure(client.submitTask(DEVICE, cardPayment(20)))).code).toBe(KlioErrorCode.Refused);
    expect(client.breakerStates()).toMatchObject({ 'task.get': 'closed', 'task.submit': 'closed' });
  });
});

describe('timeouts', () => {
  it('a submit whose answer never comes (09) is unknown, and is then found by its originID', async () => {
    const client = h.client({ submitTimeoutMs: 300 });
    const task = cardPayment(15.09);
    const err = await klioFailure(client.submitTask(DEVICE, task));
    expect(err).toMatchObject({ code: KlioErrorCode.Timeout, outcome: 'unknown', operation: 'task.submit' });
    const found = await client.findTaskByOriginId(task.originID);
    expect(found?.originID).toBe(task.originID);
    expect((await h.control.requests({ method: 'POST', path: TASKS_PATH })).length).toBe(1);
  });

  it('injected latency beyond the timeout aborts the call: unknown for a submit', async () => {
    const client = h.client({ timeoutMs: 200 });
    await h.control.addFault({ match: { method: 'POST', path: TASKS_PATH }, latencyMs: 600 });
    const task = cardPayment(21);
    expect(await klioFailure(client.submitTask(DEVICE, task))).toMatchObject({ code: KlioErrorCode.Timeout, outcome: 'unknown' });
    // The request got through after the delay: it exists.
    await h.control.clearFaults();
    const found = await eventually(() => client.findTaskByOriginId(task.originID), (t) => t !== null, 3_000);
    expect(found?.originID).toBe(task.originID);
  });
});
