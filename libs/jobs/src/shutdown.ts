// How every app stops on SIGTERM (Kubernetes) or SIGINT (Ctrl-C): it runs its own orderly stop and
// exits 0, all within SHUTDOWN_GRACE_MS. The grace period is split: most of it for work in flight
// (job steps, HTTP requests), the rest kept for what must follow (the outbox flush, closing
// connections). A stop that overruns the whole period exits 1 rather than wait for SIGKILL.
import type { Logger } from '@app/common';

/** The part of the grace period kept for flushing and closing after work in flight: a quarter, at most 5 s. */
export function closingReserveMs(graceMs: number): number {
  return Math.min(5000, Math.floor(graceMs / 4));
}

/** How long work in flight may take once a stop begins, leaving the closing reserve. */
export function drainBudgetMs(graceMs: number): number {
  return Math.max(0, graceMs - closingReserveMs(graceMs));
}

let signalledAt: number | null = null;

/**
 * Time left for work in flight: the drain budget of the grace period counted from the signal (so
 * what ran before, like closing a stream consumer, is included), or from now when the stop did not
 * come from a signal (an app closed inside a test).
 */
export function drainTimeLeftMs(graceMs: number, now = Date.now()): number {
  return Math.max(0, (signalledAt ?? now) + drainBudgetMs(graceMs) - now);
}

export interface ExitOnSignalsOptions {
  graceMs: number;
  logger: Logger;
  signals?: NodeJS.Signals[];
}

/** On the first SIGTERM/SIGINT, runs `stop` and exits 0; exits 1 if it fails or is not done within `graceMs`. */
export function exitOnSignals(stop: () => Promise<void>, { graceMs, logger, signals = ['SIGTERM', 'SIGINT'] }: ExitOnSignalsOptions): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    const started = Date.now();
    signalledAt = started;
    // The deadline is armed before anything that could throw (a log line to a closed stdout, say),
    // so a process that took the signal always exits.
    const deadline = setTimeout(() => {
      quietly(() => logger.error({ graceMs }, 'shutdown did not finish within SHUTDOWN_GRACE_MS; exiting anyway'));
      process.exit(1);
    }, graceMs);
    deadline.unref();
    quietly(() => logger.info({ signal, graceMs }, 'shutting down'));
    Promise.resolve()
      .then(stop)
      .then(
        () => {
          quietly(() => logger.info({ ms: Date.now() - started }, 'shut down'));
          flushThenExit(logger, typeof process.exitCode === 'number' ? process.exitCode : 0);
        },
        (err: unknown) => {
          quietly(() => logger.error({ err: err instanceof Error ? err.message : String(err) }, 'shutdown failed'));
          flushThenExit(logger, 1);
        },
      );
  };
  for (const signal of signals) process.on(signal, onSignal);
}

/**
 * Stops the process the way SIGTERM does (through the handlers exitOnSignals installed), then exits
 * with `code`; a process without those handlers (an app started inside a test) is left running.
 */
export function requestStop(code: number): void {
  process.exitCode = code;
  process.emit('SIGTERM', 'SIGTERM');
}

/** Runs a log call; a log that cannot be written (stdout closed) must not stop a shutdown. */
function quietly(log: () => void): void {
  try {
    log();
  } catch {
    // nothing to do: the exit that follows matters more than the line
  }
}

function flushThenExit(logger: Logger, code: number): void {
  // pino writes to stdout synchronously by default; flush() covers an asynchronous destination.
  try {
    logger.flush();
  } catch {
    // Nothing to flush.
  }
  process.exit(code);
}
