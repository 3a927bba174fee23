// The unified operation model: types, statuses and the only transitions allowed between them.
import { z } from 'zod';

export const OperationType = Object.freeze({
  Payment: 'payment',
  Reversal: 'reversal',
  Refund: 'refund',
  Settlement: 'settlement',
} as const);
export type OperationType = (typeof OperationType)[keyof typeof OperationType];
export const OPERATION_TYPES = Object.freeze(Object.values(OperationType));

/** Id prefixes by operation type; ids are opaque strings to clients. */
export const OPERATION_ID_PREFIX: Readonly<Record<OperationType, string>> = Object.freeze({
  payment: 'pay',
  reversal: 'rev',
  refund: 'ref',
  settlement: 'set',
});

export const OperationStatus = Object.freeze({
  Accepted: 'accepted',
  Pending: 'pending',
  InProgress: 'in_progress',
  Cancelling: 'cancelling',
  Unknown: 'unknown',
  Approved: 'approved',
  Rejected: 'rejected',
  Cancelled: 'cancelled',
  Expired: 'expired',
  Failed: 'failed',
} as const);
export type OperationStatus = (typeof OperationStatus)[keyof typeof OperationStatus];
export const OPERATION_STATUSES = Object.freeze(Object.values(OperationStatus));
export const operationStatusSchema = z.enum(OPERATION_STATUSES as [OperationStatus, ...OperationStatus[]]);

export const FINAL_STATUSES: ReadonlySet<OperationStatus> = new Set<OperationStatus>([
  'approved',
  'rejected',
  'cancelled',
  'expired',
  'failed',
]);

export function isFinal(status: OperationStatus): boolean {
  return FINAL_STATUSES.has(status);
}

const FINALS: OperationStatus[] = ['approved', 'rejected', 'cancelled', 'expired', 'failed'];

/**
 * Allowed transitions. `unknown` is entered when a submitted intent cannot be found yet and is left
 * only by reconciliation. `cancelling` may still end `approved` (the terminal had already completed).
 */
export const TRANSITIONS: Readonly<Record<OperationStatus, readonly OperationStatus[]>> = Object.freeze({
  accepted: ['pending', 'in_progress', 'unknown', 'cancelling', ...FINALS],
  pending: ['in_progress', 'cancelling', 'unknown', ...FINALS],
  in_progress: ['cancelling', 'unknown', ...FINALS],
  unknown: ['pending', 'in_progress', 'cancelling', ...FINALS],
  cancelling: ['in_progress', 'unknown', ...FINALS],
  approved: [],
  rejected: [],
  cancelled: [],
  expired: [],
  failed: [],
});

export function canTransition(from: OperationStatus, to: OperationStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

/** Statuses from which a cash register may still ask to cancel. */
export const CANCELLABLE_STATUSES: ReadonlySet<OperationStatus> = new Set<OperationStatus>([
  'accepted',
  'pending',
  'in_progress',
  'unknown',
]);
