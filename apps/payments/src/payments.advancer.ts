// Drives one payment from its stored status to the next, one provider call or two at a time:
// accepted → submit (or look up an earlier attempt) → pending/in_progress → poll → final; cancels
// for the register or at the deadline; resolves unknown outcomes by reference, never by sending the
// intent again. Every change goes through OperationsRepository.transition (row lock + outbox).
import { ErrorCode, isFinal, OperationStatus } from '@app/contracts';
import type { Logger } from '@app/common';
import { OperationEntity, OperationPatch, OperationsRepository } from '@app/persistence';
import {
  CreatePaymentInput,
  PaymentEnvelope,
  PaystoreClient,
  PaystoreError,
  PaystoreErrorCode,
  toWireAmount,
} from '@app/paystore-client';
import { done, jitter, OperationAdvancer, RetryLater, Step, wait } from '@app/workers';
import { mapPayment } from './paystore-payment.mapper';

/** The slice of the PayStore client payments need (the real client satisfies it). */
export type PaymentsProvider = Pick<
  PaystoreClient,
  'createPayment' | 'getPayment' | 'findPaymentByEcrTransactionId' | 'cancelPayment' | 'confirmPayment'
>;

export interface PaymentsAdvancerOptions {
  pollMs: number;
  /** How long after a submit whose outcome is unknown the provider may still show the intent. */
  unknownWindowMs: number;
  /** How long a job waits while the provider's breaker is open. */
  breakerWaitMs: number;
  /** Creates answered "not processed" (503, refused connection) before the payment fails. */
  createMaxAttempts: number;
  now?: () => number;
  onFinal?: (op: OperationEntity) => void;
}

const PRINT_COPIES = { both: 'BOTH', merchant: 'MERCHANT_ONLY', customer: 'CUSTOMER_ONLY', none: 'NONE' } as const;
/** Ahora plan codes as the Argentine acquirers number them. */
const AHORA_PLAN_IDS: Readonly<Record<string, string>> = Object.freeze({ ahora_3: '13', ahora_6: '16', ahora_12: '7', ahora_18: '8' });

export function toCreatePaymentInput(op: OperationEntity): CreatePaymentInput {
  const req = op.request ?? {};
  return {
    payment_amount: toWireAmount(op.amount ?? 0),
    ecr_transaction_id: op.id,
    terminals_list: op.terminalIds.map((terminal_id) => ({ terminal_id })),
    terminal_menu_text: (op.description ?? op.reference ?? 'Cobro').slice(0, 100),
    installments_number: req.installments ?? 1,
    payment_plan_id: req.plan ? (AHORA_PLAN_IDS[req.plan] ?? null) : null,
    print_copies: PRINT_COPIES[req.printCopies ?? 'both'],
    terminal_operation_method: req.method === 'qr' ? 'QR_CODE' : 'CARD',
    card_holder_id: req.customerTaxId ?? null,
  };
}

export class PaymentsAdvancer implements OperationAdvancer {
  private readonly now: () => number;

  constructor(
    private readonly repo: OperationsRepository,
    private readonly provider: PaymentsProvider,
    private readonly cuitOf: (merchantId: string) => Promise<string>,
    private readonly options: PaymentsAdvancerOptions,
    private readonly logger: Logger,
  ) {
    this.now = options.now ?? Date.now;
  }

  async advance(operationId: string): Promise<Step> {
    const op = await this.repo.findById(operationId);
    if (!op || op.type !== 'payment') {
      this.logger.warn({ operationId }, 'job for a payment that does not exist; dropping it');
      return done();
    }
    if (isFinal(op.status as OperationStatus)) return done();
    const cuit = await this.cuitOf(op.merchantId);
    try {
      switch (op.status as OperationStatus) {
        case 'accepted':
          return await this.fromAccepted(op, cuit);
        case 'unknown':
          return await this.resolveUnknown(op, cuit);
        case 'cancelling':
          return await this.cancel(op, cuit);
        default:
          return await this.poll(op, cuit);
      }
    } catch (err) {
      if (err instanceof PaystoreError && err.code === PaystoreErrorCode.CircuitOpen) {
        throw new RetryLater(jitter(this.options.breakerWaitMs, 0.5));
      }
      throw err;
    }
  }

  private async fromAccepted(op: OperationEntity, cuit: string): Promise<Step> {
    if (op.submittedAt) {
      // A create was attempted before (a crash, a lost answer, a 503): look before sending again.
      const found = await this.provider.findPaymentByEcrTransactionId(cuit, op.id);
      if (found) return this.adopt(op, found);
      if (!op.result?.createNotApplied) {
        await this.repo.transition(op.id, 'unknown', {}, ['accepted']);
        return wait(this.options.pollMs);
      }
    }
    if (op.expiresAt && this.now() >= op.expiresAt.getTime()) {
      // Never reached a terminal before its deadline.
      return this.finish(op, 'expired', {}, ['accepted']);
    }
    const marked = await this.repo.transition(
      op.id,
      'accepted',
      { submittedAt: new Date(this.now()), result: { ...op.result, createNotApplied: false } },
      ['accepted'],
    );
    if (marked.kind === 'refused') return wait(0);

    let envelope: PaymentEnvelope;
    try {
      envelope = await this.provider.createPayment(cuit, toCreatePaymentInput(op));
    } catch (err) {
      return this.createFailed(marked.operation, err);
    }
    return this.adopt(marked.operation, envelope);
  }

  private async createFailed(op: OperationEntity, err: unknown): Promise<Step> {
    if (err instanceof PaystoreError && err.code === PaystoreErrorCode.CircuitOpen) {
      // Not sent: wait for the provider without spending one of the payment's create attempts.
      await this.repo.transition(op.id, 'accepted', { result: { ...op.result, createNotApplied: true } }, ['accepted']);
      throw new RetryLater(jitter(this.options.breakerWaitMs, 0.5));
    }
    if (!(err instanceof PaystoreError) || err.outcome === 'unknown') {
      this.logger.warn({ operationId: op.id, code: err instanceof PaystoreError ? err.code : 'unexpected' }, 'create outcome unknown');
      await this.repo.transition(op.id, 'unknown', {}, ['accepted']);
      return wait(this.options.pollMs);
    }
    const transient =
      err.outcome === 'not_sent' ||
      err.code === PaystoreErrorCode.Unavailable ||
      err.code === PaystoreErrorCode.Unauthorized;
    if (transient) {
      const attempts = (op.result?.createAttempts ?? 0) + 1;
      if (attempts >= this.options.createMaxAttempts) {
        return this.finish(op, 'failed', {
          result: { ...op.result, createAttempts: attempts, failure: { code: ErrorCode.ProviderUnavailable, message: providerMessage(err) } },
        });
      }
      // Known not created: the next attempt looks it up first, then sends again, after a backoff.
      await this.repo.transition(op.id, 'accepted', { result: { ...op.result, createNotApplied: true, createAttempts: attempts } }, ['accepted']);
      return wait(jitter(Math.min(30_000, this.options.pollMs * 2 ** attempts)));
    }
    return this.finish(op, 'failed', {
      result: {
        ...op.result,
        failure: { code: ErrorCode.ProviderRejected, message: providerMessage(err) },
      },
    });
  }

  private async poll(op: OperationEntity, cuit: string): Promise<Step> {
    if (!op.providerId) return this.resolveUnknown(op, cuit);
    let envelope = await this.provider.getPayment(cuit, op.providerId);
    const mapped = mapPayment(envelope.payment_data, op.cancelReason);
    if (mapped.providerClass === 'requested' && op.expiresAt && this.now() >= op.expiresAt.getTime()) {
      const res = await this.repo.transition(op.id, 'cancelling', { cancelReason: 'expired' }, ['pending', 'in_progress']);
      return res.kind === 'refused' ? wait(0) : this.cancel(res.operation, cuit);
    }
    if (op.request?.confirmRequested && envelope.payment_data.payment_status === 'WAITING_CONFIRMATION') {
      envelope = await this.provider.confirmPayment(cuit, op.providerId);
    }
    return this.adopt(op, envelope);
  }

  private async cancel(op: OperationEntity, cuit: string): Promise<Step> {
    const undone = op.cancelReason === 'expired' ? 'expired' : 'cancelled';
    if (!op.providerId) {
      if (!op.submittedAt) return this.finish(op, undone, {}, ['cancelling']);
      const found = await this.provider.findPaymentByEcrTransactionId(cuit, op.id);
      if (found) return this.adopt(op, found);
      if (this.now() - op.submittedAt.getTime() < this.options.unknownWindowMs) return wait(this.options.pollMs);
      // Searched for the whole window and the provider never had it: nothing to cancel.
      return this.finish(op, undone, {}, ['cancelling']);
    }
    const current = await this.provider.getPayment(cuit, op.providerId);
    const mapped = mapPayment(current.payment_data, op.cancelReason);
    if (mapped.providerClass !== 'requested') return this.adopt(op, current);
    try {
      return await this.adopt(op, await this.provider.cancelPayment(cuit, op.providerId));
    } catch (err) {
      // 409: a terminal took it meanwhile; unknown: the next poll tells. Either way, look again.
      if (err instanceof PaystoreError && (err.code === PaystoreErrorCode.Conflict || err.outcome === 'unknown')) {
        return wait(Math.min(this.options.pollMs, 250));
      }
      throw err;
    }
  }

  private async resolveUnknown(op: OperationEntity, cuit: string): Promise<Step> {
    const found = await this.provider.findPaymentByEcrTransactionId(cuit, op.id);
    if (found) return this.adopt(op, found);
    const since = op.submittedAt?.getTime() ?? op.createdAt.getTime();
    if (this.now() - since < this.options.unknownWindowMs) return wait(this.options.pollMs);
    return this.finish(op, 'failed', {
      result: {
        ...op.result,
        failure: {
          code: ErrorCode.ProviderOutcomeUnknown,
          message: 'the provider has no record of the payment intent; it was not sent again',
        },
      },
    });
  }

  /** Records what the provider says of the intent, and decides when to look next. */
  private async adopt(op: OperationEntity, envelope: PaymentEnvelope): Promise<Step> {
    const mapped = mapPayment(envelope.payment_data, op.cancelReason);
    const from = op.status as OperationStatus;
    let to: OperationStatus = mapped.status ?? (mapped.providerClass === 'cancelling' ? 'cancelling' : from);
    if (to === from && (from === 'accepted' || from === 'unknown')) to = 'pending';
    // A cancel under way stays `cancelling` until the provider says how it ended.
    if (from === 'cancelling' && !isFinal(to)) to = 'cancelling';
    const patch: OperationPatch = {
      providerId: envelope.payment_data.payment_id,
      terminalId: mapped.terminalId ?? op.terminalId,
      result: { ...op.result, ...mapped.result },
    };
    if (isFinal(to)) return this.finish(op, to, patch);
    const res = await this.repo.transition(op.id, to, patch);
    if (res.kind === 'refused') return wait(0);
    return wait(to === 'cancelling' ? Math.min(this.options.pollMs, 250) : this.options.pollMs);
  }

  private async finish(
    op: OperationEntity,
    to: OperationStatus,
    patch: OperationPatch,
    expect?: OperationStatus[],
  ): Promise<Step> {
    const res = await this.repo.transition(op.id, to, patch, expect);
    if (res.kind === 'refused') return isFinal(res.operation.status as OperationStatus) ? done() : wait(0);
    if (res.kind === 'changed') this.options.onFinal?.(res.operation);
    return done();
  }
}

function providerMessage(err: PaystoreError): string {
  const first = err.providerErrors[0];
  return first?.acquirerMessage || first?.title || err.message;
}
