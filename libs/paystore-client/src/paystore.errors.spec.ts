import { networkError } from './fake-fetch.spec-util';
import {
  circuitOpenError,
  errorFromFetchFailure,
  errorFromResponse,
  isOutcomeUnknown,
  parseProviderErrors,
  PaystoreError,
  PaystoreErrorCode,
  protocolError,
  tokenFailureError,
} from './paystore.errors';

describe('PayStore error mapping', () => {
  it.each([
    [400, PaystoreErrorCode.BadRequest, 'not_applied', false],
    [401, PaystoreErrorCode.Unauthorized, 'not_applied', false],
    [403, PaystoreErrorCode.Unauthorized, 'not_applied', false],
    [404, PaystoreErrorCode.NotFound, 'not_applied', false],
    [409, PaystoreErrorCode.Conflict, 'not_applied', false],
    [422, PaystoreErrorCode.BadRequest, 'not_applied', false],
    [429, PaystoreErrorCode.Unavailable, 'not_applied', true],
    [503, PaystoreErrorCode.Unavailable, 'not_applied', true],
    [500, PaystoreErrorCode.ServerError, 'unknown', true],
    [502, PaystoreErrorCode.ServerError, 'unknown', true],
    [504, PaystoreErrorCode.ServerError, 'unknown', true],
    [302, PaystoreErrorCode.Protocol, 'unknown', false],
  ] as const)('maps HTTP %i on a create to %s (%s)', (status, code, outcome, trips) => {
    const err = errorFromResponse('payment.create', status, undefined);
    expect(err).toBeInstanceOf(PaystoreError);
    expect(err.code).toBe(code);
    expect(err.outcome).toBe(outcome);
    expect(err.httpStatus).toBe(status);
    expect(err.operation).toBe('payment.create');
    expect(err.tripsBreaker).toBe(trips);
    expect(isOutcomeUnknown(err)).toBe(outcome === 'unknown');
  });

  it('keeps the provider errors of the documented envelope and names the first in the message', () => {
    const err = errorFromResponse('payment.cancel', 409, {
      errors: [{ status: '409', code: 'INVALID_STATE', title: 'payment is PROCESSING_PAYMENT', acquirer_message: 'EN CURSO' }],
    });
    expect(err.providerErrors).toEqual([
      { status: '409', code: 'INVALID_STATE', title: 'payment is PROCESSING_PAYMENT', acquirerMessage: 'EN CURSO' },
    ]);
    expect(err.providerCode).toBe('INVALID_STATE');
    expect(err.message).toBe('PayStore payment.cancel answered HTTP 409 INVALID_STATE: payment is PROCESSING_PAYMENT');
  });

  it('reads { code, message } items, a bare { code, message } object and OAuth errors', () => {
    expect(parseProviderErrors({ errors: [{ code: 'E1', message: 'bad amount' }] })).toEqual([{ code: 'E1', title: 'bad amount' }]);
    expect(parseProviderErrors({ code: 'E2', message: 'nope' })).toEqual([{ code: 'E2', title: 'nope' }]);
    expect(parseProviderErrors({ error: 'invalid_client', error_description: 'bad secret' })).toEqual([
      { code: 'invalid_client', title: 'bad secret' },
    ]);
    expect(parseProviderErrors({ errors: [{ status: 400, code: 'BAD_REQUEST' }] })).toEqual([{ status: '400', code: 'BAD_REQUEST' }]);
  });

  it('tolerates bodies that are not the error envelope', () => {
    expect(parseProviderErrors(undefined)).toEqual([]);
    expect(parseProviderErrors('<html>502 Bad Gateway</html>')).toEqual([]);
    expect(parseProviderErrors({ errors: [null, 3, 'x', {}] })).toEqual([]);
    expect(parseProviderErrors({ unrelated: true })).toEqual([]);
    expect(errorFromResponse('payment.get', 500, null).message).toBe('PayStore payment.get answered HTTP 500');
  });

  it('redacts and clips provider text', () => {
    const err = errorFromResponse('token', 401, { errors: [{ code: 'invalid_client', title: `secret s3cr3t-value ${'x'.repeat(500)}` }] }, (t) =>
      t.split('s3cr3t-value').join('[redacted]'),
    );
    expect(err.message).not.toContain('s3cr3t-value');
    expect(err.providerErrors[0]?.title?.length).toBeLessThanOrEqual(301);
  });

  it('maps a timeout to TIMEOUT with an unknown outcome', () => {
    const err = errorFromFetchFailure('payment.create', new DOMException('aborted', 'AbortError'), 2000);
    expect(err.code).toBe(PaystoreErrorCode.Timeout);
    expect(err.outcome).toBe('unknown');
    expect(err.tripsBreaker).toBe(true);
    expect(err.message).toContain('2000 ms');
  });

  it.each(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'UND_ERR_CONNECT_TIMEOUT'])(
    'maps %s (no connection made) to NETWORK, not sent',
    (code) => {
      const err = errorFromFetchFailure('payment.create', networkError(code), undefined);
      expect(err.code).toBe(PaystoreErrorCode.Network);
      expect(err.outcome).toBe('not_sent');
      expect(err.tripsBreaker).toBe(true);
    },
  );

  it.each(['ECONNRESET', 'UND_ERR_SOCKET', 'EPIPE'])('maps %s (connection lost after sending) to NETWORK, unknown', (code) => {
    const err = errorFromFetchFailure('payment.create', networkError(code), undefined);
    expect(err.code).toBe(PaystoreErrorCode.Network);
    expect(err.outcome).toBe('unknown');
  });

  it('treats a network failure it cannot explain as unknown', () => {
    expect(errorFromFetchFailure('refund.create', new TypeError('fetch failed'), undefined).outcome).toBe('unknown');
  });

  it('sees refused connections on every address as not sent', () => {
    const aggregate = Object.assign(new AggregateError([networkError('ECONNREFUSED').cause, networkError('ECONNREFUSED').cause]), {});
    const err = errorFromFetchFailure('payment.get', new TypeError('fetch failed', { cause: aggregate }), undefined);
    expect(err.outcome).toBe('not_sent');
  });

  it('maps an unreadable answer to PROTOCOL, unknown, without tripping the breaker', () => {
    const err = protocolError('payment.create', 200, 'not JSON');
    expect(err.code).toBe(PaystoreErrorCode.Protocol);
    expect(err.outcome).toBe('unknown');
    expect(err.tripsBreaker).toBe(false);
  });

  it('maps an open breaker to CIRCUIT_OPEN, not sent', () => {
    const err = circuitOpenError('payment.create', 'open');
    expect(err.code).toBe(PaystoreErrorCode.CircuitOpen);
    expect(err.outcome).toBe('not_sent');
    expect(isOutcomeUnknown(err)).toBe(false);
  });

  it('reports a failed token request as not sent for the call that needed it', () => {
    const tokenTimeout = errorFromFetchFailure('token', new DOMException('aborted', 'AbortError'), 1000);
    expect(tokenTimeout.outcome).toBe('unknown');
    const err = tokenFailureError('payment.create', tokenTimeout);
    expect(err.code).toBe(PaystoreErrorCode.Timeout);
    expect(err.operation).toBe('token');
    expect(err.outcome).toBe('not_sent');
    expect(err.message).toContain('payment.create was not sent');
    expect(err.cause).toBe(tokenTimeout);
  });

  it('serializes to JSON with its code and outcome', () => {
    const json = JSON.parse(JSON.stringify(errorFromResponse('payment.get', 404, { errors: [{ code: 'NOT_FOUND' }] }))) as Record<
      string,
      unknown
    >;
    expect(json).toMatchObject({ name: 'PaystoreError', code: 'PAYSTORE.NOT_FOUND', outcome: 'not_applied', httpStatus: 404 });
  });

  it('answers isOutcomeUnknown false for anything that is not a PaystoreError', () => {
    expect(isOutcomeUnknown(new Error('x'))).toBe(false);
    expect(isOutcomeUnknown(undefined)).toBe(false);
  });
});
