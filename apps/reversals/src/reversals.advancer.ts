// Drives reversals and unreferenced refunds, both on the `reversals` queue, by the row's type:
// - a `reversal` gives an approved payment back, through PayStore Reversals (keyed by the payment's
//   provider id) or, for AMEX, through Refunds with the payment's amount (`request.via`);
// - a `refund` is an unreferenced AMEX refund through Refunds.
// The lifecycle (submit once, look up uncertain creates, poll, cancel, deadline) is the shared
// IntentLifecycle; this file says which calls to make and keeps the payment linked.
import { ErrorCode, FailureView, isFinal, OperationStatus } from '@app/contracts';
import type { Logger } from '@app/common';
import { OperationEntity, OperationsRepository } from '@app/persistence';
import { PaystoreClient, RefundEnvelope, ReversalEnvelope, toWireAmount } from '@app/paystore-client';
import { done, IntentLifecycle, IntentPort, OperationAdvancer, paystoreCodeOf, ProviderAdapters, Step } from '@app/workers';
import { linkPayment, reversalRoute } from './payment-linkage';
import { mapRefund, mapReversal } from './paystore-reversal.mapper';

/** The slice of the PayStore client reversals and refunds need (the real client satisfies it). */
export type ReversalsProvider = Pick<
  PaystoreClient,
  | 'createReversal'
  | 'getReversal'
  | 'findReversalByEcrTransactionId'
  | 'cancelReversal'
  | 'createRefund'
  | 'getRefund'
  | 'findRefundByEcrTransactionId'
  | 'cancelRefund'
>;

const PRINT_COPIES = { both: 'BOTH', merchant: 'MERCHANT_ONLY', customer: 'CUSTOMER_ONLY', none: 'NONE' } as const;

/** Provider refusals that have a code of ours the register can act on. */
const REFUSALS: Readonly<Record<string, FailureView['code']>> = Object.freeze({
  ALREADY_REVERSED: ErrorCode.PaymentAlreadyReversed,
  INVALID_STATE: ErrorCode.PaymentNotApproved,
  BRAND_NOT_ALLOWED: ErrorCode.RefundBrandNotAllowed,
});

function rejection(err: unknown, message: string): FailureView {
  const code = paystoreCodeOf(err);
  return { code: (code && REFUSALS[code]) || ErrorCode.ProviderRejected, message };
}

function menuText(op: OperationEntity, fallback: string): string {
  return (op.description ?? op.reference ?? fallback).slice(0, 100);
}

/** Why a reversal cannot be sent for this payment, or null when it can. */
export function paymentProblem(reversal: OperationEntity, payment: OperationEntity | null): FailureView | null {
  if (!payment || payment.type !== 'payment' || payment.merchantId !== reversal.merchantId) {
    return { code: ErrorCode.PaymentNotFound, message: `payment ${reversal.paymentId ?? '(none)'} does not exist` };
  }
  if (payment.status !== 'approved' || !payment.providerId) {
    return { code: ErrorCode.PaymentNotApproved, message: `payment ${payment.id} is ${payment.status}, not approved` };
  }
  if (payment.reversalId && payment.reversalId !== reversal.id) {
    return { code: ErrorCode.PaymentAlreadyReversed, message: `payment ${payment.id} is given back by ${payment.reversalId}` };
  }
  return null;
}

export class ReversalsAdvancer implements OperationAdvancer {
  /** Unreferenced AMEX refunds: no payment behind them. */
  private readonly refunds: IntentPort<RefundEnvelope>;

  constructor(
    private readonly repo: OperationsRepository,
    private readonly provider: ReversalsProvider,
    private readonly cuitOf: (merchantId: string) => Promise<string>,
    private readonly lifecycle: IntentLifecycle,
    private readonly logger: Logger,
    private readonly adapters?: Pick<ProviderAdapters, 'get'>,
  ) {
    this.refunds = this.refundPort(null, ErrorCode.RefundDeclined, 'Devolucion');
  }

  async advance(operationId: string): Promise<Step> {
    const op = await this.repo.findById(operationId);
    if (!op || (op.type !== 'reversal' && op.type !== 'refund')) {
      this.logger.warn({ operationId }, 'job for a reversal or refund that does not exist; dropping it');
      return done();
    }
    if (isFinal(op.status as OperationStatus)) return done();
    const cuit = await this.cuitOf(op.merchantId);
    if (op.type === 'refund') return this.lifecycle.step(op, cuit, this.refunds);

    const payment = op.paymentId ? await this.repo.findById(op.paymentId) : null;
    if (op.provider !== 'paystore') return this.reverse(op, payment, cuit, this.adapterReversalPort(op, payment));
    const via = op.request?.via ?? reversalRoute(payment?.result?.card?.brand);
    return via === 'refund'
      ? this.reverse(op, payment, cuit, this.amexPort(payment))
      : this.reverse(op, payment, cuit, this.reversalPort(payment));
  }

  private async reverse<E>(op: OperationEntity, payment: OperationEntity | null, cuit: string, port: IntentPort<E>): Promise<Step> {
    if (op.status === 'accepted' && !op.submittedAt) {
      // Checked before anything is sent; once sent, the provider's answer is what counts.
      const problem = paymentProblem(op, payment);
      if (problem) return this.lifecycle.finish(op, 'failed', { result: { ...op.result, failure: problem } }, port, ['accepted']);
    }
    return this.lifecycle.step(op, cuit, port);
  }

  /** The reversal port of the operation's provider (Klio annulments, pagoUno adjustments), keeping the payment linked. */
  private adapterReversalPort(op: OperationEntity, payment: OperationEntity | null): IntentPort<unknown> {
    if (!this.adapters) throw new Error(`no adapters for provider ${op.provider}`);
    const adapter = this.adapters.get(op.provider);
    if (!adapter.reversal) throw new Error(`${op.provider} has no reversals`);
    return { ...adapter.reversal(payment), onChanged: linkPayment };
  }

  private reversalPort(payment: OperationEntity | null): IntentPort<ReversalEnvelope> {
    return {
      create: (cuit, op) =>
        this.provider.createReversal(cuit, {
          payment_id: payment?.providerId ?? '',
          ecr_transaction_id: op.id,
          terminals_list: terminalsOf(op, payment).map((terminal_id) => ({ terminal_id })),
          terminal_menu_text: menuText(op, 'Anulacion'),
          print_copies: PRINT_COPIES[op.request?.printCopies ?? 'both'],
        }),
      get: (cuit, providerId) => this.provider.getReversal(cuit, providerId),
      find: (cuit, op) => this.provider.findReversalByEcrTransactionId(cuit, op.id),
      cancel: (cuit, providerId) => this.provider.cancelReversal(cuit, providerId),
      read: (envelope, op) => mapReversal(envelope.reversal_data, op.cancelReason),
      rejection,
      onChanged: linkPayment,
    };
  }

  /** An AMEX payment given back through Refunds: the payment's amount, `card_brand_product: 'AM'`. */
  private amexPort(payment: OperationEntity | null): IntentPort<RefundEnvelope> {
    return { ...this.refundPort(payment, ErrorCode.ReversalDeclined, 'Anulacion'), onChanged: linkPayment };
  }

  private refundPort(payment: OperationEntity | null, declinedCode: FailureView['code'], menuFallback: string): IntentPort<RefundEnvelope> {
    return {
      create: (cuit, op) =>
        this.provider.createRefund(cuit, {
          refund_amount: toWireAmount(op.amount ?? payment?.amount ?? 0),
          ecr_transaction_id: op.id,
          terminals_list: terminalsOf(op, payment).map((terminal_id) => ({ terminal_id })),
          terminal_menu_text: menuText(op, menuFallback),
          print_copies: PRINT_COPIES[op.request?.printCopies ?? 'both'],
          card_brand_product: 'AM',
        }),
      get: (cuit, providerId) => this.provider.getRefund(cuit, providerId),
      find: (cuit, op) => this.provider.findRefundByEcrTransactionId(cuit, op.id),
      cancel: (cuit, providerId) => this.provider.cancelRefund(cuit, providerId),
      read: (envelope, op) => mapRefund(envelope.refund_data, op.cancelReason, declinedCode),
      rejection,
    };
  }
}

/** The reversal's terminals; by default the terminal that took the payment. */
function terminalsOf(op: OperationEntity, payment: OperationEntity | null): string[] {
  if (op.terminalIds.length > 0) return op.terminalIds;
  return payment?.terminalId ? [payment.terminalId] : [];
}
