// Payment commands, on the steps every operation shares (OperationCommands): idempotent, row and
// first event in one transaction, then the job; Redis being down at that moment costs latency
// (the workers' sweeper enqueues accepted rows), never the payment.
import { Inject, Injectable } from '@nestjs/common';
import { AppError, newId } from '@app/common';
import {
  CreatePaymentBatchCommand,
  CreatePaymentCommand,
  ErrorCode,
  OperationStatus,
  PaymentBatchView,
  Provider,
  PROVIDER_CAPABILITIES,
} from '@app/contracts';
import { OperationsRepository, toOperationView } from '@app/persistence';
import { DataSource, EntityManager } from 'typeorm';
import { IdempotencyService, IdempotentOutcome } from '../idempotency/idempotency.service';
import { OperationQueues } from '../infra/operation-queues.service';
import { amountOnTerminals, expiresAfter, NewOperation, OperationCommands } from '../operations/operation-commands.service';
import { OperationsReader } from '../operations/operations.reader';
import { TerminalsService } from '../terminals/terminals.service';
import {
  assertCapable,
  assertPaymentShape,
  assertSplitAddsUp,
  paymentRefusals,
  providerLabel,
  refuseUnsupported,
  withFieldPrefix,
} from '../operations/provider-capabilities';

/** Prefix of payment batch ids. */
export const BATCH_ID_PREFIX = 'bat';

export interface PaymentBatchOutcome {
  /** True when this request answered an earlier one with the same key. */
  replayed: boolean;
  batch: PaymentBatchView;
}

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
      return this.paymentRow(manager, merchantId, provider, command);
    });
  }

  /**
   * `POST /v1/payment-batches`: the payments of one device, stored together under one key (all or
   * none), each checked as a single payment is; the device runs them in the order given. The key
   * keeps the first payment's id; the batch is read back through it.
   */
  async createBatch(merchantId: string, key: string, command: CreatePaymentBatchCommand): Promise<PaymentBatchOutcome> {
    const outcome = await this.commands.createAll(
      merchantId,
      'payment',
      key,
      'POST /v1/payment-batches',
      command,
      command.payments.length,
      async (manager) => {
        const terminalIds = [command.terminalId];
        const provider = await this.terminals.providerOf(manager, merchantId, terminalIds, 'terminalId');
        if (!PROVIDER_CAPABILITIES[provider].multiTask) {
          refuseUnsupported(provider, [{ field: 'terminalId', message: `${providerLabel(provider)} takes one command per request` }], 'a payment batch');
        }
        const batchId = newId(BATCH_ID_PREFIX);
        const size = command.payments.length;
        const rows: NewOperation[] = [];
        for (const [i, item] of command.payments.entries()) {
          const row = await withFieldPrefix(`payments.${i}`, () => this.paymentRow(manager, merchantId, provider, { ...item, terminalIds }));
          rows.push({ ...row, request: { ...row.request, batch: { id: batchId, order: i + 1, size } } });
        }
        return rows;
      },
    );
    const leader = await this.reader.get(merchantId, 'payment', outcome.operationId);
    const batch = await this.getBatch(merchantId, leader.request.batch?.id ?? '');
    await this.commands.queueCreated(merchantId, 'payment', batch.payments.map((p) => p.id), outcome.replayed);
    return { replayed: outcome.replayed, batch };
  }

  /** A batch of the merchant with its payments in execution order; 404 PAYMENT_BATCH.NOT_FOUND otherwise. */
  async getBatch(merchantId: string, batchId: string): Promise<PaymentBatchView> {
    const members = batchId ? await this.operations.batchMembers(batchId) : [];
    const payments = members.filter((op) => op.merchantId === merchantId && op.type === 'payment');
    const first = payments[0];
    if (!first) throw new AppError(ErrorCode.PaymentBatchNotFound, 404, `No payment batch ${batchId}.`);
    return { id: batchId, terminalId: first.terminalIds[0] ?? '', payments: payments.map(toOperationView) };
  }

  /** The row of one payment on `provider`'s terminals, after every check a payment gets. */
  private async paymentRow(manager: EntityManager, merchantId: string, provider: Provider, command: CreatePaymentCommand): Promise<NewOperation> {
    refuseUnsupported(provider, paymentRefusals(provider, command), 'this payment');
    assertPaymentShape(provider, command);
    assertSplitAddsUp(command);
    return {
      ...amountOnTerminals(provider, command),
      request: {
        installments: command.installments,
        plan: command.plan,
        method: command.method,
        printCopies: command.print.copies,
        customerTaxId: command.customerTaxId,
        expiresInSeconds: command.expiresInSeconds,
        ...(provider === 'klio'
          ? { klio: { deviceId: await this.terminals.deviceOf(manager, merchantId, command.terminalIds[0]!), ...(command.klio ?? {}) } }
          : {}),
        ...(command.pagouno ? { pagouno: command.pagouno } : {}),
      },
      expiresAt: expiresAfter(command.expiresInSeconds),
    };
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
