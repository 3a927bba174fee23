// JSON logs (pino). Secrets and card data never reach a log line: known secret-bearing paths are
// redacted, and callers log ids, never request bodies.
import pino, { Logger } from 'pino';

export const REDACT_PATHS = [
  'req.headers.authorization',
  'headers.authorization',
  'authorization',
  'apiKey',
  'secret',
  'clientSecret',
  'accessToken',
  'access_token',
  'password',
  '*.authorization',
  '*.apiKey',
  '*.secret',
];

export function createLogger(name: string, level: string = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({ name, level, redact: { paths: REDACT_PATHS, censor: '[redacted]' }, base: { app: name } });
}

export type { Logger };
