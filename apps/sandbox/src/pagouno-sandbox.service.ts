// pagoUno in the sandbox: single-use card tokens (the card's brand, BIN and last four kept behind
// them, never the number), purchase groups with pagoUno's atomicity (any failed transaction fails
// the whole group and the approved ones are reversed), queries by transaction id and by external
// reference, and adjustments (annulments and refunds of one transaction). Outcomes come from the
// amount by the sandbox's shared rules (outcome.rules.ts). A repeated
// customer_transaction_identificator answers the group it already created, consuming nothing,
// as a provider that de-duplicates by the client's reference does.
import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { BRANDS, outcomeForAmount, reversalPlanForPaymentAmount, type CreateAnswer } from './outcome.rules';
import type { AdjustmentInput, PurchaseGroupInput } from './pagouno-wire.schemas';
import { SANDBOX_OPTIONS, type SandboxOptions } from './sandbox.options';

/** A refusal in pagoUno's words: answered HTTP 200 (503 for "unavailable") with `{ status, message, data: null }`. */
export class PagounoRefusal extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'PagounoRefusal';
  }
}

export const pagounoBadRequest = (): PagounoRefusal => new PagounoRefusal(400, 'bad request');
export const pagounoNotAuthorized = (): PagounoRefusal => new PagounoRefusal(403, 'not authorized');
export const pagounoNotFound = (): PagounoRefusal => new PagounoRefusal(404, 'not found');

export type WireObject = Record<string, unknown>;

interface CardBehindToken {
  brand: string;
  bin: string;
  last4: string;
  used: boolean;
}

type TransactionState = 'approved' | 'declined' | 'reversed' | 'annulled';

interface SandboxTransaction {
  id: string;
  reference: string;
  merchantCodeGroup: string;
  amount: number;
  refunded: number;
  installments: number;
  sellerDescriptor: string;
  card: { brand: string; bin: string; last4: string };
  state: TransactionState;
  message: string;
  authorization: string;
  ticket: string;
  batch: string;
  captureDate: string;
}

interface GroupItem {
  amount: number;
  card: { brand: string; bin: string; last4: string };
  /** Null when no terminal took it (result_code -100). */
  transaction: SandboxTransaction | null;
}

interface SandboxGroup {
  reference: string;
  externalReference: string;
  success: boolean;
  items: GroupItem[];
}

interface SandboxAdjustment {
  id: string;
  transactionId: string;
  type: 'annulment' | 'refund';
  amount: number;
  success: boolean;
  message: string;
  externalReference: string;
  createdAt: string;
}

/** What the controller does with a charge: answer it, hold the answer, or answer 503. */
export interface ChargeAnswer {
  answer: CreateAnswer | 'slow';
  data: WireObject | null;
}

const APPROVED = 'APROBADA  (authno) Operación aprobada';
const DENIED = 'DENEGADA ';
const INVALID_AMOUNT = 'MONTO INVALIDO Verificar el sistema, error en el formato del campo importe ';
const NO_TERMINAL = 'TERMINAL_NOT_AVAILABLE';
const MIN_AMOUNT = 1000;

const BRAND_NAMES: Readonly<Record<string, string>> = Object.freeze({
  VI: 'Visa',
  MC: 'Mastercard',
  AM: 'American Express',
  MA: 'Maestro',
  CB: 'Cabal',
});

/** The brand a card number belongs to, by the sandbox's BIN table, else by the usual prefixes. */
export function brandOfPan(pan: string): string {
  const bin = pan.slice(0, 6);
  for (const info of Object.values(BRANDS)) if (info.bins.includes(bin)) return BRAND_NAMES[info.code] ?? info.name;
  if (/^3[47]/.test(pan)) return 'American Express';
  if (/^(5[1-5]|2[2-7])/.test(pan)) return 'Mastercard';
  return 'Visa';
}

function digitsOf(text: string, length: number): string {
  let hash = 7;
  for (const ch of text) hash = (hash * 31 + ch.charCodeAt(0)) % 1_000_000_007;
  return String(hash).padStart(length, '0').slice(-length);
}

@Injectable()
export class PagounoSandbox {
  private readonly tokens = new Map<string, CardBehindToken>();
  private readonly transactions = new Map<string, SandboxTransaction>();
  private readonly groups = new Map<string, SandboxGroup>();
  private readonly adjustments: SandboxAdjustment[] = [];
  private sequence = 0;

  constructor(@Inject(SANDBOX_OPTIONS) private readonly options: SandboxOptions) {}

  /** `Authorization` must be the raw key the route needs; anything else is pagoUno's 403. */
  authorize(header: string | undefined, key: 'private' | 'public'): void {
    const expected = key === 'private' ? this.options.pagouno.privateKey : this.options.pagouno.publicKey;
    if (header !== expected) throw pagounoNotAuthorized();
  }

  /** One token per card; the sandbox keeps brand, BIN and last four, never the number or the code. */
  tokenize(cards: { primary_account_number: string }[]): WireObject[] {
    return cards.map((card) => {
      const pan = card.primary_account_number;
      const id = randomUUID().toUpperCase();
      this.tokens.set(id, { brand: brandOfPan(pan), bin: pan.slice(0, 6), last4: pan.slice(-4), used: false });
      return { id };
    });
  }

  charge(body: PurchaseGroupInput, now: number): ChargeAnswer {
    const existing = this.groups.get(body.customer_transaction_identificator);
    if (existing) return { answer: 'normal', data: this.groupView(existing) };

    const tokenIds = body.primary_account_number_list.map((c) => c.token_id);
    if (new Set(tokenIds).size !== tokenIds.length) throw pagounoBadRequest();
    const cards = tokenIds.map((id) => this.tokens.get(id));
    if (cards.some((card) => card === undefined || card.used)) throw pagounoBadRequest();

    const purchases = body.primary_account_number_list.flatMap((entry, i) =>
      entry.purchase_list.map((purchase) => ({ purchase, card: cards[i] as CardBehindToken })),
    );
    const outcomes = purchases.map(({ purchase }) => outcomeForAmount(String(purchase.transaction_amount)));
    // Nothing is taken in when the provider answers 503: tokens stay unused.
    if (outcomes.some((o) => o.answer === 'unavailable')) return { answer: 'unavailable', data: null };

    for (const card of cards) (card as CardBehindToken).used = true;
    const reference = body.customer_transaction_identificator;
    const captureDate = new Date(now).toISOString().slice(5, 10).replace('-', '');
    const items: GroupItem[] = purchases.map(({ purchase, card }, i) => {
      const plan = outcomes[i].plan;
      const cardView = { brand: card.brand, bin: card.bin, last4: card.last4 };
      if (plan === 'never') return { amount: purchase.transaction_amount, card: cardView, transaction: null };
      this.sequence += 1;
      const approved = purchase.transaction_amount >= MIN_AMOUNT && plan !== 'decline' && plan !== 'error';
      const tx: SandboxTransaction = {
        id: randomUUID().toUpperCase(),
        reference,
        merchantCodeGroup: purchase.merchant_code_group,
        amount: purchase.transaction_amount,
        refunded: 0,
        installments: purchase.installments,
        sellerDescriptor: purchase.seller_descriptor,
        card: cardView,
        state: approved ? 'approved' : 'declined',
        message: approved ? APPROVED : purchase.transaction_amount < MIN_AMOUNT || plan === 'error' ? INVALID_AMOUNT : DENIED,
        authorization: approved ? String(100000 + (this.sequence % 900000)).padStart(6, '0') : '',
        ticket: String(this.sequence % 10000).padStart(4, '0'),
        batch: '001',
        captureDate,
      };
      this.transactions.set(tx.id, tx);
      return { amount: purchase.transaction_amount, card: cardView, transaction: tx };
    });
    const success = items.every((item) => item.transaction?.state === 'approved');
    // pagoUno's atomicity: a group with any failure is undone, its approved transactions reversed.
    if (!success) for (const item of items) if (item.transaction?.state === 'approved') item.transaction.state = 'reversed';
    const group: SandboxGroup = { reference, externalReference: body.external_reference ?? reference, success, items };
    this.groups.set(reference, group);

    let answer: ChargeAnswer['answer'] = 'normal';
    if (outcomes.some((o) => o.answer === 'lost')) answer = 'lost';
    else if (outcomes.some((o) => o.plan === 'slow')) answer = 'slow';
    return { answer, data: this.groupView(group) };
  }

  findGroup(externalReference: string): WireObject {
    for (const group of this.groups.values()) {
      if (group.externalReference === externalReference || group.reference === externalReference) return this.groupView(group);
    }
    throw pagounoNotFound();
  }

  transaction(id: string): WireObject {
    const tx = this.transactions.get(id);
    if (!tx) throw pagounoNotFound();
    return this.transactionView(tx);
  }

  /**
   * One adjustment of one approved transaction. The same external reference on the same
   * transaction answers the adjustment already made; an annulment's outcome follows the sandbox's
   * reversal rules by the transaction's amount (…15 declined, …16 error, …17 no terminal).
   */
  adjust(transactionId: string, input: AdjustmentInput, now: number): WireObject {
    const tx = this.transactions.get(transactionId);
    if (!tx) throw pagounoNotFound();
    const repeat = this.adjustments.find((a) => a.transactionId === transactionId && a.externalReference === input.external_reference);
    if (repeat) return this.adjustmentView(repeat);
    if (tx.state === 'annulled') throw new PagounoRefusal(409, 'transaction already annulled');
    if (tx.state !== 'approved') throw new PagounoRefusal(409, `transaction is ${tx.state}, not approved`);
    const remaining = tx.amount - tx.refunded;
    let amount: number;
    if (input.adjustment_type === 'annulment') {
      if (tx.refunded > 0 || (input.transaction_amount !== undefined && input.transaction_amount !== tx.amount)) throw pagounoBadRequest();
      amount = tx.amount;
    } else {
      if (input.transaction_amount === undefined || input.transaction_amount > remaining) throw pagounoBadRequest();
      amount = input.transaction_amount;
    }
    const plan = reversalPlanForPaymentAmount(String(tx.amount));
    const success = plan === 'approve';
    const adjustment: SandboxAdjustment = {
      id: randomUUID().toUpperCase(),
      transactionId,
      type: input.adjustment_type,
      amount,
      success,
      message: success ? 'APROBADA' : plan === 'decline' ? DENIED.trim() : plan === 'error' ? 'ERROR' : NO_TERMINAL,
      externalReference: input.external_reference,
      createdAt: new Date(now).toISOString(),
    };
    this.adjustments.push(adjustment);
    if (success && input.adjustment_type === 'annulment') tx.state = 'annulled';
    if (success && input.adjustment_type === 'refund') tx.refunded += amount;
    return this.adjustmentView(adjustment);
  }

  adjustmentsFor(externalReference: string): WireObject[] {
    return this.adjustments.filter((a) => a.externalReference === externalReference).map((a) => this.adjustmentView(a));
  }

  clear(): void {
    this.tokens.clear();
    this.transactions.clear();
    this.groups.clear();
    this.adjustments.length = 0;
  }

  private groupView(group: SandboxGroup): WireObject {
    return {
      success: group.success,
      pending: false,
      request: group.items.map((item) => ({
        id: item.transaction?.id ?? '',
        transaction_amount: item.amount,
        card: item.card.brand,
        bin: item.card.bin,
        last_4_digits: item.card.last4,
        result_code: item.transaction ? 0 : -100,
        result_code_identifier: item.transaction ? 'SUCCESS' : NO_TERMINAL,
      })),
      response: group.items.flatMap((item) => (item.transaction ? [this.transactionView(item.transaction)] : [])),
      external_reference: group.externalReference,
    };
  }

  private transactionView(tx: SandboxTransaction): WireObject {
    const approvedOnce = tx.state !== 'declined';
    return {
      result_code: 0,
      result_code_identifier: 'SUCCESS',
      id: tx.id,
      success: approvedOnce,
      seller_descriptor: tx.sellerDescriptor.padEnd(25, ' '),
      message: tx.message,
      merchant_code: `1${digitsOf(tx.merchantCodeGroup, 7)}`,
      merchant_code_terminal: `9${digitsOf(tx.merchantCodeGroup, 7)}`,
      authorization: tx.authorization,
      ticket_number: tx.ticket,
      batch_number: tx.batch,
      transaction_amount: tx.amount,
      capture_date: tx.captureDate,
      account_number: `5${digitsOf(tx.merchantCodeGroup, 11)}`,
      bin: tx.card.bin,
      last_4_digits: tx.card.last4,
      primary_account_token: `XXXXXXXX-XXXX-XXXX-XXXX-${tx.id.slice(-12, -8)}XXXX${tx.id.slice(-4)}`,
      validation_raw: 'VTE0011',
      validation: null,
      // Not in pagoUno's published answer; the sandbox adds them so a transaction tells its story.
      card: tx.card.brand,
      installments: tx.installments,
      merchant_code_group: tx.merchantCodeGroup,
      external_reference: this.groups.get(tx.reference)?.externalReference ?? tx.reference,
      reversed: tx.state === 'reversed',
      annulled: tx.state === 'annulled',
      refunded_amount: tx.refunded,
    };
  }

  private adjustmentView(a: SandboxAdjustment): WireObject {
    return {
      id: a.id,
      transaction_id: a.transactionId,
      adjustment_type: a.type,
      transaction_amount: a.amount,
      success: a.success,
      message: a.message,
      external_reference: a.externalReference,
      created_at: a.createdAt,
    };
  }
}
