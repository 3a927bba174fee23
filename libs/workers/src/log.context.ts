// Which operation (and job) the current async work is about, so every log line written while a
// job runs names it, whoever writes it: the runner, the advancer, the lifecycle or the PayStore
// client's observers. The runtime's logger reads it through pino's `mixin`.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Logger } from '@app/common';

export interface OperationLogContext {
  operationId: string;
  jobId?: string;
}

const storage = new AsyncLocalStorage<OperationLogContext>();

/** Runs `work` with `context` as the operation every log line inside it is about. */
export function withOperationLogContext<T>(context: OperationLogContext, work: () => T): T {
  return storage.run(context, work);
}

export function currentOperationLogContext(): OperationLogContext | undefined {
  return storage.getStore();
}

/**
 * A pino `mixin`: the current operation's fields, minus those the logger is already bound to (a
 * child with `{ operationId }`) so no line carries a key twice. A line's own fields win over it.
 */
export function operationLogMixin(_merge: object, _level: number, logger?: Logger): Record<string, string> {
  const context = storage.getStore();
  if (!context) return {};
  const bound = logger ? logger.bindings() : {};
  const fields: Record<string, string> = {};
  if (!('operationId' in bound)) fields.operationId = context.operationId;
  if (context.jobId !== undefined && !('jobId' in bound)) fields.jobId = context.jobId;
  return fields;
}
