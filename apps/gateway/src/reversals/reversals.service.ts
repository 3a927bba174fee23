// Reversal commands. A reversal gives back one approved payment of the caller's, and a payment is
// given back at most once: the transaction that stores the reversal also links the payment to it,
// only if the payment is still approved and linked to nothing. Concurrent reversals of one payment
// queue on that update; the first commits, every other one finds the link and is refused, so
// exactly one reversal is created. The reversals worker clears the link when a reversal ends
// other than approved, which lets the register ask again.
import { Inject, Injectable } from '@nestjs/common';
import { AppError } from '@app/common';
import { CreateReversalCommand, ErrorCode, PROVIDER_CAPABILITIES, Provider } from '@app/contracts';
import { assertCapable, providerLabel, refuseUnsupported } from '../operations/provider-capabilities';
import { OperationEntity } from '@app/persistence';
import { reversalRoute } from '@app/paystore-client';
import { EntityManager } from 'typeorm';
import { IdempotentOutcome } from '../idempotency/idempotency.service';
import { expiresAfter, NewOperation, OperationCommands } from '../operations/operation-commands.service';
import { TerminalsService } from '../terminals/terminals.service';

@Injectable()
export class ReversalsService {
  constructor(
    @Inject(TerminalsService) private readonly terminals: TerminalsService,
    @Inject(OperationCommands) private readonly commands: OperationCommands,
  ) {}

  async create(merchantId: string, key: string, command: CreateReversalCommand): Promise<IdempotentOutcome> {
    return this.commands.create(merchantId, 'reversal', key, command, async (manager, id): Promise<NewOperation> => {
      const payment = await this.approvedPayment(manager, merchantId, command.paymentId);
      const provider = payment.provider as Provider;
      assertCapable(provider, 'reversal', 'paymentId');
      const amount = reversalAmount(provider, payment, command.amount);
      if (command.terminalIds) {
        const provider = await this.terminals.providerOf(manager, merchantId, command.terminalIds);
        if (provider !== payment.provider) {
          throw new AppError(ErrorCode.TerminalProvidersDiffer, 422, 'A reversal goes to terminals of the provider that took the payment.', [
            { field: 'terminalIds', message: `terminals of ${provider}; the payment is of ${payment.provider}` },
          ]);
        }
      }
      await this.link(manager, payment.id, id, amount);
      const brand = payment.result?.card?.brand ?? null;
      return {
        provider: payment.provider,
        terminalIds: command.terminalIds ?? (payment.terminalId ? [payment.terminalId] : payment.terminalIds),
        amount,
        currency: payment.currency,
        reference: command.reference ?? null,
        description: command.description ?? null,
        paymentId: payment.id,
        // PayStore gives AMEX back through its Refunds API; the route is fixed when the reversal is taken.
        request: { ...(provider === 'paystore' ? { via: reversalRoute(brand) } : {}), ...(brand ? { cardBrand: brand } : {}), printCopies: 'both' },
        expiresAt: expiresAfter(),
      };
    });
  }

  /** The caller's payment, approved; else 404 PAYMENT.NOT_FOUND or 409 PAYMENT.NOT_APPROVED. */
  private async approvedPayment(manager: EntityManager, merchantId: string, paymentId: string): Promise<OperationEntity> {
    const payment = await manager.getRepository(OperationEntity).findOneBy({ id: paymentId, merchantId, type: 'payment' });
    if (!payment) {
      throw new AppError(ErrorCode.PaymentNotFound, 404, `No payment ${paymentId}.`, [{ field: 'paymentId', message: 'no such payment' }]);
    }
    if (payment.status !== 'approved') throw notApproved(payment.id, payment.status);
    return payment;
  }

  /**
   * Points the payment at the reversal, only if it is still approved and points at nothing. The
   * row lock makes concurrent reversals of one payment wait for each other; the losers see the
   * winner's link once it commits.
   */
  private async link(manager: EntityManager, paymentId: string, reversalId: string, amount: number): Promise<void> {
    const [, updated] = (await manager.query(
      `UPDATE operations SET reversal_id = $1, updated_at = now(), version = version + 1
        WHERE id = $2 AND type = 'payment' AND status = 'approved' AND reversal_id IS NULL AND reversed_amount + $3 <= amount`,
      [reversalId, paymentId, amount],
    )) as [unknown, number];
    if (updated === 1) return;
    const [current] = (await manager.query('SELECT status, reversal_id, amount, reversed_amount FROM operations WHERE id = $1', [paymentId])) as {
      status: string;
      reversal_id: string | null;
      amount: string;
      reversed_amount: string;
    }[];
    if (current.status !== 'approved') throw notApproved(paymentId, current.status);
    // A partial reversal that ended meanwhile left less to give back than this one asks.
    if (current.reversal_id === null) throw exceedsRemaining(paymentId, amount, Number(current.amount) - Number(current.reversed_amount));
    throw alreadyReversed(paymentId, current.reversal_id);
  }
}

function alreadyReversed(paymentId: string, reversalId: string | null): AppError {
  return new AppError(
    ErrorCode.PaymentAlreadyReversed,
    409,
    `Payment ${paymentId} is already given back, or being given back, by ${reversalId ?? 'another reversal'}.`,
    [{ field: 'paymentId', message: `reversed by ${reversalId ?? 'another reversal'}` }],
  );
}

/** What a reversal gives back: `requested`, or all that is left; 422 when the provider or the payment does not allow it. */
export function reversalAmount(provider: Provider, payment: OperationEntity, requested: number | undefined, now = Date.now()): number {
  const caps = PROVIDER_CAPABILITIES[provider].reversal;
  const total = payment.amount ?? 0;
  const remaining = total - (payment.reversedAmount ?? 0);
  const amount = requested ?? remaining;
  if (payment.reversalId || remaining <= 0) throw alreadyReversed(payment.id, payment.reversalId);
  if (caps.maxAgeDays !== null && payment.finalAt && now - payment.finalAt.getTime() > caps.maxAgeDays * 86_400_000) {
    throw new AppError(ErrorCode.ReversalTooLate, 422, `${providerLabel(provider)} reverses payments of the last ${caps.maxAgeDays} days only.`, [
      { field: 'paymentId', message: `approved more than ${caps.maxAgeDays} days ago` },
    ]);
  }
  if (amount !== total && !caps.partial) {
    refuseUnsupported(provider, [{ field: 'amount', message: `${providerLabel(provider)} reverses the whole payment only (${total})` }], 'a partial reversal');
  }
  if (amount > remaining) throw exceedsRemaining(payment.id, amount, remaining);
  return amount;
}

function exceedsRemaining(paymentId: string, amount: number, remaining: number): AppError {
  return new AppError(ErrorCode.ReversalAmountExceeded, 422, `Payment ${paymentId} has ${remaining} left to give back, less than ${amount}.`, [
    { field: 'amount', message: `at most ${remaining}` },
  ]);
}

function notApproved(paymentId: string, status: string): AppError {
  return new AppError(ErrorCode.PaymentNotApproved, 409, `Payment ${paymentId} is ${status}; only an approved payment can be reversed.`, [
    { field: 'paymentId', message: `payment is ${status}` },
  ]);
}
