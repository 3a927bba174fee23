import { PaystoreBreakers } from './paystore-breakers';
import { errorFromFetchFailure, errorFromResponse, PaystoreError, PaystoreErrorCode, protocolError } from './paystore.errors';
import { BreakerState, PaystoreOperation } from './paystore.options';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('PayStore breakers', () => {
  let breakers: PaystoreBreakers;
  let changes: Array<[PaystoreOperation, BreakerState]>;

  beforeEach(() => {
    changes = [];
    breakers = new PaystoreBreakers({
      volumeThreshold: 5,
      errorThresholdPercentage: 50,
      resetTimeoutMs: 100,
      rollingCountTimeoutMs: 10_000,
      onStateChange: (op, state) => changes.push([op, state]),
    });
  });

  afterEach(() => breakers.shutdown());

  const failWith = (err: unknown) => () => Promise.reject(err);
  const ok = () => Promise.resolve('ok');

  async function failTimes(op: PaystoreOperation, err: unknown, times: number): Promise<void> {
    for (let i = 0; i < times; i++) await expect(breakers.run(op, failWith(err))).rejects.toBe(err);
  }

  it('starts closed for every operation', () => {
    const states = breakers.states();
    expect(Object.keys(states)).toHaveLength(18);
    expect(new Set(Object.values(states))).toEqual(new Set(['closed']));
  });

  it.each([400, 401, 404, 409, 422])('does not open on %i answers, however many', async (status) => {
    await failTimes('payment.create', errorFromResponse('payment.create', status, undefined), 20);
    expect(breakers.state('payment.create')).toBe('closed');
    expect(changes).toEqual([]);
  });

  it('does not open on unreadable answers: the provider did answer', async () => {
    await failTimes('payment.get', protocolError('payment.get', 200, 'not JSON'), 10);
    expect(breakers.state('payment.get')).toBe('closed');
  });

  it.each([
    ['5xx answers', errorFromResponse('payment.get', 500, undefined)],
    ['503 answers', errorFromResponse('payment.get', 503, undefined)],
    ['timeouts', errorFromFetchFailure('payment.get', new DOMException('aborted', 'AbortError'), 10)],
    ['refused connections', errorFromFetchFailure('payment.get', Object.assign(new Error('x'), { code: 'ECONNREFUSED' }), undefined)],
  ])('opens on %s once the volume threshold is reached', async (_name, err) => {
    await failTimes('payment.get', err, 4);
    expect(breakers.state('payment.get')).toBe('closed');
    await failTimes('payment.get', err, 1);
    expect(breakers.state('payment.get')).toBe('open');
    expect(changes).toEqual([['payment.get', 'open']]);
  });

  it('fails fast with CIRCUIT_OPEN (not sent) while open, without calling', async () => {
    await failTimes('payment.create', errorFromResponse('payment.create', 500, undefined), 5);
    const call = jest.fn(ok);
    const err = (await breakers.run('payment.create', call).catch((e: unknown) => e)) as PaystoreError;
    expect(err).toBeInstanceOf(PaystoreError);
    expect(err.code).toBe(PaystoreErrorCode.CircuitOpen);
    expect(err.outcome).toBe('not_sent');
    expect(err.operation).toBe('payment.create');
    expect(call).not.toHaveBeenCalled();
  });

  it('keeps operations apart: one open breaker does not stop the others', async () => {
    await failTimes('settlement.create', errorFromResponse('settlement.create', 500, undefined), 5);
    expect(breakers.state('settlement.create')).toBe('open');
    await expect(breakers.run('payment.create', ok)).resolves.toBe('ok');
  });

  it('stays closed while failures are at most half the calls', async () => {
    const err = errorFromResponse('payment.get', 500, undefined);
    for (let i = 0; i < 5; i++) {
      await breakers.run('payment.get', ok);
      await expect(breakers.run('payment.get', failWith(err))).rejects.toBe(err);
    }
    expect(breakers.state('payment.get')).toBe('closed');
  });

  it('lets one trial through after the reset timeout and closes when it succeeds', async () => {
    await failTimes('payment.get', errorFromResponse('payment.get', 502, undefined), 5);
    expect(breakers.state('payment.get')).toBe('open');
    await sleep(150);
    expect(breakers.state('payment.get')).toBe('half_open');
    await expect(breakers.run('payment.get', ok)).resolves.toBe('ok');
    expect(breakers.state('payment.get')).toBe('closed');
    expect(changes).toEqual([
      ['payment.get', 'open'],
      ['payment.get', 'half_open'],
      ['payment.get', 'closed'],
    ]);
  });

  it('rejects other calls while the half-open trial is in flight', async () => {
    await failTimes('payment.get', errorFromResponse('payment.get', 500, undefined), 5);
    await sleep(150);
    let release!: () => void;
    const trial = breakers.run('payment.get', () => new Promise<string>((r) => (release = () => r('ok'))));
    await expect(breakers.run('payment.get', ok)).rejects.toMatchObject({ code: PaystoreErrorCode.CircuitOpen });
    release();
    await expect(trial).resolves.toBe('ok');
    expect(breakers.state('payment.get')).toBe('closed');
  });

  it('opens again when the half-open trial fails', async () => {
    const err = errorFromResponse('payment.get', 500, undefined);
    await failTimes('payment.get', err, 5);
    await sleep(150);
    await expect(breakers.run('payment.get', failWith(err))).rejects.toBe(err);
    expect(breakers.state('payment.get')).toBe('open');
  });

  it('closes on a half-open trial answered with a 4xx: the provider is answering', async () => {
    await failTimes('payment.get', errorFromResponse('payment.get', 500, undefined), 5);
    await sleep(150);
    const notFound = errorFromResponse('payment.get', 404, undefined);
    await expect(breakers.run('payment.get', failWith(notFound))).rejects.toBe(notFound);
    expect(breakers.state('payment.get')).toBe('closed');
  });

  it('fails every call with CIRCUIT_OPEN (not sent) after shutdown', async () => {
    breakers.shutdown();
    const call = jest.fn(ok);
    await expect(breakers.run('payment.get', call)).rejects.toMatchObject({ code: PaystoreErrorCode.CircuitOpen, outcome: 'not_sent' });
    expect(call).not.toHaveBeenCalled();
    breakers.shutdown();
  });
});
