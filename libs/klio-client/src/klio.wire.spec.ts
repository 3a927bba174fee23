import { fromKlioAmount, taskSchema, toKlioAmount } from './klio.wire';
import { errorFromFetchFailure, errorFromResponse, KlioErrorCode } from './klio.errors';

describe('amounts', () => {
  it('centavos become pesos with at most two decimals, and back', () => {
    expect(toKlioAmount(150_005)).toBe(1500.05);
    expect(toKlioAmount(100_000)).toBe(1000);
    expect(toKlioAmount(1)).toBe(0.01);
    expect(JSON.stringify({ amount: toKlioAmount(1_999_999) })).toBe('{"amount":19999.99}');
    for (const cents of [1, 7, 10, 99, 105, 123_456_789, 100_000_001]) expect(fromKlioAmount(toKlioAmount(cents))).toBe(cents);
  });

  it('refuses what is not a positive whole number of centavos', () => {
    expect(() => toKlioAmount(0)).toThrow(RangeError);
    expect(() => toKlioAmount(10.5)).toThrow(RangeError);
    expect(() => fromKlioAmount(1.005)).toThrow(RangeError);
  });
});

describe('taskSchema', () => {
  const ok = { taskId: 15, originID: 'MERCH-15', generationDate: '2023-11-13T21:17:22.457', status: 'InProgress', statusDate: '2023-11-13T21:22:03.97', paymentaData: null };

  it('reads the public answer example, taskId as a string', () => {
    expect(taskSchema.parse(ok)).toMatchObject({ taskId: '15', originID: 'MERCH-15', status: 'InProgress', paymentaData: null });
  });

  it('catches a wrong answer', () => {
    expect(taskSchema.safeParse({ ...ok, taskId: undefined }).success).toBe(false);
    expect(taskSchema.safeParse({ ...ok, originID: '' }).success).toBe(false);
    expect(taskSchema.safeParse({ ...ok, status: 3 }).success).toBe(false);
    expect(taskSchema.safeParse({ ...ok, paymentaData: { cardPaymentaData: { status: 'APPROVED', lastFourDigits: 1234 } } }).success).toBe(false);
  });
});

describe('errors', () => {
  it('maps HTTP answers to outcomes', () => {
    expect(errorFromResponse('task.submit', 400, { code: 'VALIDATION_ERROR', message: 'bad' })).toMatchObject({
      code: KlioErrorCode.BadRequest,
      outcome: 'rejected',
      providerCode: 'VALIDATION_ERROR',
      providerMessage: 'bad',
      tripsBreaker: false,
    });
    expect(errorFromResponse('task.submit', 422, { code: 'ANNULMENT_PERIOD_EXPIRED' })).toMatchObject({ code: KlioErrorCode.Refused, outcome: 'rejected' });
    expect(errorFromResponse('task.cancel', 409, null)).toMatchObject({ outcome: 'conflict' });
    expect(errorFromResponse('task.submit', 503, null)).toMatchObject({ outcome: 'not_applied', tripsBreaker: true });
    expect(errorFromResponse('task.submit', 502, null)).toMatchObject({ outcome: 'unknown', tripsBreaker: true });
    expect(errorFromResponse('task.get', 401, null)).toMatchObject({ code: KlioErrorCode.Unauthorized, tripsBreaker: false });
    // The PayStore-style envelope of an injected fault is read too.
    expect(errorFromResponse('task.get', 500, { errors: [{ code: 'INTERNAL_ERROR', title: 'injected' }] }).providerCode).toBe('INTERNAL_ERROR');
  });

  it('a refused connection is not sent; a lost one on a submit is unknown', () => {
    expect(errorFromFetchFailure('task.submit', Object.assign(new Error('x'), { cause: { code: 'ECONNREFUSED' } }), undefined).outcome).toBe('not_sent');
    expect(errorFromFetchFailure('task.submit', new Error('socket hang up'), undefined).outcome).toBe('unknown');
    expect(errorFromFetchFailure('task.get', new Error('aborted'), 300)).toMatchObject({ code: KlioErrorCode.Timeout, outcome: 'unknown' });
  });

  it('redacts secrets from provider text', () => {
    const err = errorFromResponse('token', 401, { message: 'bad secret s3cr3t-value' }, (t) => t.split('s3cr3t-value').join('[redacted]'));
    expect(err.message).not.toContain('s3cr3t-value');
  });
});
