// The only way an operation's status changes: row lock, allowed-transition check, update, and the
// CloudEvent in the outbox, all in one transaction. Gateway and workers share it.
import { canTransition, EVENT_SOURCE, eventTypeOf, isFinal, OperationStatus, CloudEvent } from '@app/contracts';
import { newId } from '@app/common';
import { DataSource, EntityManager } from 'typeorm';
import { OperationEntity } from './entities/operation.entity';
import { toOperationView } from './operation-view.mapper';

export type OperationPatch = Partial<
  Pick<
    OperationEntity,
    | 'terminalId'
    | 'providerId'
    | 'request'
    | 'result'
    | 'totals'
    | 'submittedAt'
    | 'cancelReason'
    | 'reversalId'
    | 'expiresAt'
  >
>;

/**
 * A patch worked out inside the transition's transaction, from the locked row (a settlement's
 * totals read the operations of its batch in the same transaction that approves it).
 */
export type PatchBuilder = (manager: EntityManager, current: OperationEntity) => Promise<OperationPatch>;

export type TransitionOutcome =
  | { kind: 'changed'; operation: OperationEntity }
  | { kind: 'unchanged'; operation: OperationEntity }
  | { kind: 'refused'; operation: OperationEntity };

/** Channel the outbox relay listens on to publish without waiting for its next poll. */
export const OUTBOX_CHANNEL = 'ecr_outbox';
/** Channel the relay notifies after it has given events their positions (SSE readers wake on it). */
export const PUBLISHED_CHANNEL = 'ecr_published';

export function buildEvent(op: OperationEntity): CloudEvent {
  const view = toOperationView(op);
  return {
    specversion: '1.0',
    id: newId('evt'),
    source: EVENT_SOURCE,
    type: eventTypeOf(op.type, op.status as OperationStatus),
    time: new Date().toISOString(),
    subject: op.id,
    datacontenttype: 'application/json',
    data: { ...view, merchantId: op.merchantId },
  };
}

export class OperationsRepository {
  constructor(private readonly dataSource: DataSource) {}

  async findById(id: string): Promise<OperationEntity | null> {
    return this.dataSource.getRepository(OperationEntity).findOneBy({ id });
  }

  /** The operations of a batch, in execution order. */
  async batchMembers(batchId: string): Promise<OperationEntity[]> {
    return inBatchOrder(await this.batchQuery(this.dataSource.manager, batchId).getMany());
  }

  /**
   * Claims the members of a batch to be sent now, in one transaction under their row locks: those
   * still `accepted`, never sent (or known not taken by the provider and past their `retryAt`),
   * and not past their deadline. Nothing is claimed unless `requesterId` is among them: a job
   * claims only a request it will send for its own operation too. Each claimed member is marked
   * `submittedAt` before the transaction commits, so a member cancelled, expired or claimed by
   * another job meanwhile is never in a second request. Answers the claimed members, in
   * execution order.
   */
  async claimBatch(batchId: string, now: Date, requesterId: string): Promise<OperationEntity[]> {
    return this.dataSource.transaction(async (manager) => {
      // Locked in id order, whoever claims: two claims of one batch never deadlock.
      const members = inBatchOrder(await this.batchQuery(manager, batchId).setLock('pessimistic_write').getMany());
      const due = members.filter((op) => dueInBatch(op, now));
      if (!due.some((op) => op.id === requesterId)) return [];
      const repo = manager.getRepository(OperationEntity);
      const claimed: OperationEntity[] = [];
      for (const op of due) {
        op.submittedAt = now;
        op.result = { ...op.result, createNotApplied: false, retryAt: null };
        claimed.push(await repo.save(op));
      }
      return claimed;
    });
  }

  /**
   * Gives claimed members back after a request the provider did not take, all in one
   * transaction (so no other job claims part of the batch meanwhile): each one still `accepted`
   * and marked sent gets the result `next` answers for it (not taken, attempts, retryAt).
   */
  async releaseBatch(ids: readonly string[], next: (op: OperationEntity) => OperationEntity['result']): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const repo = manager.getRepository(OperationEntity);
      const rows = await repo
        .createQueryBuilder('op')
        .setLock('pessimistic_write')
        .where('op.id IN (:...ids)', { ids: [...ids] })
        .orderBy('op.id', 'ASC')
        .getMany();
      for (const op of rows) {
        if (op.status !== 'accepted' || !op.submittedAt) continue;
        op.result = next(op);
        await repo.save(op);
      }
    });
  }

  private batchQuery(manager: EntityManager, batchId: string) {
    return manager
      .getRepository(OperationEntity)
      .createQueryBuilder('op')
      .where(`op.request ? 'batch' AND op.request -> 'batch' ->> 'id' = :batchId`, { batchId })
      .orderBy('op.id', 'ASC');
  }

  /**
   * Stores a new operation and its first event (`<type>.<status>`) in the caller's transaction,
   * in one statement (round trips are what a command costs).
   */
  async insert(manager: EntityManager, op: OperationEntity): Promise<OperationEntity> {
    const now = new Date();
    const row = Object.assign(new OperationEntity(), OPERATION_NULL_DEFAULTS, op, {
      createdAt: op.createdAt ?? now,
      updatedAt: op.updatedAt ?? now,
      version: 1,
    }) as OperationEntity;
    const event = buildEvent(row);
    await manager.query(
      `WITH o AS (
         INSERT INTO operations (id, type, status, merchant_id, provider, terminal_ids, terminal_id, amount, currency,
           reference, description, request, result, totals, provider_id, payment_id, reversal_id, expires_at,
           submitted_at, cancel_reason, final_at, created_at, updated_at, version)
         VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8, $9, $10, $11, $12::jsonb, $13::jsonb, $14::jsonb, $15, $16, $17,
           $18, $19, $20, $21, $22, $23, $24)
         RETURNING id
       ), e AS (
         INSERT INTO outbox (id, type, subject, merchant_id, event) SELECT $25, $26, o.id, $4, $27::jsonb FROM o RETURNING 1
       )
       SELECT pg_notify('${OUTBOX_CHANNEL}', '') FROM e`,
      [
        row.id,
        row.type,
        row.status,
        row.merchantId,
        row.provider,
        JSON.stringify(row.terminalIds),
        row.terminalId,
        row.amount,
        row.currency,
        row.reference,
        row.description,
        JSON.stringify(row.request ?? {}),
        JSON.stringify(row.result ?? {}),
        row.totals === null ? null : JSON.stringify(row.totals),
        row.providerId,
        row.paymentId,
        row.reversalId,
        row.expiresAt,
        row.submittedAt,
        row.cancelReason,
        row.finalAt,
        row.createdAt,
        row.updatedAt,
        row.version,
        event.id,
        event.type,
        JSON.stringify(event),
      ],
    );
    return row;
  }

  /**
   * Moves an operation to `to` (or only patches it when `to` equals its status). Refused when the
   * state machine does not allow it, or when `expect` names statuses and the row is in none of
   * them (a concurrent actor got there first): the caller re-reads and decides again.
   *
   * Optimistic: read the row, then one statement updates it only if its version is unchanged and
   * writes the event with it. A concurrent writer makes it read again. With `onChanged` (more
   * writes in the same transaction) it runs under a row lock instead.
   */
  async transition(
    id: string,
    to: OperationStatus,
    patch: OperationPatch | PatchBuilder = {},
    expect?: readonly OperationStatus[],
    onChanged?: (manager: EntityManager, op: OperationEntity) => Promise<void>,
  ): Promise<TransitionOutcome> {
    if (onChanged || typeof patch === 'function') return this.transitionLocked(id, to, patch, expect, onChanged);
    for (let attempt = 0; attempt < 8; attempt++) {
      const op = await this.findById(id);
      if (!op) throw new Error(`operation ${id} does not exist`);
      const outcome = await this.apply(op, to, patch, expect);
      if (outcome !== 'conflict') return outcome;
    }
    return this.transitionLocked(id, to, patch, expect);
  }

  /** One statement: the change and its event, only if `op` is still the stored version. */
  private async apply(
    op: OperationEntity,
    to: OperationStatus,
    patch: OperationPatch,
    expect?: readonly OperationStatus[],
  ): Promise<TransitionOutcome | 'conflict'> {
    const decided = decide(op, to, patch, expect);
    if (decided.kind !== 'write') return decided.outcome;
    const next = decided.next;
    const event = decided.changed ? buildEvent(next) : null;
    const rows = (await this.dataSource.query(
      `WITH u AS (
         UPDATE operations SET status = $3, terminal_id = $4, provider_id = $5, request = $6::jsonb, result = $7::jsonb,
           totals = $8::jsonb, submitted_at = $9, cancel_reason = $10, reversal_id = $11, expires_at = $12,
           final_at = $13, updated_at = $14, version = $15
         WHERE id = $1 AND version = $2
         RETURNING id, merchant_id
       ), e AS (
         INSERT INTO outbox (id, type, subject, merchant_id, event)
         SELECT $16, $17, u.id, u.merchant_id, $18::jsonb FROM u WHERE $16::varchar IS NOT NULL
         RETURNING 1
       )
       SELECT (SELECT count(*) FROM u)::int AS updated,
              (SELECT count(*) FROM (SELECT pg_notify('${OUTBOX_CHANNEL}', '') FROM e) n)::int AS events`,
      [
        next.id,
        op.version,
        next.status,
        next.terminalId,
        next.providerId,
        JSON.stringify(next.request ?? {}),
        JSON.stringify(next.result ?? {}),
        next.totals === null || next.totals === undefined ? null : JSON.stringify(next.totals),
        next.submittedAt,
        next.cancelReason,
        next.reversalId,
        next.expiresAt,
        next.finalAt,
        next.updatedAt,
        next.version,
        event?.id ?? null,
        event?.type ?? null,
        event ? JSON.stringify(event) : null,
      ],
    )) as { updated: number }[];
    if (rows[0]?.updated !== 1) return 'conflict';
    return { kind: decided.changed ? 'changed' : 'unchanged', operation: next };
  }

  private async transitionLocked(
    id: string,
    to: OperationStatus,
    patch: OperationPatch | PatchBuilder,
    expect?: readonly OperationStatus[],
    onChanged?: (manager: EntityManager, op: OperationEntity) => Promise<void>,
  ): Promise<TransitionOutcome> {
    return this.dataSource.transaction(async (manager) => {
      const repo = manager.getRepository(OperationEntity);
      const op = await repo.findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!op) throw new Error(`operation ${id} does not exist`);
      const from = op.status as OperationStatus;
      if ((expect && !expect.includes(from)) || (from !== to && !canTransition(from, to))) {
        return { kind: 'refused', operation: op };
      }
      const resolved = typeof patch === 'function' ? await patch(manager, op) : patch;
      const decided = decide(op, to, resolved, expect);
      if (decided.kind !== 'write') return decided.outcome;
      const saved = await repo.save(decided.next);
      if (decided.changed) {
        await this.appendEvent(manager, saved);
        if (onChanged) await onChanged(manager, saved);
      }
      return { kind: decided.changed ? 'changed' : 'unchanged', operation: saved };
    });
  }

  private async appendEvent(manager: EntityManager, op: OperationEntity): Promise<void> {
    const event = buildEvent(op);
    await manager.query(
      'INSERT INTO outbox (id, type, subject, merchant_id, event) VALUES ($1, $2, $3, $4, $5)',
      [event.id, event.type, event.subject, op.merchantId, JSON.stringify(event)],
    );
    await manager.query('SELECT pg_notify($1, $2)', [OUTBOX_CHANNEL, '']);
  }
}

/** A batch member a claim at `now` would send: accepted, unsent or not taken and due again, before its deadline. */
export function dueInBatch(op: OperationEntity, now: Date): boolean {
  if (op.status !== 'accepted') return false;
  if (op.expiresAt && op.expiresAt.getTime() <= now.getTime()) return false;
  if (!op.submittedAt) return true;
  if (op.result?.createNotApplied !== true) return false;
  return !op.result.retryAt || Date.parse(op.result.retryAt) <= now.getTime();
}

function inBatchOrder(ops: OperationEntity[]): OperationEntity[] {
  return ops.sort((a, b) => (a.request.batch?.order ?? 0) - (b.request.batch?.order ?? 0));
}

/** What a new operation row holds in the columns a command leaves unset. */
export const OPERATION_NULL_DEFAULTS: Readonly<Partial<OperationEntity>> = Object.freeze({
  terminalId: null,
  amount: null,
  currency: null,
  reference: null,
  description: null,
  totals: null,
  providerId: null,
  paymentId: null,
  reversalId: null,
  reversedAmount: 0,
  expiresAt: null,
  submittedAt: null,
  cancelReason: null,
  finalAt: null,
});

type Decision =
  | { kind: 'done'; outcome: TransitionOutcome }
  | { kind: 'write'; next: OperationEntity; changed: boolean };

/** The state machine's verdict on a change, and the row as it would be after it. Pure. */
function decide(op: OperationEntity, to: OperationStatus, patch: OperationPatch, expect?: readonly OperationStatus[]): Decision {
  const from = op.status as OperationStatus;
  if (expect && !expect.includes(from)) return { kind: 'done', outcome: { kind: 'refused', operation: op } };
  if (from !== to && !canTransition(from, to)) return { kind: 'done', outcome: { kind: 'refused', operation: op } };
  const next = Object.assign(new OperationEntity(), op) as OperationEntity;
  const changed = from !== to;
  const patched = applyPatch(next, patch);
  if (!changed && !patched) return { kind: 'done', outcome: { kind: 'unchanged', operation: op } };
  next.status = to;
  next.updatedAt = new Date();
  next.version = op.version + 1;
  if (changed && isFinal(to)) next.finalAt = next.updatedAt;
  return { kind: 'write', next, changed };
}

function applyPatch(op: OperationEntity, patch: OperationPatch): boolean {
  let changed = false;
  for (const [key, value] of Object.entries(patch) as [keyof OperationPatch, unknown][]) {
    if (value === undefined) continue;
    const current = op[key] as unknown;
    if (JSON.stringify(current) === JSON.stringify(value)) continue;
    (op as unknown as Record<string, unknown>)[key] = value;
    changed = true;
  }
  return changed;
}
