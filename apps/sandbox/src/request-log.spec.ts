import { RequestLog, type RequestLogEntry } from './request-log';

function entry(n: number, method = 'GET', path = `/v1/p/${n}`): RequestLogEntry {
  return { at: new Date(n).toISOString(), method, path, query: {}, body: null, status: 200 };
}

describe('RequestLog', () => {
  it('keeps entries oldest first', () => {
    const log = new RequestLog(10);
    [1, 2, 3].forEach((n) => log.record(entry(n)));
    expect(log.entries().map((e) => e.path)).toEqual(['/v1/p/1', '/v1/p/2', '/v1/p/3']);
  });

  it('drops the oldest entries beyond its limit', () => {
    const log = new RequestLog(3);
    [1, 2, 3, 4, 5].forEach((n) => log.record(entry(n)));
    expect(log.entries().map((e) => e.path)).toEqual(['/v1/p/3', '/v1/p/4', '/v1/p/5']);
  });

  it('filters by path substring and by method, case-insensitively for the method', () => {
    const log = new RequestLog(10);
    log.record(entry(1, 'POST', '/v1/a/payments'));
    log.record(entry(2, 'GET', '/v1/a/payments/1'));
    log.record(entry(3, 'POST', '/v1/a/refunds'));
    expect(log.entries({ path: 'payments', method: 'post' }).map((e) => e.path)).toEqual(['/v1/a/payments']);
  });

  it('starts empty again after clear', () => {
    const log = new RequestLog(2);
    [1, 2, 3].forEach((n) => log.record(entry(n)));
    log.clear();
    log.record(entry(9));
    expect(log.entries().map((e) => e.path)).toEqual(['/v1/p/9']);
  });
});
