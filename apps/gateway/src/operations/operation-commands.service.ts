// What the commands of every operation type do alike: create an operation (key, checks, row and
// first event in one transaction, then its job), and cancel one that is not final yet.
import { Inject, Injectable } from '@nestjs/common';
import { AppError, newId } from '@app/common';
import { CANCELLABLE_STATUSES, ErrorCode, OPERATION_ID_PREFIX, OperationStatus, OperationType, Provider } from '@app/contracts';
import { OperationEntity, OperationsRepository } from '@app/persistence';
import { DataSource, EntityManager } from 'typeorm';
import { IdempotencyService, IdempotentOutcome } from '../idempotency/idempotency.service';
import { OperationQueues } from '../infra/operation-queues.service';
import { OPERATION_PATH } from './command.responder';
import { OperationsReader } from './operations.reader';
import { assertCapable } from './provider-capabilities';

/**
 * How long an intent that no terminal takes stays offered (then it is cancelled at the provider
 * and ends `expired`): a payment's default, used by reversals and refunds, which have no field
 * for it.
 */
export const INTENT_EXPIRES_IN_SECONDS = 120;

export function expiresAfter(seconds: number = INTENT_EXPIRES_IN_SECONDS): Date {
  return new Date(Date.now() + seconds * 1000);
}

/** The row a create command stores, beyond its id, type, merchant and `accepted` status. */
export type NewOperation = Pick<OperationEntity, 'provider' | 'terminalIds' | 'request'> &
  Partial<Pick<OperationEntity, 'terminalId' | 'amount' | 'currency' | 'reference' | 'description' | 'paymentId' | 'expiresAt'>>;

/** What a command for an amount on terminals stores as it came (payments and refunds). */
export function amountOnTerminals(
  provider: Provider,
  command: { terminalIds: string[]; amount: number; currency: string; reference?: string | undefined; description?: string | undefined },
): Pick<NewOperation, 'provider' | 'terminalIds' | 'amount' | 'currency' | 'reference' | 'description'> {
  return {
    provider,
    terminalIds: command.terminalIds,
    amount: command.amount,
    currency: command.currency,
    reference: command.reference ?? null,
    description: command.description ?? null,
  };
}

/**
 * Checks a create command in its transaction (throwing an AppError to refuse it; it may write
 * more, e.g. link a payment) and answers the row to store for the new operation `id`.
 */
export type BuildOperation = (manager: EntityManager, id: string) => Promise<NewOperation>;

/** Operation types a cash register may cancel (a batch close cannot be cancelled at the provider). */
export type CancellableType = Exclude<OperationType, 'settlement'>;

const NOT_CANCELLABLE_CODE: Readonly<Record<CancellableType, ErrorCode>> = Object.freeze({
  payment: ErrorCode.PaymentNotCancellable,
  reversal: ErrorCode.ReversalNotCancellable,
  refund: ErrorCode.RefundNotCancellable,
});

@Injectable()
export class OperationCommands {
  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(OperationsRepository) private readonly operations: OperationsRepository,
    @Inject(OperationsReader) private readonly reader: OperationsReader,
    @Inject(IdempotencyService) private readonly idempotency: IdempotencyService,
    @Inject(OperationQueues) private readonly queues: OperationQueues,
  ) {}

  /**
   * `POST /v1/{type}s`. One transaction claims the key first, before any check: a key already
   * used is replayed, or refused as reused, whatever the state `build` would look at now, and a
   * concurrent request with the same key waits on the claim and then replays this one. Then
   * `build` checks and answers the row, which is stored `accepted` with its first event. An
   * AppError from `build` rolls everything back, the key included. After commit, the job.
   */
  async create(merchantId: string, type: OperationType, key: string, body: unknown, build: BuildOperation): Promise<IdempotentOutcome> {
    const outcome = await this.createAll(merchantId, type, key, `POST ${OPERATION_PATH[type]}`, body, 1, async (manager, [id]) => [
      await build(manager, id!),
    ]);
    await this.queueCreated(merchantId, type, [outcome.operationId], outcome.replayed);
    return outcome;
  }

  /**
   * Several operations from one command (a batch), all or none, under one key; as `create`
   * otherwise. The key keeps the first operation's id (the outcome's `operationId`). The caller
   * queues the operations (`queueCreated`).
   */
  async createAll(
    merchantId: string,
    type: OperationType,
    key: string,
    command: string,
    body: unknown,
    count: number,
    build: (manager: EntityManager, ids: string[]) => Promise<NewOperation[]>,
  ): Promise<IdempotentOutcome> {
    return this.idempotency.run(
      { merchantId, key, command, input: { body } },
      (claim) =>
        this.dataSource.transaction(async (manager) => {
          const ids = Array.from({ length: count }, () => newId(OPERATION_ID_PREFIX[type]));
          await claim(manager, ids[0]!);
          const rows = await build(manager, ids);
          for (const [i, fields] of rows.entries()) {
            const id = ids[i]!;
            const op = Object.assign(new OperationEntity(), { status: 'accepted', result: {} }, fields, { id, type, merchantId });
            await this.operations.insert(manager, op);
          }
          return ids[0]!;
        }),
      { claimFirst: true },
    );
  }

  /**
   * After a create: new operations get their jobs (no look-up: they cannot have one yet). A
   * replay ensures the job of each one still `accepted` (it may have been lost with Redis); the
   * job id is the operation id, so this never duplicates it.
   */
  async queueCreated(merchantId: string, type: OperationType, ids: readonly string[], replayed: boolean): Promise<void> {
    for (const id of ids) {
      if (!replayed) {
        await this.queues.ensure(type, id, false, true);
        continue;
      }
      const op = await this.reader.find(merchantId, type, id);
      if (op?.status === 'accepted') await this.queues.ensure(type, op.id);
    }
  }

  /**
   * Asks to cancel. An operation not yet final moves to `cancelling` (the key stored in that
   * transaction) and its job is promoted; one already cancelling or cancelled is answered as it
   * is; any other final status is a 409 `{TYPE}.NOT_CANCELLABLE` that stores nothing.
   */
  async cancel(merchantId: string, type: CancellableType, key: string, id: string): Promise<IdempotentOutcome> {
    const op = await this.reader.get(merchantId, type, id);
    assertCapable(op.provider as Provider, 'cancel', 'id');
    const outcome = await this.idempotency.run(
      { merchantId, key, command: `POST ${OPERATION_PATH[type]}/{id}/cancel`, input: { params: { id } } },
      async (claim) => {
        const result = await this.operations.transition(
          id,
          'cancelling',
          { cancelReason: 'requested' },
          [...CANCELLABLE_STATUSES],
          (manager) => claim(manager, id),
        );
        if (result.kind === 'changed') return id;
        const status = result.operation.status as OperationStatus;
        if (status !== 'cancelling' && status !== 'cancelled') {
          throw new AppError(NOT_CANCELLABLE_CODE[type], 409, `The ${type} ${id} is ${status} and can no longer be cancelled.`);
        }
        await this.dataSource.transaction((manager) => claim(manager, id));
        return id;
      },
    );
    if (!outcome.replayed) await this.queues.ensure(type, id, true);
    return outcome;
  }
}
