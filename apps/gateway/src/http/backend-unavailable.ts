// Whether an unexpected error only says that Postgres or Redis could not be reached in time (a
// pool with no free connection, a connection refused or dropped, Redis offline). Such a request is
// answered 503 with Retry-After instead of 500: it may be sent again with the same
// Idempotency-Key, which answers what became of it.

const MESSAGES = [
  'timeout exceeded when trying to connect',
  'connection terminated',
  'connection terminated unexpectedly',
  'the database system is starting up',
  'the database system is shutting down',
  'terminating connection due to administrator command',
  'connection is closed',
  "stream isn't writeable and enableofflinequeue options is false",
  'reached the max retries per request limit',
];
const CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', '57P01', '57P02', '57P03', '53300']);

export function isBackendUnavailable(err: unknown, depth = 0): boolean {
  if (!err || typeof err !== 'object' || depth > 4) return false;
  const e = err as { message?: unknown; code?: unknown; cause?: unknown; driverError?: unknown; name?: unknown };
  if (typeof e.code === 'string' && CODES.has(e.code)) return true;
  if (e.name === 'MaxRetriesPerRequestError') return true;
  const message = typeof e.message === 'string' ? e.message.toLowerCase() : '';
  if (MESSAGES.some((m) => message.includes(m))) return true;
  return isBackendUnavailable(e.driverError, depth + 1) || isBackendUnavailable(e.cause, depth + 1);
}
