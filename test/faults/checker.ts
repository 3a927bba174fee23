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
  /** `paystore` when absent. */
  provider?: string;
  /** A reversal's payment. */
  paymentId?: string | null;
  /** A split charge's transactions as we recorded them (pagoUno). */
  transactions?: readonly { id: string | null; status: string }[] | null;
}

/**
 * A create the provider's request log shows, by our reference: PayStore's ecr_transaction_id, a
 * Klio task's originID, a pagoUno charge's customer_transaction_identificator.
 */
export interface LoggedCreate {
  reference: string;
  /** HTTP status answered; null when no answer was sent (held, dropped, the client gave up). */
  status: number | null;
}

/** A task Klio holds (the sandbox's account, every device). */
export interface KlioTaskRecord {
  taskId: string;
  /** Our operation id. */
  originID: string;
  operationType: string;
  /** Created, InProgress, Processed, Completed, Failed, Canceled. */
  status: string;
  /** The card or QR voucher's status (APPROVED, REJECTED, COLLECTED, EXPIRED…); null without one. */
  voucher: string | null;
}

/** A pagoUno charge the request log shows. */
export interface PagounoChargeRecord {
  /** external_reference (else the identificator): our operation id. */
  reference: string;
  identificator: string;
  status: number | null;
}

/** A purchase group pagoUno holds, found by its external reference. */
export interface PagounoGroupRecord {
  reference: string;
  success: boolean;
  transactions: readonly { id: string; success: boolean; reversed: boolean; annulled: boolean }[];
}

/** An adjustment pagoUno holds, found by its external reference (a reversal's id). */
export interface PagounoAdjustmentRecord {
  reference: string;
  transactionId: string;
  type: string;
  success: boolean;
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
   * Operations whose create's outcome the worker never recorded: a SIGKILLed worker was sending
   * it, the provider held the answer past the worker's timeout, or the provider refused it while
   * Postgres was restarting (the refusal could not be stored). Such a create is looked up, never sent
   * again; if the provider never shows it, it ends failed PROVIDER.OUTCOME_UNKNOWN, which is right
   * only when the provider indeed holds nothing for it.
   */
  interrupted?: readonly string[];
  /** Create attempts after which an operation the provider kept refusing ends `failed` PAYSTORE.UNAVAILABLE. */
  createMaxAttempts: number;
  /** Every task Klio holds; required when the run has Klio operations. */
  klioTasks?: readonly KlioTaskRecord[];
  /** pagoUno's charges (request log), groups and adjustments; required when the run has pagoUno operations. */
  pagounoCharges?: readonly PagounoChargeRecord[];
  pagounoGroups?: readonly PagounoGroupRecord[];
  pagounoAdjustments?: readonly PagounoAdjustmentRecord[];
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

function providerOf(op: StoredOperation): string {
  return op.provider ?? 'paystore';
}

function countBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = out.get(k);
    if (list) list.push(item);
    else out.set(k, [item]);
  }
  return out;
}

const QR_UNPAID = new Set(['EXPIRED', 'NOTFOUND', 'UNDEFINED']);

/**
 * The statuses our operation may have once Klio's task ended as it did (docs/klio-wire.md, status
 * mapping); null while the task is not final at Klio.
 */
export function klioStatusesFor(task: KlioTaskRecord, annulment: boolean): readonly string[] | null {
  const v = task.voucher;
  if (task.status === 'Canceled') return ['cancelled', 'expired'];
  if (annulment) {
    if (v === 'REJECTED' || v === 'FAILED') return ['rejected'];
    if (task.status === 'Completed') return ['approved'];
  } else {
    if (v === 'COLLECTED') return ['approved'];
    if (v !== null && (QR_UNPAID.has(v) || v === 'REJECTED' || v === 'FAILED' || v === 'REVERSED')) return ['rejected'];
    if (task.status === 'Completed') return v === 'APPROVED' ? ['approved'] : ['failed'];
  }
  if (task.status === 'Failed') return ['failed'];
  return null;
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

  const klioByOrigin = countBy(input.klioTasks ?? [], (t) => t.originID);
  const groupsByRef = countBy(input.pagounoGroups ?? [], (g) => g.reference);
  const adjustmentsByRef = countBy(input.pagounoAdjustments ?? [], (a) => a.reference);
  /** What the provider holds for an operation: PayStore intents, Klio tasks, pagoUno groups or adjustments. */
  const held = (op: StoredOperation): number => {
    const provider = providerOf(op);
    if (provider === 'klio') return klioByOrigin.get(op.id)?.length ?? 0;
    if (provider === 'pagouno') return (groupsByRef.get(op.id)?.length ?? 0) + (adjustmentsByRef.get(op.id)?.length ?? 0);
    return input.providerIntents[op.id] ?? 0;
  };

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
      held(op) === 0;
    const lostWithTheWorker =
      op.status === 'failed' &&
      op.failureCode === 'PROVIDER.OUTCOME_UNKNOWN' &&
      interrupted.has(op.id) &&
      (acceptedCreates.get(op.id) ?? 0) === 0 &&
      held(op) === 0;
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

  // 3. One intent per operation at PayStore, and the operation knows it (Klio and pagoUno: below).
  const duplicated: string[] = [];
  const orphaned: string[] = [];
  const unknownToProvider: string[] = [];
  const twiceAccepted: string[] = [];
  let withIntent = 0;
  const paystoreOps = input.operations.filter((op) => providerOf(op) === 'paystore');
  for (const op of paystoreOps) {
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
      `${withIntent} with one intent, ${paystoreOps.length - withIntent} with none, ${input.providerCreates.length} creates logged`,
      [
        ...(duplicated.length ? [`created more than once: ${sample(duplicated)}`] : []),
        ...(orphaned.length ? [`intent at the provider the operation never adopted: ${sample(orphaned)}`] : []),
        ...(unknownToProvider.length ? [`provider id stored but the ledger disagrees: ${sample(unknownToProvider)}`] : []),
        ...(twiceAccepted.length ? [`accepted creates the ledger does not hold: ${sample(twiceAccepted)}`] : []),
      ],
    ),
  );

  // 3k, 3p. The same for Klio's tasks and pagoUno's charges, and what each provider ended with.
  rows.push(...klioRows(input, acceptedCreates), ...pagounoRows(input));

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

/** Klio: at most one task per originID (our operation id), each adopted, and our status as the task ended. */
function klioRows(input: FaultRunInput, acceptedCreates: ReadonlyMap<string, number>): CheckRow[] {
  const ops = input.operations.filter((op) => providerOf(op) === 'klio');
  if (ops.length === 0 && input.klioTasks === undefined) return [];
  const tasks = input.klioTasks ?? [];
  const byOrigin = countBy(tasks, (t) => t.originID);
  const ids = new Set(ops.map((op) => op.id));
  const duplicated: string[] = [];
  const orphaned: string[] = [];
  const unknownToKlio: string[] = [];
  const strangers = tasks.filter((t) => !ids.has(t.originID)).map((t) => `task ${t.taskId} (${t.originID})`);
  const disagree: string[] = [];
  let withTask = 0;
  for (const op of ops) {
    const mine = byOrigin.get(op.id) ?? [];
    if (mine.length === 1) withTask++;
    if (mine.length > 1) duplicated.push(`${op.id} ×${mine.length} (tasks ${mine.map((t) => t.taskId).join(', ')})`);
    const accepted = acceptedCreates.get(op.id) ?? 0;
    if (accepted > 1) duplicated.push(`${op.id} accepted ${accepted} tasks-requests`);
    if (op.providerId === null && mine.length > 0) orphaned.push(`${op.id} (${op.status}; task ${mine[0].taskId} ${mine[0].status})`);
    if (op.providerId !== null && !mine.some((t) => t.taskId === op.providerId)) unknownToKlio.push(`${op.id} (task ${op.providerId})`);
    if (!FINAL_STATUSES.has(op.status)) continue; // the first row reports it
    const annulment = op.type === 'reversal';
    const task = mine.find((t) => t.taskId === op.providerId) ?? (mine.length === 1 ? mine[0] : undefined);
    if (!task) {
      if (op.status === 'approved') disagree.push(`${op.id} approved, but Klio holds no task of it`);
      continue;
    }
    const allowed = klioStatusesFor(task, annulment);
    const ended = `${task.status}${task.voucher ? `/${task.voucher}` : ''}`;
    if (allowed === null) disagree.push(`${op.id} ${op.status} while its task ${task.taskId} is ${ended}`);
    else if (!allowed.includes(op.status)) disagree.push(`${op.id} ${op.status}, its task ${task.taskId} ended ${ended}`);
  }
  return [
    row(
      'Klio: one task per originID',
      `${withTask} with one task, ${ops.length - withTask} with none, ${tasks.length} tasks at Klio`,
      [
        ...(input.klioTasks === undefined ? ['Klio operations, but no Klio ledger collected'] : []),
        ...(duplicated.length ? [`sent to Klio more than once: ${sample(duplicated)}`] : []),
        ...(orphaned.length ? [`task at Klio the operation never adopted: ${sample(orphaned)}`] : []),
        ...(unknownToKlio.length ? [`provider id stored but Klio holds no such task of the operation: ${sample(unknownToKlio)}`] : []),
        ...(strangers.length ? [`task for no Klio operation of the run: ${sample(strangers)}`] : []),
      ],
    ),
    row(
      'Klio: status as the task ended',
      `${ops.filter((op) => FINAL_STATUSES.has(op.status)).length - disagree.length}/${ops.filter((op) => FINAL_STATUSES.has(op.status)).length} agree`,
      disagree.length ? [`status and task disagree: ${sample(disagree)}`] : [],
    ),
  ];
}

/**
 * pagoUno: at most one charge per external reference, each adopted; a rejected split leaves
 * nothing charged (every approved transaction reversed, at pagoUno and in our record); an
 * approved annulment leaves every transaction of its payment annulled, each once.
 */
function pagounoRows(input: FaultRunInput): CheckRow[] {
  const ops = input.operations.filter((op) => providerOf(op) === 'pagouno');
  if (ops.length === 0 && input.pagounoCharges === undefined && input.pagounoGroups === undefined) return [];
  const payments = ops.filter((op) => op.type === 'payment');
  const charges = countBy(input.pagounoCharges ?? [], (c) => c.reference);
  const groups = countBy(input.pagounoGroups ?? [], (g) => g.reference);
  const paymentIds = new Set(payments.map((op) => op.id));
  const missingLedger = [
    ...(input.pagounoCharges === undefined ? ['charges'] : []),
    ...(input.pagounoGroups === undefined ? ['groups'] : []),
    ...(input.pagounoAdjustments === undefined ? ['adjustments'] : []),
  ];

  const twice: string[] = [];
  const orphaned: string[] = [];
  const unknownToPagouno: string[] = [];
  const disagree: string[] = [];
  let charged = 0;
  for (const op of payments) {
    const sent = charges.get(op.id) ?? [];
    const taken = sent.filter((c) => c.status === null || c.status < 500);
    const identificators = new Set(taken.map((c) => c.identificator));
    if (identificators.size > 1) twice.push(`${op.id} charged under ${identificators.size} identificators`);
    const answered = sent.filter((c) => c.status !== null && c.status >= 200 && c.status < 300).length;
    if (answered > 1) twice.push(`${op.id} ${answered} charges answered`);
    const mine = groups.get(op.id) ?? [];
    if (mine.length > 1) twice.push(`${op.id} ×${mine.length} groups`);
    if (mine.length > 0) charged++;
    if (op.providerId === null && mine.length > 0) orphaned.push(`${op.id} (${op.status})`);
    if (op.providerId !== null && mine.length === 0) unknownToPagouno.push(op.id);
    const group = mine[0];
    if (group && op.status === 'approved' && !group.success) disagree.push(`${op.id} approved, its group failed`);
    if (group && op.status !== 'approved' && group.success) disagree.push(`${op.id} ${op.status}, its group succeeded`);
  }
  const strangers = [...charges.keys()].filter((ref) => !paymentIds.has(ref));

  // A rejected split: every transaction that went through is reversed, at pagoUno and in our record.
  const stillCharged: string[] = [];
  let rejectedSplits = 0;
  let reversedTransactions = 0;
  for (const op of payments.filter((p) => p.status === 'rejected')) {
    const group = groups.get(op.id)?.[0];
    if (!group) continue;
    rejectedSplits++;
    for (const tx of group.transactions) {
      if (tx.success && tx.reversed) reversedTransactions++;
      if (tx.success && !tx.reversed && !tx.annulled) stillCharged.push(`${op.id} transaction ${tx.id} still charged at pagoUno`);
    }
    for (const tx of op.transactions ?? []) {
      if (tx.status === 'approved') stillCharged.push(`${op.id} records transaction ${tx.id ?? '(no id)'} approved`);
    }
  }

  // An approved annulment: every transaction of its payment annulled at pagoUno, none twice.
  const notAnnulled: string[] = [];
  const successful = (input.pagounoAdjustments ?? []).filter((a) => a.success && a.type === 'annulment');
  for (const [tx, list] of countBy(successful, (a) => a.transactionId)) {
    if (list.length > 1) notAnnulled.push(`transaction ${tx} annulled ${list.length} times (${list.map((a) => a.reference).join(', ')})`);
  }
  const byId = new Map(ops.map((op) => [op.id, op]));
  const annulments = ops.filter((op) => op.type === 'reversal' && op.status === 'approved');
  for (const rev of annulments) {
    const group = rev.paymentId ? groups.get(rev.paymentId)?.[0] : undefined;
    if (!group) {
      notAnnulled.push(`${rev.id}: pagoUno holds no charge of payment ${rev.paymentId ?? '(none)'}`);
      continue;
    }
    const left = group.transactions.filter((tx) => tx.success && !tx.reversed && !tx.annulled).map((tx) => tx.id);
    if (left.length) notAnnulled.push(`${rev.id}: payment ${rev.paymentId} still charged at pagoUno (${left.join(', ')})`);
    const payment = rev.paymentId ? byId.get(rev.paymentId) : undefined;
    if (payment && payment.status !== 'approved') notAnnulled.push(`${rev.id}: its payment is ${payment.status}`);
  }

  return [
    row(
      'pagoUno: one charge per external reference',
      `${charged} charged, ${payments.length - charged} with no charge, ${input.pagounoCharges?.length ?? 0} charges logged`,
      [
        ...(missingLedger.length ? [`pagoUno operations, but no pagoUno ledger collected (${missingLedger.join(', ')})`] : []),
        ...(twice.length ? [`charged more than once: ${sample(twice)}`] : []),
        ...(orphaned.length ? [`charge at pagoUno the operation never adopted: ${sample(orphaned)}`] : []),
        ...(unknownToPagouno.length ? [`provider id stored but pagoUno holds no charge: ${sample(unknownToPagouno)}`] : []),
        ...(disagree.length ? [`status and charge disagree: ${sample(disagree)}`] : []),
        ...(strangers.length ? [`charge for no pagoUno payment of the run: ${sample(strangers)}`] : []),
      ],
    ),
    row(
      'pagoUno: rejected split reversed',
      `${rejectedSplits} rejected splits, ${reversedTransactions} transactions reversed`,
      stillCharged.length ? [`charged in a rejected split: ${sample(stillCharged)}`] : [],
    ),
    row(
      'pagoUno: annulments annul every transaction once',
      `${annulments.length} approved annulments, ${successful.length} transactions annulled`,
      notAnnulled.length ? [`not annulled as approved: ${sample(notAnnulled)}`] : [],
    ),
  ];
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
