// Virtual terminals: the registry (owned by a CUIT, seeded from configuration), their mode, and
// what a person at the virtual POS does with an intent (take, approve, decline, walk away, cancel).
import { Inject, Injectable } from '@nestjs/common';
import { IntentLifecycle } from './intent-lifecycle.service';
import type { PhaseState, Result } from './intent-timeline';
import { amountOf, type CardChoice, type Intent, type TerminalMode, type VirtualTerminal } from './intent.model';
import { wireStatus } from './paystore-views';
import { notFound, invalidState, ProviderError } from './provider-error';
import { formatCents } from './receipt-text';
import { SandboxLedger } from './sandbox-ledger';
import { SANDBOX_OPTIONS, type SandboxOptions } from './sandbox.options';

export interface TerminalSettings {
  terminalId: string;
  cuit: string;
  mode?: TerminalMode;
  offline?: boolean;
  takeDelayMs?: number;
}

export interface TerminalView {
  terminalId: string;
  cuit: string;
  mode: TerminalMode;
  offline: boolean;
  takeDelayMs: number;
  batchNumber: string;
  posUrl: string;
}

export interface IntentOnTerminal {
  id: string;
  kind: Intent['details']['kind'];
  status: string;
  amount: string;
  amountText: string;
  method: 'CARD' | 'QR_CODE';
  requestedBrand: string | null;
  menuText: string | null;
  ecrTransactionId: string | null;
  createdAt: string;
  takenBy: string | null;
  takenHere: boolean;
}

export type PosAction = 'take' | 'approve' | 'decline' | 'walkaway' | 'cancel';

@Injectable()
export class VirtualTerminalsService {
  constructor(
    private readonly ledger: SandboxLedger,
    private readonly lifecycle: IntentLifecycle,
    @Inject(SANDBOX_OPTIONS) private readonly options: SandboxOptions,
  ) {
    this.seed();
  }

  /** Terminals from configuration; called again after a reset. */
  seed(): void {
    for (const seed of this.options.terminals) this.upsert({ ...seed }, Date.now());
  }

  upsert(settings: TerminalSettings, now: number): VirtualTerminal {
    const existing = this.ledger.terminals.get(settings.terminalId);
    if (existing === undefined) {
      const terminal: VirtualTerminal = {
        id: settings.terminalId,
        cuit: settings.cuit,
        mode: settings.mode ?? 'auto',
        offline: settings.offline ?? false,
        takeDelayMs: settings.takeDelayMs ?? this.options.takeDelayMs,
        firstBatch: 1,
        closes: [],
        receiptSeq: 0,
        open: new Set(),
        pendingSettlements: new Set(),
        totals: new Map(),
      };
      this.ledger.terminals.set(terminal.id, terminal);
      return terminal;
    }
    existing.cuit = settings.cuit;
    return this.configure(existing, settings, now);
  }

  configure(terminal: VirtualTerminal, change: Partial<Omit<TerminalSettings, 'terminalId' | 'cuit'>>, now: number): VirtualTerminal {
    if (change.mode !== undefined) terminal.mode = change.mode;
    if (change.offline !== undefined) terminal.offline = change.offline;
    if (change.takeDelayMs !== undefined) terminal.takeDelayMs = change.takeDelayMs;
    this.lifecycle.retune(terminal, now);
    return terminal;
  }

  find(terminalId: string): VirtualTerminal {
    const terminal = this.ledger.terminals.get(terminalId);
    if (terminal === undefined) throw notFound(`terminal ${terminalId} does not exist`);
    return terminal;
  }

  all(): VirtualTerminal[] {
    return [...this.ledger.terminals.values()].sort((a, b) => a.id.localeCompare(b.id));
  }

  /** The terminals an intent names, each of which must exist and belong to the caller's CUIT. */
  resolveForCuit(cuit: string, terminalIds: readonly string[]): VirtualTerminal[] {
    const unique = [...new Set(terminalIds)];
    return unique.map((terminalId) => {
      const terminal = this.ledger.terminals.get(terminalId);
      if (terminal === undefined) {
        throw new ProviderError(400, 'TERMINAL_NOT_FOUND', `terminal ${terminalId} does not exist`);
      }
      if (terminal.cuit !== cuit) {
        throw new ProviderError(400, 'TERMINAL_NOT_FOUND', `terminal ${terminalId} does not belong to CUIT ${cuit}`);
      }
      return terminal;
    });
  }

  view(terminal: VirtualTerminal, now: number): TerminalView {
    return {
      terminalId: terminal.id,
      cuit: terminal.cuit,
      mode: terminal.mode,
      offline: terminal.offline,
      takeDelayMs: terminal.takeDelayMs,
      batchNumber: String(this.lifecycle.currentBatch(terminal, now)),
      posUrl: `/sandbox/pos/${terminal.id}`,
    };
  }

  intentsOn(terminal: VirtualTerminal, now: number): IntentOnTerminal[] {
    return this.lifecycle.openOn(terminal, now).map(({ intent, state }) => this.intentView(intent, state, terminal));
  }

  /**
   * What the POS buttons do. Without `paymentId` the action applies to the terminal's own
   * intent in progress, else to the oldest one waiting on it.
   */
  act(terminal: VirtualTerminal, action: PosAction, paymentId: string | null, choice: CardChoice, now: number): IntentOnTerminal {
    const intent = this.pick(terminal, paymentId, action, now);
    let state: PhaseState;
    switch (action) {
      case 'take':
        state = this.lifecycle.take(intent, terminal, now);
        break;
      case 'approve':
      case 'decline': {
        const result: Result = action === 'approve' ? 'approved' : 'declined';
        state = this.lifecycle.complete(intent, terminal, result, choice, now);
        break;
      }
      case 'walkaway':
        state = this.lifecycle.release(intent, terminal, now);
        break;
      case 'cancel':
        state = this.lifecycle.cancelOnTerminal(intent, terminal, now);
        break;
    }
    return this.intentView(intent, state, terminal);
  }

  private pick(terminal: VirtualTerminal, paymentId: string | null, action: PosAction, now: number): Intent {
    if (paymentId !== null) {
      // Finished intents are looked up too, so acting on one gets a 409 that says why.
      for (const intent of terminal.open) if (intent.id === paymentId) return intent;
      const known = this.findAnywhere(terminal, paymentId);
      if (known !== undefined) return known;
      throw notFound(`intent ${paymentId} is not on terminal ${terminal.id}`);
    }
    const shown = this.lifecycle.openOn(terminal, now);
    const mine = shown.find(({ state }) => state.phase === 'processing');
    const target = action === 'take' ? shown.find(({ state }) => state.phase === 'requested') : (mine ?? shown[0]);
    if (target === undefined) throw invalidState(`terminal ${terminal.id} has no intent to ${action}`);
    return target.intent;
  }

  private findAnywhere(terminal: VirtualTerminal, id: string): Intent | undefined {
    for (const kind of ['payment', 'refund', 'settlement', 'reversal'] as const) {
      const intent = this.ledger.get(kind, id, terminal.cuit);
      if (intent !== undefined && intent.candidates.some((c) => c.terminalId === terminal.id)) return intent;
    }
    return undefined;
  }

  private intentView(intent: Intent, state: PhaseState, terminal: VirtualTerminal): IntentOnTerminal {
    const details = intent.details;
    const echo = details.kind === 'settlement' ? null : details.echo;
    const menuText = echo !== null && typeof echo.terminal_menu_text === 'string' ? echo.terminal_menu_text : null;
    const amount = details.kind === 'settlement' ? '0' : amountOf(intent);
    return {
      id: intent.id,
      kind: details.kind,
      status: wireStatus(intent, state),
      amount,
      amountText: details.kind === 'settlement' ? 'cierre de lote' : formatCents(amount),
      method: details.kind === 'payment' ? details.method : 'CARD',
      requestedBrand: details.kind === 'payment' ? details.requestedBrand : details.kind === 'refund' ? 'AM' : null,
      menuText,
      ecrTransactionId: intent.ecrTransactionId,
      createdAt: new Date(intent.createdAt).toISOString(),
      takenBy: state.take?.terminalId ?? null,
      takenHere: state.take?.terminalId === terminal.id,
    };
  }
}
