// Payment commands. Each one is idempotent (IdempotencyService), writes its row and first event in
// one transaction, and only then makes sure the operation has a job; Redis being down at that
// moment costs latency (the workers' sweeper enqueues accepted rows), never the payment.
import { Inject, Injectable } from '@nestjs/common';
import { AppError, newId } from '@app/common';
import { CANCELLABLE_STATUSES, CreatePaymentCommand, ErrorCode, OPERATION_ID_PREFIX, OperationStatus } from '@app/contracts';
import { OperationEntity, OperationsRepository } from '@app/persistence';
import { DataSource } from 'typeorm';
import { IdempotencyService, IdempotentOutcome } from '../idempotency/idempotency.service';
import { OperationQueues } from '../infra/operation-queues.service';
import { OperationsReader } from '../operations/operations.reader';
import { TerminalsService } from '../terminals/terminals.service';

/** What the provider reports while a payment waits for its confirmation leg. */
export const WAITING_CONFIRMATION = 'WAITING_CONFIRMATION';

@Injectable()
export class PaymentsService {
  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(OperationsRepository) private readonly operations: OperationsRepository,
    @Inject(OperationsReader) private readonly reader: OperationsReader,
    @Inject(IdempotencyService) private readonly idempotency: IdempotencyService,
    @Inject(TerminalsService) private readonly terminals: TerminalsService,
    @Inject(OperationQueues) private readonly queues: OperationQueues,
  ) {}

  async create(merchantId: string, key: string, command: CreatePaymentCommand): Promise<IdempotentOutcome> {
    const outcome = await this.idempotency.run(
      { merchantId, key, command: 'POST /v1/payments', input: { body: command } },
      (claim) =>
        this.dataSource.transaction(async (manager) => {
          const provider = await this.terminals.providerOf(manager, merchantId, command.terminalIds);
          const id = newId(OPERATION_ID_PREFIX.payment);
          await claim(manager, id);
          const op = manager.getRepository(OperationEntity).create({
            id,
            type: 'payment',
            status: 'accepted',
            merchantId,
            provider,
            terminalIds: command.terminalIds,
            terminalId: null,
            amount: command.amount,
            currency: command.currency,
            reference: command.reference ?? null,
            description: command.description ?? null,
            request: {
              installments: command.installments,
              plan: command.plan,
              method: command.method,
              printCopies: command.print.copies,
              customerTaxId: command.customerTaxId,
              expiresInSeconds: command.expiresInSeconds,
            },
            result: {},
            totals: null,
            providerId: null,
            paymentId: null,
            reversalId: null,
            expiresAt: new Date(Date.now() + command.expiresInSeconds * 1000),
            submittedAt: null,
            cancelReason: null,
            finalAt: null,
          });
          await this.operations.insert(manager, op);
          return id;
        }),
      { claimFirst: true },
    );
    if (!outcome.replayed) {
      await this.queues.ensure('payment', outcome.operationId, false, true);
    } else {
      // A replay of a payment still waiting for its first job re-ensures it (the job may have
      // been lost with Redis); the job id is the operation id, so this never duplicates it.
      const op = await this.reader.find(merchantId, 'payment', outcome.operationId);
      if (op?.status === 'accepted') await this.queues.ensure('payment', op.id);
    }
    return outcome;
  }

  /**
   * Asks to cancel. A payment not yet final moves to `cancelling` and its job is promoted; one
   * already cancelling or cancelled is answered as it is; any other final status is a 409.
   */
  async cancel(merchantId: string, key: string, id: string): Promise<IdempotentOutcome> {
    await this.reader.get(merchantId, 'payment', id);
    const outcome = await this.idempotency.run(
      { merchantId, key, command: 'POST /v1/payments/{id}/cancel', input: { params: { id } } },
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
          throw new AppError(ErrorCode.PaymentNotCancellable, 409, `Payment ${id} is ${status} and can no longer be cancelled.`);
        }
        await this.dataSource.transaction((manager) => claim(manager, id));
        return id;
      },
    );
    if (!outcome.replayed) await this.queues.ensure('payment', id, true);
    return outcome;
  }

  /**
   * Confirms a payment waiting for its confirmation leg: records the request on the row and
   * promotes the job. The flag is set before the key is stored: setting it twice is harmless,
   * while a key stored without the flag would replay a confirmation that never happened.
   */
  async confirm(merchantId: string, key: string, id: string): Promise<IdempotentOutcome> {
    await this.reader.get(merchantId, 'payment', id);
    const outcome = await this.idempotency.run(
      { merchantId, key, command: 'POST /v1/payments/{id}/confirm', input: { params: { id } } },
      async (claim) => {
        const op = await this.reader.get(merchantId, 'payment', id);
        if (op.result?.providerStatus !== WAITING_CONFIRMATION) {
          throw new AppError(ErrorCode.PaymentNotConfirmable, 409, `Payment ${id} is not waiting for a confirmation.`);
        }
        const status = op.status as OperationStatus;
        const result = await this.operations.transition(id, status, { request: { ...op.request, confirmRequested: true } }, [status]);
        if (result.kind === 'refused') {
          throw new AppError(ErrorCode.PaymentNotConfirmable, 409, `Payment ${id} changed while confirming; it is now ${result.operation.status}.`);
        }
        await this.dataSource.transaction((manager) => claim(manager, id));
        return id;
      },
    );
    if (!outcome.replayed) await this.queues.ensure('payment', id, true);
    return outcome;
  }
}
