// The fault matrix's judge: after a run, compares what the provider's ledger holds, what the
// database says and what every consumer received. Pure: the run collects the inputs, this decides.
// Each check is a row of the summary; any failed row fails the run.

export const FINAL_STATUSES: ReadonlySet<string> = new Set(['approved', 'rejected', 'cancelled', 'expired', 'failed']);

/** What the plan of the run says an operation must end as (from the sandbox's magic amounts). */
export interface PlannedOperation {
  id: string;
  type: string;
  /** What made the outcome (e.g. `payment …05 declined`), shown when it is missed. */
  label: string;
  expected: string;
  expectedFailure?: string;
}

/** An operation as the database has it at the end. */
export interface StoredOperation {
  id: string;
  type: string;
  status: string;
  providerId: string | null;
  failureCode: string | null;
}

/** A create the provider's request log shows, by our reference (ecr_transaction_id). */
export interface LoggedCreate {
  reference: string;
  /** HTTP status answered; null when no answer was sent (held, dropped, the client gave up). */
  status: number | null;
}

export interface OutboxRow {
  id: string;
  type: string;
  subject: string;
  published: boolean;
}

/** One consumer: the ids it had to get (event ids, or operation ids for a journal) and what it got. */
export interface ConsumerRecord {
  name: string;
  expected: readonly string[];
  received: readonly string[];
  /** Ids it got that it should not have (a journal booking something not approved): none allowed. */
  forbidden?: readonly string[];
}

export interface Leftover {
  what: string;
  count: number;
}

export interface ResumeMeasure {
  kill: string;
  operationId: string;
  /** From SIGKILL to the next provider request about the operation; null when none came. */
  ms: number | null;
}

export interface IdempotencyBurst {
  key: string;
  answers: { status: number; id: string | null }[];
  /** Operations the database holds for that command. */
  operations: number;
}

export interface FaultRunInput {
  planned: readonly PlannedOperation[];
  operations: readonly StoredOperation[];
  /** Intents the provider holds per reference (every kind of intent counted). */
  providerIntents: Readonly<Record<string, number>>;
  providerCreates: readonly LoggedCreate[];
  outbox: readonly OutboxRow[];
  consumers: readonly ConsumerRecord[];
  leftovers: readonly Leftover[];
  resumes: readonly ResumeMeasure[];
  resumeLimitMs: number;
  /** Kills whose resume was to be measured: each needs at least one measured operation. */
  kills: readonly string[];
  idempotency: readonly IdempotencyBurst[];
  /**
   * Operations whose create's answer the worker never got: a SIGKILLed worker was sending it, or
   * the provider held the answer past the worker's timeout. Such a create is looked up, never sent
   * again; if the provider never shows it, it ends failed PROVIDER.OUTCOME_UNKNOWN, which is right
   * only when the provider indeed holds nothing for it.
   */
  interrupted?: readonly string[];
  /** Create attempts after which an operation the provider kept refusing ends `failed` PAYSTORE.UNAVAILABLE. */
  createMaxAttempts: number;
}

export interface CheckRow {
  check: string;
  ok: boolean;
  figures: string;
  problems: string[];
}

export interface Verdict {
  ok: boolean;
  rows: CheckRow[];
}

const SHOWN = 5;

function row(check: string, figures: string, problems: string[]): CheckRow {
  return { check, ok: problems.length === 0, figures, problems };
}

function sample(items: readonly string[]): string {
  return items.length <= SHOWN ? items.join(', ') : `${items.slice(0, SHOWN).join(', ')} … (+${items.length - SHOWN})`;
}

export function checkFaultRun(input: FaultRunInput): Verdict {
  const rows: CheckRow[] = [];
  const byId = new Map(input.operations.map((op) => [op.id, op]));
  const refusedCreates = new Map<string, number>();
  const acceptedCreates = new Map<string, number>();
  for (const c of input.providerCreates) {
    if (c.status !== null && c.status >= 200 && c.status < 300) acceptedCreates.set(c.reference, (acceptedCreates.get(c.reference) ?? 0) + 1);
    if (c.status !== null && c.status >= 500) refusedCreates.set(c.reference, (refusedCreates.get(c.reference) ?? 0) + 1);
  }

  // 1. Every operation final.
  const open = input.operations.filter((op) => !FINAL_STATUSES.has(op.status)).map((op) => `${op.id} ${op.status}`);
  rows.push(row('operations final', `${input.operations.length - open.length}/${input.operations.length}`, open.length ? [`not final: ${sample(open)}`] : []));

  // 2. Each with the status its amount dictates. The one outcome a fault may justify: a create the
  //    provider refused every time it was sent (503s) ends failed PAYSTORE.UNAVAILABLE — only when
  //    the provider's log shows every allowed attempt refused and the provider holds no intent.
  const wrong: string[] = [];
  const missing: string[] = [];
  const justified: string[] = [];
  const unknownAfterKill: string[] = [];
  const interrupted = new Set(input.interrupted ?? []);
  for (const plan of input.planned) {
    const op = byId.get(plan.id);
    if (!op) {
      missing.push(plan.id);
      continue;
    }
    const statusOk = op.status === plan.expected && (plan.expectedFailure === undefined || op.failureCode === plan.expectedFailure);
    if (statusOk) continue;
    const refusedEveryTime =
      op.status === 'failed' &&
      op.failureCode === 'PAYSTORE.UNAVAILABLE' &&
      (refusedCreates.get(op.id) ?? 0) >= input.createMaxAttempts &&
      (acceptedCreates.get(op.id) ?? 0) === 0 &&
      (input.providerIntents[op.id] ?? 0) === 0;
    const lostWithTheWorker =
      op.status === 'failed' &&
      op.failureCode === 'PROVIDER.OUTCOME_UNKNOWN' &&
      interrupted.has(op.id) &&
      (acceptedCreates.get(op.id) ?? 0) === 0 &&
      (input.providerIntents[op.id] ?? 0) === 0;
    if (refusedEveryTime) justified.push(op.id);
    else if (lostWithTheWorker) unknownAfterKill.push(op.id);
    else wrong.push(`${op.id} (${plan.label}) is ${op.status}${op.failureCode ? ` ${op.failureCode}` : ''}, expected ${plan.expected}${plan.expectedFailure ? ` ${plan.expectedFailure}` : ''}`);
  }
  const plannedIds = new Set(input.planned.map((p) => p.id));
  const unplanned = input.operations.filter((op) => !plannedIds.has(op.id)).map((op) => op.id);
  rows.push(
    row(
      'outcome as the amount dictates',
      `${input.planned.length - wrong.length - missing.length - justified.length - unknownAfterKill.length}/${input.planned.length}` +
        (justified.length ? `, ${justified.length} failed after ${input.createMaxAttempts} refused creates` : '') +
        (unknownAfterKill.length ? `, ${unknownAfterKill.length} failed PROVIDER.OUTCOME_UNKNOWN after a lost create answer (provider holds nothing)` : ''),
      [
        ...(wrong.length ? [`wrong outcome: ${sample(wrong)}`] : []),
        ...(missing.length ? [`planned but not stored: ${sample(missing)}`] : []),
        ...(unplanned.length ? [`stored but never planned: ${sample(unplanned)}`] : []),
      ],
    ),
  );

  // 3. One intent per operation at the provider, and the operation knows it.
  const duplicated: string[] = [];
  const orphaned: string[] = [];
  const unknownToProvider: string[] = [];
  const twiceAccepted: string[] = [];
  let withIntent = 0;
  for (const op of input.operations) {
    const intents = input.providerIntents[op.id] ?? 0;
    if (intents === 1) withIntent++;
    if (intents > 1) duplicated.push(`${op.id} ×${intents}`);
    if (op.providerId === null && intents > 0) orphaned.push(`${op.id} (${op.status})`);
    if (op.providerId !== null && intents !== 1) unknownToProvider.push(`${op.id} (${intents} intents)`);
    if ((acceptedCreates.get(op.id) ?? 0) > 1) duplicated.push(`${op.id} accepted ${acceptedCreates.get(op.id)} creates`);
    if ((acceptedCreates.get(op.id) ?? 0) > intents) twiceAccepted.push(op.id);
  }
  rows.push(
    row(
      'one intent per operation at the provider',
      `${withIntent} with one intent, ${input.operations.length - withIntent} with none, ${input.providerCreates.length} creates logged`,
      [
        ...(duplicated.length ? [`created more than once: ${sample(duplicated)}`] : []),
        ...(orphaned.length ? [`intent at the provider the operation never adopted: ${sample(orphaned)}`] : []),
        ...(unknownToProvider.length ? [`provider id stored but the ledger disagrees: ${sample(unknownToProvider)}`] : []),
        ...(twiceAccepted.length ? [`accepted creates the ledger does not hold: ${sample(twiceAccepted)}`] : []),
      ],
    ),
  );

  // 4. Every outbox event published.
  const unpublished = input.outbox.filter((e) => !e.published).map((e) => e.id);
  rows.push(row('outbox published', `${input.outbox.length - unpublished.length}/${input.outbox.length}`, unpublished.length ? [`unpublished: ${sample(unpublished)}`] : []));

  // 5. Every consumer got everything it had to (duplicates allowed, none missing).
  for (const consumer of input.consumers) {
    const got = new Set(consumer.received);
    const lacking = consumer.expected.filter((id) => !got.has(id));
    const forbidden = new Set(consumer.forbidden ?? []);
    const extra = [...got].filter((id) => forbidden.has(id));
    const duplicates = consumer.received.length - got.size;
    rows.push(
      row(
        `consumer ${consumer.name}`,
        `${consumer.expected.length - lacking.length}/${consumer.expected.length} received, ${duplicates} duplicates`,
        [...(lacking.length ? [`missing ${lacking.length}: ${sample(lacking)}`] : []), ...(extra.length ? [`should not have: ${sample(extra)}`] : [])],
      ),
    );
  }

  // 6. Nothing stuck.
  const stuck = input.leftovers.filter((l) => l.count > 0).map((l) => `${l.what}: ${l.count}`);
  rows.push(row('nothing left behind', input.leftovers.map((l) => `${l.what} ${l.count}`).join(', ') || 'nothing counted', stuck));

  // 7. A killed worker's operations resume in time.
  const problems: string[] = [];
  for (const kill of input.kills) {
    const measured = input.resumes.filter((r) => r.kill === kill);
    if (measured.length === 0) problems.push(`${kill}: no operation was active on the killed worker`);
    const never = measured.filter((r) => r.ms === null).map((r) => r.operationId);
    if (never.length) problems.push(`${kill}: never resumed: ${sample(never)}`);
    const late = measured.filter((r) => r.ms !== null && r.ms > input.resumeLimitMs).map((r) => `${r.operationId} ${r.ms} ms`);
    if (late.length) problems.push(`${kill}: resumed late: ${sample(late)}`);
  }
  const times = input.resumes.map((r) => r.ms).filter((ms): ms is number => ms !== null);
  rows.push(
    row(
      `resume after SIGKILL ≤ ${input.resumeLimitMs} ms`,
      times.length ? `${times.length} operations, max ${Math.max(...times)} ms, median ${median(times)} ms` : 'none measured',
      problems,
    ),
  );

  // 8. One command sent at once under one Idempotency-Key: one operation, the same answer.
  for (const burst of input.idempotency) {
    const ids = new Set(burst.answers.map((a) => a.id));
    const bad = burst.answers.filter((a) => a.status !== 200 && a.status !== 202).map((a) => String(a.status));
    rows.push(
      row(
        `idempotency key ${burst.key}`,
        `${burst.answers.length} answers, ${ids.size} operation id(s), ${burst.operations} stored`,
        [
          ...(ids.size !== 1 || ids.has(null) ? [`answers name ${ids.size} operations: ${sample([...ids].map(String))}`] : []),
          ...(bad.length ? [`answers not 200/202: ${sample(bad)}`] : []),
          ...(burst.operations !== 1 ? [`${burst.operations} operations stored`] : []),
        ],
      ),
    );
  }

  return { ok: rows.every((r) => r.ok), rows };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** The summary table, one line per check, then each failed check's problems. */
export function formatVerdict(verdict: Verdict): string {
  const width = Math.max(...verdict.rows.map((r) => r.check.length), 5);
  const lines = [`${'check'.padEnd(width)}  ok    figures`, `${'-'.repeat(width)}  ----  ${'-'.repeat(40)}`];
  for (const r of verdict.rows) lines.push(`${r.check.padEnd(width)}  ${r.ok ? 'ok  ' : 'FAIL'}  ${r.figures}`);
  for (const r of verdict.rows.filter((x) => !x.ok)) {
    lines.push('', `${r.check}:`);
    for (const p of r.problems) lines.push(`  - ${p}`);
  }
  return lines.join('\n');
}
