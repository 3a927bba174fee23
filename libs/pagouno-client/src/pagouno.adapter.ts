// pagoUno behind the provider port. A payment is one purchase group charged with our operation id
// as both customer_transaction_identificator and external_reference; pagoUno is synchronous, so
// the charge's answer is final. A create whose answer was lost is found by that reference, never
// sent again (its card tokens are single use anyway). A reversal annuls every approved transaction
// of the payment, one adjustment each, all with the reversal's id as their reference, so a
// repeated reversal answers the adjustments already made instead of annulling twice.
//
// pagoUno has no terminals: a "terminal" registered for it names the pagoUno account (the entity
// whose keys this adapter holds). The adapter sends nothing of op.terminalIds and reports the
// first one back as the terminal that took the payment.
import { ErrorCode, FailureView, PROVIDER_CAPABILITIES, ProviderCapabilities } from '@app/contracts';
import type { OperationEntity, SplitTransaction } from '@app/persistence';
import type { CallFailure, IntentPort, ProviderAdapter } from '@app/providers';
import { PagounoClient } from './pagouno.client';
import { invalidRequestError, PagounoError, PagounoErrorCode } from './pagouno.errors';
import {
  PagounoReversalEnvelope,
  PlannedPurchase,
  readPurchaseGroup,
  readReversal,
  reversibleTransactions,
  unansweredTransactions,
} from './pagouno.mapping';
import type { PagounoClientOptions } from './pagouno.options';
import { PagounoSplitInput, toPurchaseGroupRequest, validatePagounoRequest } from './pagouno.validation';
import type { PagounoAdjustment, PurchaseGroupData } from './pagouno.wire';

/** The slice of the client the adapter uses (the real client satisfies it). */
export type PagounoClientPort = Pick<
  PagounoClient,
  'charge' | 'getTransaction' | 'findGroup' | 'adjust' | 'findAdjustments' | 'breakerStates' | 'shutdown'
>;

/** A pagoUno failure in the lifecycle's terms. */
export function pagounoFailureOf(err: unknown): CallFailure {
  if (!(err instanceof PagounoError)) return 'unknown';
  if (err.code === PagounoErrorCode.CircuitOpen) return 'circuit_open';
  if (err.code === PagounoErrorCode.InvalidRequest) return 'rejected';
  if (err.outcome === 'unknown') return 'unknown';
  if (err.outcome === 'not_sent' || err.code === PagounoErrorCode.Unavailable || err.code === PagounoErrorCode.Unauthorized) return 'not_taken';
  return err.code === PagounoErrorCode.Conflict ? 'conflict' : 'rejected';
}

/** A short message for a failed call; it never carries a key or card data (the client keeps them out). */
export function pagounoMessageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** What a charge pagoUno refused for good is recorded as. */
export function pagounoRejection(err: unknown, message: string): FailureView {
  if (err instanceof PagounoError && err.code === PagounoErrorCode.BadRequest && err.operation === 'charge') {
    return { code: ErrorCode.ProviderRejected, message: `${message} (an invalid or already used card token, or a request pagoUno refused)` };
  }
  if (err instanceof PagounoError && err.code === PagounoErrorCode.InvalidRequest) return { code: ErrorCode.ValidationFailed, message };
  return { code: ErrorCode.ProviderRejected, message };
}

function plannedPurchases(op: OperationEntity): PlannedPurchase[] {
  return (op.request?.pagouno?.cards ?? []).flatMap((card) => card.purchases.map((p) => ({ merchantCode: p.merchantCode, amount: p.amount })));
}

function accountOf(op: OperationEntity): string | null {
  return op.terminalId ?? op.terminalIds?.[0] ?? null;
}

/** A one-transaction answer (`GET purchase/{id}`) as a group, when its group cannot be found. */
function groupOfOne(tx: PurchaseGroupData['response'][number]): PurchaseGroupData {
  return { success: tx.success && !tx.reversed, pending: false, request: [], response: [tx] };
}

export class PagounoAdapter implements ProviderAdapter {
  readonly name = 'pagouno' as const;
  readonly capabilities: ProviderCapabilities = PROVIDER_CAPABILITIES.pagouno;

  constructor(private readonly client: PagounoClientPort) {}

  payment(): IntentPort<PurchaseGroupData> {
    const client = this.client;
    return {
      create: async (_cuit, op) => {
        const split = op.request?.pagouno as PagounoSplitInput | undefined;
        const errors = validatePagounoRequest(split, { amount: op.amount ?? undefined, currency: op.currency ?? undefined });
        if (errors.length > 0) {
          throw invalidRequestError('charge', errors.map((e) => `${e.field}: ${e.message}`).join('; '));
        }
        return client.charge(toPurchaseGroupRequest(op.id, split as PagounoSplitInput));
      },
      get: async (_cuit, providerId) => {
        const tx = await client.getTransaction(providerId);
        const reference = tx.external_reference;
        const group = reference ? await client.findGroup(reference) : null;
        return group ?? groupOfOne(tx);
      },
      find: (_cuit, op) => client.findGroup(op.id),
      read: (data, op) => readPurchaseGroup(data, plannedPurchases(op), op.id, accountOf(op)),
      failureOf: pagounoFailureOf,
      messageOf: pagounoMessageOf,
      rejection: pagounoRejection,
    };
  }

  reversal(payment: OperationEntity | null): IntentPort<PagounoReversalEnvelope> {
    const transactions = reversibleTransactions(payment);
    const terminal = payment ? accountOf(payment) : null;
    return {
      create: async (_cuit, op) => {
        if (transactions.length === 0) {
          throw invalidRequestError('adjustment.create', `payment ${payment?.id ?? '(none)'} has no approved pagoUno transaction to annul`);
        }
        return this.annul({ reference: op.id, adjustments: [], failures: [] }, transactions);
      },
      get: async (_cuit, providerId) => ({ reference: providerId, adjustments: await this.client.findAdjustments(providerId), failures: [] }),
      find: async (_cuit, op) => {
        const adjustments = await this.client.findAdjustments(op.id);
        return adjustments.length > 0 ? { reference: op.id, adjustments, failures: [] } : null;
      },
      read: (envelope, op) => readReversal(envelope, transactions, terminal ?? accountOf(op)),
      // Adjustments a lost answer left unsent: sent now, under the same reference (a repeat is harmless).
      followUp: async (_cuit, _op, envelope) =>
        unansweredTransactions(envelope, transactions).length > 0 ? this.annul(envelope, transactions) : envelope,
      failureOf: pagounoFailureOf,
      messageOf: pagounoMessageOf,
      rejection: (err, message) =>
        err instanceof PagounoError && err.code === PagounoErrorCode.InvalidRequest
          ? { code: ErrorCode.PaymentNotApproved, message }
          : pagounoRejection(err, message),
    };
  }

  breakerStates(): Record<string, string> {
    return this.client.breakerStates();
  }

  shutdown(): void {
    this.client.shutdown();
  }

  /**
   * Annuls each transaction that has no answer yet. A refusal of one (already annulled elsewhere,
   * not annullable) is recorded and the others go on; a failure that leaves the outcome open
   * (timeout, breaker, 5xx) stops here and is thrown, to be resolved by reference.
   */
  private async annul(envelope: PagounoReversalEnvelope, transactions: SplitTransaction[]): Promise<PagounoReversalEnvelope> {
    const out: PagounoReversalEnvelope = { ...envelope, adjustments: [...envelope.adjustments], failures: [...envelope.failures] };
    for (const tx of unansweredTransactions(envelope, transactions)) {
      const id = tx.id as string;
      try {
        out.adjustments.push(
          await this.client.adjust(id, { adjustment_type: 'annulment', external_reference: envelope.reference, transaction_amount: tx.amount }),
        );
      } catch (err) {
        const failure = pagounoFailureOf(err);
        if (!(err instanceof PagounoError) || (failure !== 'conflict' && failure !== 'rejected')) throw err;
        out.adjustments.push(...(await this.alreadyAnnulled(id, envelope.reference)));
        if (!out.adjustments.some((a) => a.transaction_id === id)) out.failures.push({ transactionId: id, message: err.message });
      }
    }
    return out;
  }

  /** A refused annulment of a transaction that an earlier adjustment already annulled counts as done. */
  private async alreadyAnnulled(transactionId: string, reference: string): Promise<PagounoAdjustment[]> {
    const tx = await this.client.getTransaction(transactionId);
    if (!tx.annulled) return [];
    return [{ id: transactionId, transaction_id: transactionId, adjustment_type: 'annulment', success: true, message: 'already annulled', external_reference: reference }];
  }
}

/** The adapter over a new client built from `options` (PAGOUNO_BASE_URL, PAGOUNO_PRIVATE_KEY, PAGOUNO_PUBLIC_KEY…). */
export function createPagounoAdapter(options: PagounoClientOptions): PagounoAdapter {
  return new PagounoAdapter(new PagounoClient(options));
}
