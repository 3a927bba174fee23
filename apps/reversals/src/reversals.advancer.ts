// Drives reversals and unreferenced refunds, both on the `reversals` queue, by the row's type:
// - a `reversal` gives an approved payment back (whole, or in part where the provider allows it)
//   through the reversal port of the payment's provider: PayStore Reversals (or, for AMEX, its
//   Refunds), Klio annulments, pagoUno adjustments;
// - a `refund` is an unreferenced refund (PayStore AMEX refunds).
// The lifecycle (submit once, look up uncertain creates, poll, cancel, deadline) is the shared
// IntentLifecycle; this file checks the payment before anything is sent and keeps it linked.
import { ErrorCode, FailureView, isFinal, OperationStatus } from '@app/contracts';
import type { Logger } from '@app/common';
import { OperationEntity, OperationsRepository } from '@app/persistence';
import { done, IntentLifecycle, IntentPort, OperationAdvancer, ProviderAdapters, Step } from '@app/workers';
import { linkPayment } from './payment-linkage';

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
  constructor(
    private readonly repo: OperationsRepository,
    private readonly adapters: Pick<ProviderAdapters, 'get'>,
    private readonly cuitOf: (merchantId: string) => Promise<string>,
    private readonly lifecycle: IntentLifecycle,
    private readonly logger: Logger,
  ) {}

  async advance(operationId: string): Promise<Step> {
    const op = await this.repo.findById(operationId);
    if (!op || (op.type !== 'reversal' && op.type !== 'refund')) {
      this.logger.warn({ operationId }, 'job for a reversal or refund that does not exist; dropping it');
      return done();
    }
    if (isFinal(op.status as OperationStatus)) return done();
    const cuit = await this.cuitOf(op.merchantId);
    const adapter = this.adapters.get(op.provider);
    if (op.type === 'refund') {
      if (!adapter.refund) return this.unsupported(op, 'unreferenced refunds');
      return this.lifecycle.step(op, cuit, adapter.refund());
    }
    const payment = op.paymentId ? await this.repo.findById(op.paymentId) : null;
    if (!adapter.reversal) return this.unsupported(op, 'reversals');
    const port: IntentPort<unknown> = { ...adapter.reversal(payment, op), onChanged: linkPayment };
    if (op.status === 'accepted' && !op.submittedAt) {
      // Checked before anything is sent; once sent, the provider's answer is what counts.
      const problem = paymentProblem(op, payment);
      if (problem) return this.lifecycle.finish(op, 'failed', { result: { ...op.result, failure: problem } }, port, ['accepted']);
    }
    return this.lifecycle.step(op, cuit, port);
  }

  /** The gateway refuses these before queueing; a row that got here anyway fails with the same code. */
  private unsupported(op: OperationEntity, what: string): Promise<Step> {
    const failure = { code: ErrorCode.ProviderCapability, message: `${op.provider} has no ${what}` };
    return this.lifecycle.finish(op, 'failed', { result: { ...op.result, failure } }, { onChanged: linkPayment }, ['accepted']);
  }
}
