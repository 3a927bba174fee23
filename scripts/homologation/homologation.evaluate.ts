// Judging a case: the operations it produced, read back through the API, against its expected
// outcome and checks. Pure, so every rule is tested without a system.
import type { OperationView } from '@app/contracts';
import type { Check, HomologationCase } from './homologation.cases';

/** An operation a case created, by the name its steps gave it (`payment`, `reversal`…). */
export interface RecordedOperation {
  as: string;
  view: OperationView;
}

export interface CaseVerdict {
  passed: boolean;
  /** What went wrong, one item per broken expectation; empty when passed. */
  problems: string[];
}

/** The value at a dotted path (`card.brand`), or undefined when a step of it is missing. */
export function valueAt(source: unknown, path: string): unknown {
  let value: unknown = source;
  for (const key of path.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

function show(value: unknown): string {
  return value === undefined ? 'missing' : JSON.stringify(value);
}

function checkProblem(check: Check, op: OperationView, byName: Map<string, OperationView>): string | null {
  const actual = valueAt(op, check.path);
  const where = `${check.op}.${check.path}`;
  if ('is' in check) {
    return actual === check.is ? null : `${where} is ${show(actual)}, expected ${show(check.is)}`;
  }
  if ('set' in check) {
    return actual === null || actual === undefined || actual === '' ? `${where} is ${show(actual)}, expected a value` : null;
  }
  if ('idOf' in check) {
    const other = byName.get(check.idOf);
    if (!other) return `${where} should be the id of ${check.idOf}, which was not created`;
    return actual === other.id ? null : `${where} is ${show(actual)}, expected ${other.id} (the ${check.idOf})`;
  }
  if ('among' in check) {
    const options = valueAt(op, check.among);
    return Array.isArray(options) && options.includes(actual)
      ? null
      : `${where} is ${show(actual)}, expected one of ${check.op}.${check.among} ${show(options)}`;
  }
  return Array.isArray(actual) && actual.length === check.count
    ? null
    : `${where} has ${Array.isArray(actual) ? actual.length : show(actual)} items, expected ${check.count}`;
}

/**
 * A case passes when it ran to the end (`stepError` is null), every operation went to the case's
 * provider, every operation it names ended in its expected status with the provider's id, and
 * every check holds. All problems are listed, not only the first, so one run tells everything
 * that is off.
 */
export function evaluateCase(spec: HomologationCase, recorded: readonly RecordedOperation[], stepError: string | null): CaseVerdict {
  const problems: string[] = [];
  if (stepError !== null) problems.push(stepError);
  const byName = new Map(recorded.map((r) => [r.as, r.view]));
  for (const { as, view } of recorded) {
    if (view.provider !== spec.provider) problems.push(`${as} ${view.id} went to ${view.provider}, expected ${spec.provider}`);
  }
  for (const [name, status] of Object.entries(spec.outcome)) {
    const op = byName.get(name);
    if (!op) {
      if (stepError === null) problems.push(`no ${name} was created`);
      continue;
    }
    if (op.status !== status) {
      const why = op.failure ? ` (${op.failure.code}: ${op.failure.message})` : '';
      problems.push(`${name} ${op.id} ended ${op.status}${why}, expected ${status}`);
    }
    if (!op.providerId) problems.push(`${name} ${op.id} has no provider id`);
  }
  for (const check of spec.checks) {
    const op = byName.get(check.op);
    if (!op) continue;
    const problem = checkProblem(check, op, byName);
    if (problem !== null) problems.push(problem);
  }
  return { passed: problems.length === 0, problems };
}

/** `payment approved, reversal cancelled`: what a case's operations ended as. */
export function describeOutcome(recorded: readonly RecordedOperation[]): string {
  return recorded.length === 0 ? 'nothing created' : recorded.map((r) => `${r.as} ${r.view.status}`).join(', ');
}
