// Payment commands, on the steps every operation shares (OperationCommands): idempotent, row and
// first event in one transaction, then the job; Redis being down at that moment costs latency
// (the workers' sweeper enqueues accepted rows), never the payment.
import { Inject, Injectable } from '@nestjs/common';
import { AppError } from '@app/common';
import { CreatePaymentCommand, ErrorCode, OperationStatus, Provider } from '@app/contracts';
import { OperationsRepository } from '@app/persistence';
import { DataSource } from 'typeorm';
import { IdempotencyService, IdempotentOutcome } from '../idempotency/idempotency.service';
import { OperationQueues } from '../infra/operation-queues.service';
import { expiresAfter, OperationCommands } from '../operations/operation-commands.service';
import { OperationsReader } from '../operations/operations.reader';
import { TerminalsService } from '../terminals/terminals.service';
import { assertCapable, assertPaymentShape, assertSplitAddsUp, paymentRefusals, refuseUnsupported } from '../operations/provider-capabilities';

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
    @Inject(OperationCommands) private readonly commands: OperationCommands,
  ) {}

  async create(merchantId: string, key: string, command: CreatePaymentCommand): Promise<IdempotentOutcome> {
    return this.commands.create(merchantId, 'payment', key, command, async (manager) => {
      const provider = await this.terminals.providerOf(manager, merchantId, command.terminalIds);
      refuseUnsupported(provider, paymentRefusals(provider, command), 'this payment');
      assertPaymentShape(provider, command);
      assertSplitAddsUp(command);
      return {
        provider,
        terminalIds: command.terminalIds,
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
          ...(provider === 'klio'
            ? { klio: { deviceId: await this.terminals.deviceOf(manager, merchantId, command.terminalIds[0]), ...(command.klio ?? {}) } }
            : {}),
          ...(command.pagouno ? { pagouno: command.pagouno } : {}),
        },
        expiresAt: expiresAfter(command.expiresInSeconds),
      };
    });
  }

  /**
   * Asks to cancel. A payment not yet final moves to `cancelling` and its job is promoted; one
   * already cancelling or cancelled is answered as it is; any other final status is a 409.
   */
  cancel(merchantId: string, key: string, id: string): Promise<IdempotentOutcome> {
    return this.commands.cancel(merchantId, 'payment', key, id);
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
        assertCapable(op.provider as Provider, 'confirm', 'id');
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
