// The in-memory shapes of intents (payments, reversals, refunds, settlements) and of virtual
// terminals. Intents keep timestamps, not statuses: see intent-timeline.ts.
import type { Candidate, CompletionRecord, TakeRecord, TerminalCancelRecord } from './intent-timeline';
import { REFUND_BRAND, type AutoPlan, type BrandCode } from './outcome.rules';

export type IntentKind = 'payment' | 'reversal' | 'refund' | 'settlement';

export const ENTRY_MODES = [
  'CHIP',
  'CHIP_CONTACTLESS',
  'MAGNETIC_STRIPE',
  'MANUAL',
  'FALLBACK_MANUAL',
  'FALLBACK_MAGNETIC_STRIPE',
  'MAGNETIC_STRIP_CONTACTLESS',
] as const;
export type EntryMode = (typeof ENTRY_MODES)[number];

export type WireObject = Record<string, unknown>;

export interface PaymentDetails {
  kind: 'payment';
  /** The `payment_request_data` exactly as received, echoed back on every read. */
  echo: WireObject;
  amount: string;
  changeAmount: string;
  installments: number;
  method: 'CARD' | 'QR_CODE';
  requestedBrand: BrandCode | null;
  paymentType: 'CREDIT' | 'DEBIT' | null;
  bankAccountType: string | number | null;
  paymentPlanId: string | number | null;
  trxReceiptNotes: string | number | null;
  cardHolderId: string | number | null;
  /** The latest reversal of this payment, if any (reversals are keyed by payment id). */
  latestReversal: Intent | null;
}

export interface ReversalDetails {
  kind: 'reversal';
  echo: WireObject;
  payment: Intent;
}

export interface RefundDetails {
  kind: 'refund';
  echo: WireObject;
  amount: string;
}

export interface SettlementDetails {
  kind: 'settlement';
  terminalId: string;
  printReceipt: boolean;
  subnet: string;
}

export type IntentDetails = PaymentDetails | ReversalDetails | RefundDetails | SettlementDetails;

export interface CardInstrument {
  type: 'card';
  brand: BrandCode;
  paymentType: 'CREDIT' | 'DEBIT';
  bin: string;
  lastFour: string;
  entryMode: EntryMode;
  holder: string;
}

export interface QrInstrument {
  type: 'qr';
  qrCodeId: string;
  wallet: string;
  holder: string;
}

export type Instrument = CardInstrument | QrInstrument;

/** What a terminal produced when it finished; fixed once, so every later read agrees. */
export interface Completed {
  at: number;
  result: 'approved' | 'declined' | 'error';
  terminalId: string;
  batchNumber: number | null;
  receiptNumber: number | null;
  instrument: Instrument | null;
  authorizationCode: string | null;
  nsu: string | null;
  responseCode: string;
  acquirerMessage: string;
  clientReceipt: string | null;
  merchantReceipt: string | null;
}

export interface CardChoice {
  brand: BrandCode | null;
  entryMode: EntryMode | null;
}

export interface Intent {
  readonly id: string;
  /** Creation order across the whole sandbox; breaks ties and orders lists. */
  readonly seq: number;
  readonly cuit: string;
  readonly ecrTransactionId: string | null;
  readonly details: IntentDetails;
  // Timeline (see intent-timeline.ts).
  readonly createdAt: number;
  readonly plan: AutoPlan;
  readonly slowMs: number;
  readonly undoMs: number;
  readonly needsConfirmation: boolean;
  readonly candidates: Candidate[];
  take: TakeRecord | null;
  completion: CompletionRecord | null;
  cancelAt: number | null;
  terminalCancel: TerminalCancelRecord | null;
  confirmedAt: number | null;
  // Fixed results.
  cardChoice: CardChoice | null;
  completed: Completed | null;
  /** True once no terminal has anything left to do with it (it left their lists). */
  offTerminals: boolean;
}

export interface BrandTotals {
  count: number;
  amount: number;
}

export interface BatchTotals {
  payments: Map<string, BrandTotals>;
  reversals: Map<string, BrandTotals>;
  refunds: Map<string, BrandTotals>;
}

export type TerminalMode = 'auto' | 'manual';

export interface VirtualTerminal {
  readonly id: string;
  cuit: string;
  mode: TerminalMode;
  offline: boolean;
  takeDelayMs: number;
  readonly firstBatch: number;
  /** Completion times of the settlements that closed a batch, ascending. */
  readonly closes: number[];
  receiptSeq: number;
  /** Intents offered to or taken by this terminal that it may still have to work on. */
  readonly open: Set<Intent>;
  readonly pendingSettlements: Set<Intent>;
  readonly totals: Map<number, BatchTotals>;
}

/** The batch a terminal had open at time `at`: a close at the same millisecond still counts it. */
export function batchAt(terminal: VirtualTerminal, at: number): number {
  let closedBefore = 0;
  for (let i = terminal.closes.length - 1; i >= 0; i -= 1) {
    if (terminal.closes[i] < at) {
      closedBefore = i + 1;
      break;
    }
  }
  return terminal.firstBatch + closedBefore;
}

export function openBatch(terminal: VirtualTerminal): number {
  return terminal.firstBatch + terminal.closes.length;
}

export function amountOf(intent: Intent): string {
  switch (intent.details.kind) {
    case 'payment':
    case 'refund':
      return intent.details.amount;
    case 'reversal':
      return amountOf(intent.details.payment);
    case 'settlement':
      return '0';
  }
}

/** A refund the terminal refused because the card presented is not AMEX (refunds are AMEX only). */
export function isBrandRefusal(kind: IntentKind, instrument: Instrument | null): boolean {
  return kind === 'refund' && instrument?.type === 'card' && instrument.brand !== REFUND_BRAND;
}
