// What the events of one operation must tell: its lifecycle, step by step, as the operation model
// allows it. Every status change publishes an event, so no step may be missing: each consecutive
// pair of statuses is an allowed transition (canTransition), from `accepted` to one final status.
import { canTransition, FINAL_STATUSES, OPERATION_STATUSES, OperationStatus } from '@app/contracts';

const STATUSES: ReadonlySet<string> = new Set(OPERATION_STATUSES);

/**
 * What is wrong with `types` (e.g. `['payment.accepted', 'payment.pending', 'payment.approved']`)
 * as the events of one `kind` operation that ended `last`; empty when nothing is.
 */
export function lifecycleProblems(types: readonly string[], kind: string, last: string): string[] {
  const problems: string[] = [];
  const prefix = `${kind}.`;
  for (const t of types) if (!t.startsWith(prefix)) problems.push(`${t} is not a ${kind} event`);
  const statuses = types.map((t) => (t.startsWith(prefix) ? t.slice(prefix.length) : t));
  for (const s of statuses) if (!STATUSES.has(s)) problems.push(`${s} is not a status`);
  if (problems.length > 0) return problems;
  if (statuses[0] !== 'accepted') problems.push(`starts ${statuses[0] ?? '(nothing)'}, not accepted`);
  if (statuses.at(-1) !== last) problems.push(`ends ${statuses.at(-1) ?? '(nothing)'}, not ${last}`);
  const finals = statuses.filter((s) => FINAL_STATUSES.has(s as OperationStatus));
  if (finals.length !== 1) problems.push(`has ${finals.length} final statuses (${finals.join(', ')}), not one`);
  const repeated = statuses.filter((s, i) => statuses.indexOf(s) !== i);
  if (repeated.length > 0) problems.push(`repeats ${[...new Set(repeated)].join(', ')}`);
  for (let i = 1; i < statuses.length; i++) {
    const from = statuses[i - 1] as OperationStatus;
    const to = statuses[i] as OperationStatus;
    if (!canTransition(from, to)) problems.push(`${from} → ${to} is not an allowed transition`);
  }
  return problems;
}

/**
 * The events of one operation start `accepted`, go only by allowed transitions, never repeat a
 * status, and end in `last`, the only final status among them. Answers the statuses.
 */
export function expectLifecycle(types: readonly string[], kind: string, last: string): string[] {
  // Both in one object, so a failure shows the whole sequence beside what is wrong with it.
  expect({ events: types, problems: lifecycleProblems(types, kind, last) }).toEqual({ events: types, problems: [] });
  return types.map((t) => t.slice(kind.length + 1));
}
