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

  /** Stores a new operation and its first event (`<type>.<status>`) in the caller's transaction. */
  async insert(manager: EntityManager, op: OperationEntity): Promise<OperationEntity> {
    const saved = await manager.getRepository(OperationEntity).save(op);
    await this.appendEvent(manager, saved);
    return saved;
  }

  /**
   * Moves an operation to `to` (or only patches it when `to` equals its status). Refused when the
   * state machine does not allow it, or when `expect` names statuses and the row is in none of
   * them (a concurrent actor got there first): the caller re-reads and decides again.
   */
  async transition(
    id: string,
    to: OperationStatus,
    patch: OperationPatch = {},
    expect?: readonly OperationStatus[],
    onChanged?: (manager: EntityManager, op: OperationEntity) => Promise<void>,
  ): Promise<TransitionOutcome> {
    return this.dataSource.transaction(async (manager) => {
      const repo = manager.getRepository(OperationEntity);
      const op = await repo.findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!op) throw new Error(`operation ${id} does not exist`);
      const from = op.status as OperationStatus;
      if (expect && !expect.includes(from)) return { kind: 'refused', operation: op };
      if (from !== to && !canTransition(from, to)) return { kind: 'refused', operation: op };
      const changed = from !== to;
      const patched = applyPatch(op, patch);
      if (!changed && !patched) return { kind: 'unchanged', operation: op };
      op.status = to;
      if (changed && isFinal(to)) op.finalAt = new Date();
      const saved = await repo.save(op);
      if (changed) {
        await this.appendEvent(manager, saved);
        if (onChanged) await onChanged(manager, saved);
      }
      return { kind: changed ? 'changed' : 'unchanged', operation: saved };
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
