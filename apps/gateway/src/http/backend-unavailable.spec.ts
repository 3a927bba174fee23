import { isBackendUnavailable } from './backend-unavailable';

describe('isBackendUnavailable', () => {
  it.each([
    ['a pg pool with no free connection', new Error('timeout exceeded when trying to connect')],
    ['a refused connection', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })],
    ['Postgres shutting down (57P01)', Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' })],
    ['too many connections (53300)', Object.assign(new Error('sorry, too many clients already'), { code: '53300' })],
    ['a TypeORM error wrapping a dropped connection', Object.assign(new Error('query failed'), { driverError: new Error('Connection terminated unexpectedly') })],
    ['Redis offline', new Error("Stream isn't writeable and enableOfflineQueue options is false")],
    ['ioredis giving up', Object.assign(new Error('Reached the max retries per request limit (which is 20).'), { name: 'MaxRetriesPerRequestError' })],
    ['a cause chain', new Error('outer', { cause: Object.assign(new Error('inner'), { code: 'ECONNRESET' }) })],
  ])('is true for %s', (_name, err) => {
    expect(isBackendUnavailable(err)).toBe(true);
  });

  it.each([
    ['a bug', new TypeError("Cannot read properties of undefined (reading 'id')")],
    ['a constraint violation', Object.assign(new Error('duplicate key value violates unique constraint'), { code: '23505' })],
    ['a string', 'boom'],
    ['nothing', undefined],
  ])('is false for %s', (_name, err) => {
    expect(isBackendUnavailable(err)).toBe(false);
  });
});
