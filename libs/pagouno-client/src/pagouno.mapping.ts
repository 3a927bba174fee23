// Pure reading of pagoUno answers in our terms. A charge is final when it answers: approved when
// every transaction was, otherwise rejected with each transaction's fate (declined or not
// processed where it failed, reversed where it had been approved: pagoUno undoes the approved
// transactions of a group that failed, whether or not its answer says so). A reversal is the
// annulment of every approved transaction of the payment; it is done when each one is annulled.
// Card data stops at brand, BIN and last four.
import { CardView, ErrorCode, FailureView, OperationStatus } from '@app/contracts';
import type { OperationResult, SplitTransaction } from '@app/persistence';
import type { IntentClass, IntentReading } from '@app/providers';
import type { GroupRequestItem, PagounoAdjustment, PagounoTransaction, PurchaseGroupData } from './pagouno.wire';

/** What the split asked for, one entry per purchase in request order (cards, then their purchases). */
export interface PlannedPurchase {
  merchantCode: string;
  amount: number;
}

const BRANDS: Readonly<Record<string, string>> = Object.freeze({
  VISA: 'visa',
  MASTERCARD: 'mastercard',
  MASTER: 'mastercard',
  'AMERICAN EXPRESS': 'amex',
  AMEX: 'amex',
  CABAL: 'cabal',
  NARANJA: 'naranja',
  MAESTRO: 'maestro',
});

function nonEmpty(value: string | null | undefined): string | null {
  const v = typeof value === 'string' ? value.trim() : '';
  return v.length > 0 ? v : null;
}

/** The card as we keep it: brand, BIN (at most 8 digits) and last four; nothing else ever. */
export function pagounoCard(brand: string | null | undefined, bin: string | null | undefined, last4: string | null | undefined): CardView | null {
  const name = nonEmpty(brand);
  if (!name) return null;
  const binDigits = (bin ?? '').replace(/\D/g, '');
  const lastDigits = (last4 ?? '').replace(/\D/g, '');
  return {
    brand: BRANDS[name.toUpperCase()] ?? name.toLowerCase(),
    bin: binDigits.length >= 6 ? binDigits.slice(0, Math.min(8, binDigits.length)) : null,
    last4: lastDigits.length >= 4 ? lastDigits.slice(-4) : null,
    entryMode: 'card_not_present',
  };
}

/** Each purchase pagoUno received, with the transaction it became (matched by id, else in order). */
function pairs(data: PurchaseGroupData): { item: GroupRequestItem | null; tx: PagounoTransaction | null }[] {
  if (data.request.length === 0) return data.response.map((tx) => ({ item: null, tx }));
  const unmatched = data.response.filter((tx) => !data.request.some((item) => nonEmpty(item.id) === tx.id));
  return data.request.map((item) => {
    const id = nonEmpty(item.id);
    let tx = id ? (data.response.find((r) => r.id === id) ?? null) : null;
    // pagoUno's own examples show an answer whose response id differs from its request id.
    if (!tx && item.result_code === 0) tx = unmatched.shift() ?? null;
    return { item, tx };
  });
}

function splitTransaction(
  item: GroupRequestItem | null,
  tx: PagounoTransaction | null,
  planned: PlannedPurchase | undefined,
  groupSucceeded: boolean,
): SplitTransaction {
  let status: SplitTransaction['status'];
  let message: string | null;
  if (!tx || (item && item.result_code !== 0)) {
    status = 'failed';
    message = nonEmpty(item?.result_code_identifier) ?? 'not processed by pagoUno';
  } else if (tx.success && tx.annulled) {
    status = 'reversed';
    message = 'annulled';
  } else if (tx.success) {
    status = groupSucceeded ? 'approved' : 'reversed';
    message = groupSucceeded ? nonEmpty(tx.message) : 'reversed: another transaction of the charge failed';
  } else {
    status = 'declined';
    message = nonEmpty(tx.message) ?? 'declined';
  }
  return {
    id: nonEmpty(tx?.id) ?? nonEmpty(item?.id),
    merchantCode: planned?.merchantCode ?? nonEmpty(tx?.merchant_code),
    amount: planned?.amount ?? tx?.transaction_amount ?? item?.transaction_amount ?? 0,
    status,
    authorizationCode: nonEmpty(tx?.authorization),
    ticketNumber: nonEmpty(tx?.ticket_number),
    batchNumber: nonEmpty(tx?.batch_number),
    card: pagounoCard(item?.card ?? tx?.card, item?.bin ?? tx?.bin, item?.last_4_digits ?? tx?.last_4_digits),
    message,
  };
}

function statusOf(cls: IntentClass): OperationStatus | null {
  if (cls === 'approved') return 'approved';
  if (cls === 'declined') return 'rejected';
  if (cls === 'error') return 'failed';
  if (cls === 'processing') return 'in_progress';
  return null;
}

/**
 * A charge's answer (or the group found by reference) in our terms. `providerId` is the first
 * transaction's id (pagoUno's id, readable with `GET purchase/{id}`), or `reference` when pagoUno
 * created no transaction at all.
 */
export function readPurchaseGroup(data: PurchaseGroupData, planned: PlannedPurchase[], reference: string, terminalId: string | null): IntentReading {
  const all = pairs(data);
  const transactions = all.map(({ item, tx }, i) => splitTransaction(item, tx, planned[i], data.success));
  const approved = data.success && transactions.length > 0 && transactions.every((t) => t.status === 'approved');
  let cls: IntentClass;
  if (data.pending && !approved) cls = 'processing';
  else if (approved) cls = 'approved';
  else if (transactions.some((t) => t.status === 'declined')) cls = 'declined';
  else cls = 'error';

  const first = transactions.find((t) => t.id !== null);
  const result: OperationResult = {
    providerStatus: cls === 'approved' ? 'APPROVED' : cls === 'declined' ? 'DECLINED' : cls === 'processing' ? 'PENDING' : 'FAILED',
    transactions,
  };
  if (cls === 'approved') {
    const lead = transactions[0];
    Object.assign(result, {
      card: lead?.card ?? null,
      authorizationCode: lead?.authorizationCode ?? null,
      batchNumber: lead?.batchNumber ?? null,
      receiptNumber: lead?.ticketNumber ?? null,
    });
  } else if (cls !== 'processing') {
    // Nothing of it stands: an authorization pagoUno gave and then reversed is not the charge's.
    // The card shown is the one refused; each transaction keeps its own codes in `transactions`.
    const refused = transactions.find((t) => t.status === 'declined' || t.status === 'failed') ?? first;
    Object.assign(result, { card: refused?.card ?? null, authorizationCode: null, batchNumber: null, receiptNumber: null });
  }
  if (cls === 'declined') {
    const declined = transactions.find((t) => t.status === 'declined');
    result.failure = { code: ErrorCode.Declined, message: declined?.message ?? 'declined' };
  } else if (cls === 'error') {
    const failed = transactions.find((t) => t.status === 'failed');
    result.failure = { code: ErrorCode.ProviderRejected, message: `pagoUno did not process the charge: ${failed?.message ?? 'no transaction'}` };
  }
  return { providerId: first?.id ?? reference, cls, status: statusOf(cls), terminalId, result };
}

/** A reversal's adjustments so far: what pagoUno answered, and the refusals met sending them. */
export interface PagounoReversalEnvelope {
  /** Our reversal's id, the external reference of each of its adjustments. */
  reference: string;
  adjustments: PagounoAdjustment[];
  failures: { transactionId: string; message: string }[];
}

/** The transactions of a payment that a full reversal annuls: the approved ones. */
export function reversibleTransactions(payment: { result?: OperationResult | null } | null): SplitTransaction[] {
  return (payment?.result?.transactions ?? []).filter((t): t is SplitTransaction & { id: string } => t.status === 'approved' && !!t.id);
}

/** The transactions still without an answer (no adjustment, no refusal). */
export function unansweredTransactions(envelope: PagounoReversalEnvelope, transactions: SplitTransaction[]): SplitTransaction[] {
  return transactions.filter(
    (t) => !envelope.adjustments.some((a) => a.transaction_id === t.id) && !envelope.failures.some((f) => f.transactionId === t.id),
  );
}

/**
 * A reversal in our terms: approved once every transaction is annulled; in progress while some
 * have no answer yet; rejected when the rest are answered and some annulment was refused.
 * `providerId` is the reversal's reference: pagoUno has no id for a set of adjustments.
 */
export function readReversal(envelope: PagounoReversalEnvelope, transactions: SplitTransaction[], terminalId: string | null): IntentReading {
  const results: SplitTransaction[] = transactions.map((t) => {
    const answers = envelope.adjustments.filter((a) => a.transaction_id === t.id);
    const adjustment = answers.find((a) => a.success) ?? answers[0];
    const failure = envelope.failures.find((f) => f.transactionId === t.id);
    const base = { id: t.id, merchantCode: t.merchantCode, amount: t.amount, card: t.card ?? null };
    if (adjustment?.success) return { ...base, status: 'reversed', message: nonEmpty(adjustment.message) };
    if (adjustment) return { ...base, status: 'declined', message: nonEmpty(adjustment.message) ?? 'annulment declined' };
    if (failure) return { ...base, status: 'failed', message: failure.message };
    return { ...base, status: 'approved', message: 'annulment not answered yet' };
  });
  const missing = unansweredTransactions(envelope, transactions).length > 0;
  let cls: IntentClass;
  if (transactions.length > 0 && results.every((t) => t.status === 'reversed')) cls = 'approved';
  else if (missing) cls = 'processing';
  else cls = 'declined';
  const result: OperationResult = {
    providerStatus: cls === 'approved' ? 'ANNULLED' : cls === 'processing' ? 'ANNULLING' : 'NOT_ANNULLED',
    transactions: results,
  };
  if (cls === 'declined') {
    const refused = results.find((t) => t.status === 'declined' || t.status === 'failed');
    const failure: FailureView = { code: ErrorCode.ReversalDeclined, message: refused?.message ?? 'pagoUno did not annul every transaction' };
    result.failure = failure;
  }
  return { providerId: envelope.reference, cls, status: statusOf(cls), terminalId, result };
}
