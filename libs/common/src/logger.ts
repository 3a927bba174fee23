// JSON logs (pino). Secrets and card data never reach a log line: known secret-bearing paths are
// redacted, and callers log ids, never request bodies.
import pino, { DestinationStream, Logger, LoggerOptions } from 'pino';

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

export interface LoggerExtras {
  /** Where lines go; default stdout. Tests pass a stream to read them. */
  destination?: DestinationStream;
  /** Fields added to every line at write time (pino `mixin`), e.g. the operation a job works on. */
  mixin?: LoggerOptions['mixin'];
}

export function createLogger(name: string, level: string = process.env.LOG_LEVEL ?? 'info', extras: LoggerExtras = {}): Logger {
  const options: LoggerOptions = { name, level, redact: { paths: REDACT_PATHS, censor: '[redacted]' }, base: { app: name } };
  if (extras.mixin) options.mixin = extras.mixin;
  return extras.destination ? pino(options, extras.destination) : pino(options);
}

export type { Logger };
