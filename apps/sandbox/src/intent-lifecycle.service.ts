// Moves intents along: opening them on terminals, reading where they are now, and the actions a
// person (or a test) takes on a terminal. Status is computed from timestamps on every read
// (intent-timeline.ts); the only things fixed on first sight are what a finished terminal
// produced (card, receipt, batch), because those must never change between reads.
import { Inject, Injectable } from '@nestjs/common';
import { authorizationCodeFrom, instrumentLabel, makeCard, makeQr, nsuFrom, seedOf } from './completion-data';
import {
  isOnTerminal,
  phaseAt,
  processingMs,
  type Candidate,
  type CompletionRecord,
  type PhaseState,
  type Result,
} from './intent-timeline';
import {
  amountOf,
  batchAt,
  isBrandRefusal,
  openBatch,
  type BatchTotals,
  type CardChoice,
  type Completed,
  type Instrument,
  type Intent,
  type IntentDetails,
  type VirtualTerminal,
} from './intent.model';
import { merchantOf } from './merchant-identity';
import { wireStatus } from './paystore-views';
import { chooseBrand, REFUND_BRAND, type AutoPlan } from './outcome.rules';
import { invalidState, notFound } from './provider-error';
import { operationReceipt, settlementReceipt } from './receipt-text';
import { SandboxLedger } from './sandbox-ledger';
import { SANDBOX_OPTIONS, type SandboxOptions } from './sandbox.options';

export interface OpenIntentInput {
  id: string;
  cuit: string;
  ecrTransactionId: string | null;
  plan: AutoPlan;
  terminals: readonly VirtualTerminal[];
  details: IntentDetails;
  now: number;
}

/** When a terminal in its current mode takes an intent on its own, or null if it never will. */
export function autoTakeAt(terminal: VirtualTerminal, plan: AutoPlan, from: number): number | null {
  if (terminal.mode !== 'auto' || terminal.offline || plan === 'never') return null;
  return from + terminal.takeDelayMs;
}

function emptyTotals(): BatchTotals {
  return { payments: new Map(), reversals: new Map(), refunds: new Map() };
}

@Injectable()
export class IntentLifecycle {
  constructor(
    private readonly ledger: SandboxLedger,
    @Inject(SANDBOX_OPTIONS) private readonly options: SandboxOptions,
  ) {}

  open(input: OpenIntentInput): Intent {
    const intent: Intent = {
      id: input.id,
      seq: this.ledger.nextSeq(),
      cuit: input.cuit,
      ecrTransactionId: input.ecrTransactionId,
      details: input.details,
      createdAt: input.now,
      plan: input.plan,
      slowMs: this.options.slowMs,
      undoMs: this.options.undoMs,
      needsConfirmation: input.details.kind === 'payment' && this.options.confirmationRequired,
      candidates: input.terminals.map((terminal) => ({
        terminalId: terminal.id,
        autoTakeAt: autoTakeAt(terminal, input.plan, input.now),
        processMs: terminal.takeDelayMs,
        dropped: false,
      })),
      take: null,
      completion: null,
      cancelAt: null,
      terminalCancel: null,
      confirmedAt: null,
      cardChoice: null,
      completed: null,
      offTerminals: false,
    };
    this.ledger.add(intent);
    for (const terminal of input.terminals) {
      terminal.open.add(intent);
      if (input.details.kind === 'settlement') terminal.pendingSettlements.add(intent);
    }
    return intent;
  }

  /** Where the intent is at `now`; fixes the terminal's results the first time they exist. */
  observe(intent: Intent, now: number): PhaseState {
    const state = phaseAt(intent, now);
    // Pin an automatic take, so a later change of the terminal's mode cannot rewrite history.
    if (state.take !== null && intent.take === null) intent.take = state.take;
    if (state.take !== null && state.completion !== null && intent.completed === null) {
      this.materialize(intent, state.take.terminalId, state.completion, now);
    }
    if (!isOnTerminal(state.phase) && !intent.offTerminals) this.leaveTerminals(intent);
    return state;
  }

  /** A person takes the intent on `terminal` (the POS "Take" button). */
  take(intent: Intent, terminal: VirtualTerminal, now: number): PhaseState {
    const state = this.observe(intent, now);
    if (state.phase === 'processing' && state.take?.terminalId === terminal.id) return state;
    if (state.phase !== 'requested') {
      throw invalidState(
        state.take !== null && state.take.terminalId !== terminal.id
          ? `intent ${intent.id} was taken by terminal ${state.take.terminalId}`
          : `intent ${intent.id} is ${wireStatus(intent, state)}, it can no longer be taken`,
      );
    }
    const candidate = this.candidateOn(intent, terminal);
    if (terminal.offline) throw invalidState(`terminal ${terminal.id} is offline`);
    // A manual terminal waits for Approve/Decline; an automatic one finishes by the amount rules.
    const autoCompleteAt =
      terminal.mode === 'auto' ? now + processingMs(intent.plan, candidate.processMs, intent.slowMs) : null;
    intent.take = { terminalId: terminal.id, at: now, autoCompleteAt };
    return this.observe(intent, now);
  }

  /** A person finishes the intent on `terminal` (Approve/Decline), taking it first if needed. */
  complete(intent: Intent, terminal: VirtualTerminal, result: Result, choice: CardChoice, now: number): PhaseState {
    const state = this.take(intent, terminal, now);
    if (state.phase !== 'processing') throw invalidState(`intent ${intent.id} is ${wireStatus(intent, state)}, it is already finished`);
    // A refund presented with a card that is not AMEX is refused by the terminal, whatever the button.
    const refused = intent.details.kind === 'refund' && choice.brand !== null && choice.brand !== REFUND_BRAND;
    intent.completion = { at: now, result: refused ? 'declined' : result };
    intent.cardChoice = choice;
    return this.observe(intent, now);
  }

  /** The person walks away: the terminal gives the intent back and drops it from its list. */
  release(intent: Intent, terminal: VirtualTerminal, now: number): PhaseState {
    const state = this.observe(intent, now);
    const candidate = this.candidateOn(intent, terminal);
    if (state.phase === 'processing' && state.take?.terminalId === terminal.id) {
      intent.take = null;
      // Terminals that lost the race notice the intent is free again from now on.
      for (const other of intent.candidates) {
        if (other !== candidate && other.autoTakeAt !== null && other.autoTakeAt < now) other.autoTakeAt = now;
      }
    } else if (state.phase !== 'requested') {
      throw invalidState(`intent ${intent.id} is ${wireStatus(intent, state)}, it is no longer on terminal ${terminal.id}`);
    }
    candidate.dropped = true;
    candidate.autoTakeAt = null;
    terminal.open.delete(intent);
    return this.observe(intent, now);
  }

  /**
   * The person cancels the intent on `terminal` (the POS "Cancel" button): one still waiting
   * there, or the one this terminal took and has not finished. It ends undone at once, with no
   * cancel from the caller; every terminal drops it. A batch close cannot be cancelled.
   */
  cancelOnTerminal(intent: Intent, terminal: VirtualTerminal, now: number): PhaseState {
    const state = this.observe(intent, now);
    this.candidateOn(intent, terminal);
    if (intent.details.kind === 'settlement') throw invalidState(`intent ${intent.id} is a batch close; it cannot be cancelled on the terminal`);
    const mine = state.phase === 'processing' && state.take?.terminalId === terminal.id;
    if (state.phase !== 'requested' && !mine) {
      throw invalidState(
        state.take !== null && state.take.terminalId !== terminal.id
          ? `intent ${intent.id} was taken by terminal ${state.take.terminalId}`
          : `intent ${intent.id} is ${wireStatus(intent, state)}, it can no longer be cancelled on the terminal`,
      );
    }
    if (terminal.offline) throw invalidState(`terminal ${terminal.id} is offline`);
    intent.terminalCancel = { terminalId: terminal.id, at: now };
    return this.observe(intent, now);
  }

  /** Cancel: accepted only while no terminal has taken the intent. */
  cancel(intent: Intent, now: number): PhaseState {
    const state = this.observe(intent, now);
    if (state.phase === 'undo_requested') return state;
    if (state.phase !== 'requested') {
      throw invalidState(
        state.phase === 'processing'
          ? `terminal ${state.take?.terminalId ?? ''} already took it; it can no longer be cancelled`
          : `it is already ${wireStatus(intent, state)}; it can no longer be cancelled`,
      );
    }
    intent.cancelAt = now;
    return this.observe(intent, now);
  }

  confirm(intent: Intent, now: number): PhaseState {
    const state = this.observe(intent, now);
    if (state.phase !== 'awaiting_confirmation') throw invalidState(`it is ${wireStatus(intent, state)}, not WAITING_CONFIRMATION`);
    intent.confirmedAt = now;
    return this.observe(intent, now);
  }

  /** After a terminal's mode, line or delay changed: its untaken intents follow the new setting. */
  retune(terminal: VirtualTerminal, now: number): void {
    for (const intent of [...terminal.open]) {
      const state = this.observe(intent, now);
      if (state.phase !== 'requested') continue;
      const candidate = intent.candidates.find((c) => c.terminalId === terminal.id);
      if (candidate === undefined || candidate.dropped) continue;
      candidate.autoTakeAt = autoTakeAt(terminal, intent.plan, now);
      candidate.processMs = terminal.takeDelayMs;
    }
  }

  /** Intents the terminal shows now: offered to it and untaken, or taken by it and unfinished. */
  openOn(terminal: VirtualTerminal, now: number): Array<{ intent: Intent; state: PhaseState }> {
    this.settlePendingBatches(terminal, now);
    const shown: Array<{ intent: Intent; state: PhaseState }> = [];
    for (const intent of [...terminal.open]) {
      const state = this.observe(intent, now);
      if (state.phase === 'requested' || (state.phase === 'processing' && state.take?.terminalId === terminal.id)) {
        shown.push({ intent, state });
      }
    }
    return shown.sort((a, b) => a.intent.seq - b.intent.seq);
  }

  /** The batch the terminal has open now (after any settlement that finished in the meantime). */
  currentBatch(terminal: VirtualTerminal, now: number): number {
    this.settlePendingBatches(terminal, now);
    return openBatch(terminal);
  }

  private candidateOn(intent: Intent, terminal: VirtualTerminal): Candidate {
    const candidate = intent.candidates.find((c) => c.terminalId === terminal.id);
    if (candidate === undefined || candidate.dropped) {
      throw notFound(`intent ${intent.id} is not on terminal ${terminal.id}`);
    }
    return candidate;
  }

  private leaveTerminals(intent: Intent): void {
    intent.offTerminals = true;
    for (const candidate of intent.candidates) {
      const terminal = this.ledger.terminals.get(candidate.terminalId);
      terminal?.open.delete(intent);
      if (intent.details.kind === 'settlement' && intent.completed !== null) terminal?.pendingSettlements.delete(intent);
    }
  }

  /**
   * Closes, in completion order, the batches of settlements that finished since the last look.
   * Runs before any result is fixed on the terminal, so every operation lands in the batch that
   * was open when it finished.
   */
  private settlePendingBatches(terminal: VirtualTerminal, now: number): void {
    if (terminal.pendingSettlements.size === 0) return;
    const due: Array<{ settlement: Intent; completion: CompletionRecord }> = [];
    for (const settlement of terminal.pendingSettlements) {
      const state = phaseAt(settlement, now);
      if (state.completion !== null) due.push({ settlement, completion: state.completion });
    }
    due.sort((a, b) => a.completion.at - b.completion.at || a.settlement.seq - b.settlement.seq);
    for (const { settlement, completion } of due) {
      if (settlement.completed === null) this.closeBatch(settlement, terminal, completion, now);
    }
  }

  private materialize(intent: Intent, terminalId: string, completion: CompletionRecord, now: number): void {
    const terminal = this.ledger.terminals.get(terminalId);
    if (terminal === undefined) return;
    this.settlePendingBatches(terminal, now);
    if (intent.completed !== null) return;
    if (intent.details.kind === 'settlement') {
      this.closeBatch(intent, terminal, completion, now);
      return;
    }
    const seed = seedOf(`${intent.details.kind}:${intent.id}:${intent.seq}`);
    const approved = completion.result === 'approved';
    const instrument = completion.result === 'error' ? null : this.instrumentFor(intent, seed);
    const brandRefused = isBrandRefusal(intent.details.kind, instrument);
    const batchNumber = approved ? batchAt(terminal, completion.at) : null;
    const receiptNumber = completion.result === 'error' ? null : (terminal.receiptSeq += 1);
    const authorizationCode = approved ? authorizationCodeFrom(seed) : null;
    const merchant = merchantOf(intent.cuit);
    const operation =
      intent.details.kind === 'payment' ? 'COMPRA' : intent.details.kind === 'reversal' ? 'ANULACION' : 'DEVOLUCION';
    const receipt = (copy: 'CLIENTE' | 'COMERCIO'): string | null =>
      completion.result === 'error'
        ? null
        : operationReceipt({
            operation,
            copy,
            approved,
            merchantName: merchant.merchantName,
            cuit: intent.cuit,
            terminalId,
            batchNumber,
            receiptNumber,
            instrument,
            amountCents: amountOf(intent),
            installments: intent.details.kind === 'payment' ? Math.max(1, intent.details.installments) : 1,
            authorizationCode,
            at: completion.at,
          });
    intent.completed = {
      at: completion.at,
      result: completion.result,
      terminalId,
      batchNumber,
      receiptNumber,
      instrument,
      authorizationCode,
      nsu: completion.result === 'error' ? null : nsuFrom(seed),
      responseCode: approved ? '00' : brandRefused ? '57' : completion.result === 'declined' ? '05' : '96',
      acquirerMessage: approved ? 'APROBADA' : brandRefused ? 'TARJETA NO ADMITIDA' : completion.result === 'declined' ? 'DENEGADA' : 'ERROR EN TERMINAL',
      clientReceipt: receipt('CLIENTE'),
      merchantReceipt: receipt('COMERCIO'),
    };
    if (approved && instrument !== null && batchNumber !== null) {
      const totals = terminal.totals.get(batchNumber) ?? emptyTotals();
      terminal.totals.set(batchNumber, totals);
      const bucket =
        intent.details.kind === 'payment' ? totals.payments : intent.details.kind === 'reversal' ? totals.reversals : totals.refunds;
      const label = instrumentLabel(instrument);
      const sums = bucket.get(label) ?? { count: 0, amount: 0 };
      sums.count += 1;
      sums.amount += Number(amountOf(intent));
      bucket.set(label, sums);
    }
  }

  private instrumentFor(intent: Intent, seed: Buffer): Instrument | null {
    const choice = intent.cardChoice;
    const details = intent.details;
    switch (details.kind) {
      case 'payment':
        if (details.method === 'QR_CODE') return makeQr(seed);
        return makeCard(
          seed,
          choice?.brand ?? chooseBrand(details.requestedBrand, details.amount),
          choice?.entryMode ?? 'CHIP',
          details.paymentType,
        );
      case 'reversal': {
        // The same card is presented again to void the payment.
        const original = details.payment.completed?.instrument ?? null;
        if (original === null || original.type === 'qr') return original;
        return { ...original, entryMode: choice?.entryMode ?? original.entryMode };
      }
      case 'refund':
        // The card presented: AMEX unless a person presented another (which the terminal refused).
        return makeCard(seed, choice?.brand ?? REFUND_BRAND, choice?.entryMode ?? 'CHIP', null);
      case 'settlement':
        return null;
    }
  }

  private closeBatch(settlement: Intent, terminal: VirtualTerminal, completion: CompletionRecord, now: number): void {
    terminal.pendingSettlements.delete(settlement);
    const base: Completed = {
      at: completion.at,
      result: completion.result,
      terminalId: terminal.id,
      batchNumber: null,
      receiptNumber: null,
      instrument: null,
      authorizationCode: null,
      nsu: null,
      responseCode: completion.result === 'approved' ? '00' : completion.result === 'declined' ? '05' : '96',
      acquirerMessage:
        completion.result === 'approved' ? 'CIERRE CORRECTO' : completion.result === 'declined' ? 'DENEGADA' : 'ERROR EN TERMINAL',
      clientReceipt: null,
      merchantReceipt: null,
    };
    settlement.completed = base;
    if (completion.result !== 'approved') return;
    const batchNumber = openBatch(terminal);
    terminal.closes.push(completion.at);
    base.batchNumber = batchNumber;
    // Everything this terminal finished before the close belongs to the closed batch: fix it now.
    for (const other of [...terminal.open]) if (other !== settlement) this.observe(other, now);
    base.merchantReceipt = settlementReceipt({
      merchantName: merchantOf(settlement.cuit).merchantName,
      cuit: settlement.cuit,
      terminalId: terminal.id,
      batchNumber,
      at: completion.at,
      totals: terminal.totals.get(batchNumber),
    });
  }
}
