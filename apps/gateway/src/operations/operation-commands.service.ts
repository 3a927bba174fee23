// What the commands of every operation type do alike once their own checks are done: queue the
// job of a created operation, and cancel one that is not final yet.
import { Inject, Injectable } from '@nestjs/common';
import { AppError } from '@app/common';
import { CANCELLABLE_STATUSES, ErrorCode, OperationStatus, OperationType } from '@app/contracts';
import { OperationsRepository } from '@app/persistence';
import { DataSource } from 'typeorm';
import { IdempotencyService, IdempotentOutcome } from '../idempotency/idempotency.service';
import { OperationQueues } from '../infra/operation-queues.service';
import { OPERATION_PATH } from './command.responder';
import { OperationsReader } from './operations.reader';

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
   * After a create command: a new operation gets its job (no look-up: it cannot have one yet). A
   * replay of one still `accepted` ensures it again (the job may have been lost with Redis); the
   * job id is the operation id, so this never duplicates it.
   */
  async queueCreated(merchantId: string, type: OperationType, outcome: IdempotentOutcome): Promise<void> {
    if (!outcome.replayed) {
      await this.queues.ensure(type, outcome.operationId, false, true);
      return;
    }
    const op = await this.reader.find(merchantId, type, outcome.operationId);
    if (op?.status === 'accepted') await this.queues.ensure(type, op.id);
  }

  /**
   * Asks to cancel. An operation not yet final moves to `cancelling` (the key stored in that
   * transaction) and its job is promoted; one already cancelling or cancelled is answered as it
   * is; any other final status is a 409 `{TYPE}.NOT_CANCELLABLE` that stores nothing.
   */
  async cancel(merchantId: string, type: CancellableType, key: string, id: string): Promise<IdempotentOutcome> {
    await this.reader.get(merchantId, type, id);
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
