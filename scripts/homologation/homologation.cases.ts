// The homologation cases as data: what each provider (PayStore, Klio SmartPos, pagoUno) asks an
// integrator to run and report back (the provider's id of every operation), each as steps through
// the public API and what must come out of it. Amounts follow the sandbox's outcome rules
// (docs/sandbox.md), so the same table runs against the sandbox unattended and against the
// providers' homologation environments with a person at the terminals, who follows each step's `say`.
import type { OperationStatus, ProviderName } from '@app/contracts';

/** The providers' names as the report shows them. */
export const PROVIDER_LABEL: Readonly<Record<ProviderName, string>> = Object.freeze({
  paystore: 'PayStore',
  klio: 'Klio SmartPos',
  pagouno: 'pagoUno',
});

/** What a person does on the terminal; against the sandbox, its control route of that name. */
export type TerminalAction = 'take' | 'approve' | 'decline' | 'walkaway' | 'cancel';

/**
 * How far an operation must have come: `sent` (the provider has it: pending or later), `taken`
 * (a terminal took it, or it is already final), `final`.
 */
export type Milestone = 'sent' | 'taken' | 'final';

/** An index into the configured terminals of the case's provider (0 = the first). */
export type TerminalIndex = number;

/**
 * One card of a pagoUno split: `card` indexes the run's test cards (tokenized by the run, as the
 * buyer's device would, once per payment), `merchant` the pagoUno merchant codes it charges for.
 */
export interface SplitCard {
  card: number;
  purchases: { merchant: number; amount: number; installments?: number; sellerDescriptor: string }[];
}

export type Step =
  | {
      do: 'pay';
      as: string;
      amount: number;
      terminals?: TerminalIndex[];
      installments?: number;
      plan?: 'ahora_3' | 'ahora_6' | 'ahora_12' | 'ahora_18';
      method?: 'card' | 'qr';
      /** pagoUno: the cards and purchases that make up `amount`. */
      split?: SplitCard[];
    }
  /** Several payments for one device as one ordered request (Klio multi-task); `as[i]` names the i-th. */
  | { do: 'payBatch'; as: string[]; amounts: number[]; terminal?: TerminalIndex }
  /** Without `amount` the whole payment (what is left of it); with it, a partial reversal. */
  | { do: 'reverse'; as: string; payment: string; amount?: number }
  | { do: 'refund'; as: string; amount: number; terminals?: TerminalIndex[] }
  | { do: 'settle'; as: string; terminal?: TerminalIndex }
  /** The register cancels (`POST /v1/{type}s/{id}/cancel`). */
  | { do: 'cancel'; op: string }
  /** Sandbox only: these terminals wait for a person for the rest of the case (restored after). */
  | { do: 'manual'; terminals: TerminalIndex[] }
  /**
   * Something a person does on a terminal. Against the sandbox the run calls `action` there (no
   * action: the automatic terminal does it by itself); otherwise it prints `say` and goes on.
   */
  | { do: 'terminal'; op: string; terminal?: TerminalIndex; action?: TerminalAction; say: string }
  /** Polls the operation until it reaches `until`. */
  | { do: 'await'; op: string; until: Milestone };

/** One thing the final view of an operation must show. `path` is a field, or `card.brand` etc. */
export type Check =
  | { op: string; path: string; is: string | number | boolean | null }
  /** Not null, not empty. */
  | { op: string; path: string; set: true }
  /** Equals the id of another operation of the case. */
  | { op: string; path: string; idOf: string }
  /** Equals one of the values of the array at `path` of the same operation. */
  | { op: string; path: string; among: string }
  /** An array of exactly this many items. */
  | { op: string; path: string; count: number };

export interface HomologationCase {
  id: string;
  /** Whose terminals the case runs on; the report keeps it on every row. */
  provider: ProviderName;
  title: string;
  /** The case as the provider's homologation sheet names it. */
  caso: string;
  expected: string;
  steps: Step[];
  /** The status each operation (by its `as` name) must end in. */
  outcome: Record<string, OperationStatus>;
  checks: Check[];
}

/** What every approved card operation carries for the provider's sheet. */
const ticket = (op: string): Check[] => [
  { op, path: 'authorizationCode', set: true },
  { op, path: 'batchNumber', set: true },
  { op, path: 'receiptNumber', set: true },
];

/** pagoUno: exactly these transactions, in purchase order, each with its own id. */
const transactions = (op: string, statuses: ('approved' | 'declined' | 'reversed' | 'failed')[]): Check[] => [
  { op, path: 'transactions', count: statuses.length },
  ...statuses.flatMap((status, i): Check[] => [
    { op, path: `transactions.${i}.status`, is: status },
    { op, path: `transactions.${i}.id`, set: true },
  ]),
];

const payAndTerminal = (say: string): Step[] => [
  { do: 'await', op: 'payment', until: 'sent' },
  { do: 'terminal', op: 'payment', say },
  { do: 'await', op: 'payment', until: 'final' },
];

type CaseText = Pick<HomologationCase, 'id' | 'provider' | 'title' | 'caso' | 'expected'>;

/** A card payment of `amount` the terminal declines: PAYMENT.DECLINED with the acquirer's message. */
const declinedCase = (text: CaseText, amount: number, say: string): HomologationCase => ({
  ...text,
  steps: [{ do: 'pay', as: 'payment', amount }, ...payAndTerminal(say)],
  outcome: { payment: 'rejected' },
  checks: [
    { op: 'payment', path: 'failure.code', is: 'PAYMENT.DECLINED' },
    { op: 'payment', path: 'failure.message', set: true },
  ],
});

/** A payment of `amount` left untouched on the terminal, which the register cancels. */
const cancelledByRegisterCase = (text: CaseText, amount: number, say: string): HomologationCase => ({
  ...text,
  steps: [
    { do: 'pay', as: 'payment', amount },
    { do: 'await', op: 'payment', until: 'sent' },
    { do: 'terminal', op: 'payment', say },
    { do: 'cancel', op: 'payment' },
    { do: 'await', op: 'payment', until: 'final' },
  ],
  outcome: { payment: 'cancelled' },
  checks: [],
});

/** A QR payment of `amount` paid from a wallet: approved, method qr, a QR id and no card. */
const qrCase = (text: CaseText, amount: number, say: string): HomologationCase => ({
  ...text,
  steps: [{ do: 'pay', as: 'payment', amount, method: 'qr' }, ...payAndTerminal(say)],
  outcome: { payment: 'approved' },
  checks: [
    { op: 'payment', path: 'method', is: 'qr' },
    { op: 'payment', path: 'qrCodeId', set: true },
    { op: 'payment', path: 'card', is: null },
    { op: 'payment', path: 'authorizationCode', set: true },
  ],
});

export const HOMOLOGATION_CASES: readonly HomologationCase[] = Object.freeze<HomologationCase[]>([
  {
    id: 'approved',
    provider: 'paystore',
    title: 'Approved card payment',
    caso: 'Pago aprobado',
    expected: 'payment approved; card, authorization code, batch and receipt numbers; the terminal that took it',
    steps: [
      { do: 'pay', as: 'payment', amount: 150000 },
      ...payAndTerminal('Pay $1,500.00 with a card that is approved (chip).'),
    ],
    outcome: { payment: 'approved' },
    checks: [...ticket('payment'), { op: 'payment', path: 'card.brand', set: true }, { op: 'payment', path: 'card.last4', set: true }],
  },
  declinedCase(
    {
      id: 'declined',
      provider: 'paystore',
      title: 'Declined card payment',
      caso: 'Pago rechazado',
      expected: 'payment rejected with PAYMENT.DECLINED and the acquirer message',
    },
    150005,
    'Pay $1,500.05 with the card that the acquirer declines (homologation kit), so the terminal shows DENEGADA.',
  ),
  cancelledByRegisterCase(
    {
      id: 'cancelled-by-register',
      provider: 'paystore',
      title: 'Payment cancelled by the register before a terminal takes it',
      caso: 'Pago cancelado desde la caja',
      expected: 'payment cancelled after the register cancels it while it waits on the terminal',
    },
    150007,
    'Leave the payment of $1,500.07 on the terminal untouched: the register cancels it.',
  ),
  {
    id: 'cancelled-on-terminal',
    provider: 'paystore',
    title: 'Payment cancelled on the terminal',
    caso: 'Pago cancelado desde el POS',
    expected: 'payment cancelled after the operator took it and cancelled it on the terminal; the register sends no cancel',
    steps: [
      { do: 'manual', terminals: [0] },
      { do: 'pay', as: 'payment', amount: 151000 },
      { do: 'await', op: 'payment', until: 'sent' },
      { do: 'terminal', op: 'payment', action: 'take', say: 'Start the payment of $1,510.00 on the terminal; do not present a card.' },
      { do: 'await', op: 'payment', until: 'taken' },
      {
        do: 'terminal',
        op: 'payment',
        action: 'cancel',
        say: 'Cancel the payment on the terminal (the customer gives up); the register does nothing.',
      },
      { do: 'await', op: 'payment', until: 'final' },
    ],
    outcome: { payment: 'cancelled' },
    checks: [{ op: 'payment', path: 'terminalId', among: 'terminalIds' }],
  },
  qrCase(
    {
      id: 'qr',
      provider: 'paystore',
      title: 'QR payment',
      caso: 'Pago con QR',
      expected: 'payment approved, paid from a wallet: method qr and a QR code id, no card',
    },
    152000,
    'Scan the QR shown on the terminal with the homologation wallet and pay $1,520.00.',
  ),
  {
    id: 'installments',
    provider: 'paystore',
    title: 'Payment in 3 installments',
    caso: 'Pago en cuotas',
    expected: 'payment approved in 3 installments',
    steps: [
      { do: 'pay', as: 'payment', amount: 153000, installments: 3 },
      ...payAndTerminal('Pay $1,530.00 in 3 installments with a credit card.'),
    ],
    outcome: { payment: 'approved' },
    checks: [...ticket('payment'), { op: 'payment', path: 'installments', is: 3 }, { op: 'payment', path: 'plan', is: null }],
  },
  {
    id: 'ahora-12',
    provider: 'paystore',
    title: 'Payment with the Ahora 12 plan',
    caso: 'Pago con plan Ahora 12',
    expected: 'payment approved with plan ahora_12 in 12 installments',
    steps: [
      { do: 'pay', as: 'payment', amount: 154000, installments: 12, plan: 'ahora_12' },
      ...payAndTerminal('Pay $1,540.00 with the Ahora 12 plan with a credit card.'),
    ],
    outcome: { payment: 'approved' },
    checks: [...ticket('payment'), { op: 'payment', path: 'plan', is: 'ahora_12' }, { op: 'payment', path: 'installments', is: 12 }],
  },
  {
    id: 'broadcast',
    provider: 'paystore',
    title: 'Payment broadcast to three terminals, taken by one',
    caso: 'Pago difundido a varios POS',
    expected: 'payment sent to three terminals, approved on the one that took it',
    steps: [
      { do: 'manual', terminals: [0, 1, 2] },
      { do: 'pay', as: 'payment', amount: 155000, terminals: [0, 1, 2] },
      { do: 'await', op: 'payment', until: 'sent' },
      {
        do: 'terminal',
        op: 'payment',
        terminal: 1,
        action: 'approve',
        say: 'The payment of $1,550.00 shows on all three terminals: take it on the second one and pay with a card.',
      },
      { do: 'await', op: 'payment', until: 'final' },
    ],
    outcome: { payment: 'approved' },
    checks: [
      ...ticket('payment'),
      { op: 'payment', path: 'terminalIds', count: 3 },
      { op: 'payment', path: 'terminalId', among: 'terminalIds' },
    ],
  },
  {
    id: 'reversal',
    provider: 'paystore',
    title: 'Full reversal of an approved payment',
    caso: 'Anulación total',
    expected: 'payment approved, then reversed whole on its terminal: reversal approved and linked to the payment',
    steps: [
      { do: 'pay', as: 'payment', amount: 156000 },
      ...payAndTerminal('Pay $1,560.00 with a card (not AMEX).'),
      { do: 'reverse', as: 'reversal', payment: 'payment' },
      { do: 'await', op: 'reversal', until: 'sent' },
      { do: 'terminal', op: 'reversal', say: 'Confirm the reversal of $1,560.00 on the terminal with the same card.' },
      { do: 'await', op: 'reversal', until: 'final' },
    ],
    outcome: { payment: 'approved', reversal: 'approved' },
    checks: [
      ...ticket('reversal'),
      { op: 'reversal', path: 'paymentId', idOf: 'payment' },
      { op: 'reversal', path: 'amount', is: 156000 },
      { op: 'payment', path: 'reversalId', idOf: 'reversal' },
    ],
  },
  {
    id: 'reversal-cancelled',
    provider: 'paystore',
    title: 'Reversal cancelled by the register before a terminal takes it',
    caso: 'Anulación cancelada',
    expected: 'payment approved; its reversal cancelled while it waits on the terminal; the payment stays approved, not reversed',
    steps: [
      { do: 'pay', as: 'payment', amount: 150017 },
      ...payAndTerminal('Pay $1,500.17 with a card (not AMEX).'),
      { do: 'reverse', as: 'reversal', payment: 'payment' },
      { do: 'await', op: 'reversal', until: 'sent' },
      { do: 'terminal', op: 'reversal', say: 'Leave the reversal of $1,500.17 on the terminal untouched: the register cancels it.' },
      { do: 'cancel', op: 'reversal' },
      { do: 'await', op: 'reversal', until: 'final' },
    ],
    outcome: { payment: 'approved', reversal: 'cancelled' },
    checks: [
      { op: 'reversal', path: 'paymentId', idOf: 'payment' },
      { op: 'payment', path: 'reversalId', is: null },
    ],
  },
  {
    id: 'amex-refund',
    provider: 'paystore',
    title: 'Unreferenced refund to an AMEX card',
    caso: 'Devolución AMEX',
    expected: 'refund approved on an American Express card',
    steps: [
      { do: 'refund', as: 'refund', amount: 45000 },
      { do: 'await', op: 'refund', until: 'sent' },
      { do: 'terminal', op: 'refund', say: 'Present an American Express card for the refund of $450.00.' },
      { do: 'await', op: 'refund', until: 'final' },
    ],
    outcome: { refund: 'approved' },
    checks: [...ticket('refund'), { op: 'refund', path: 'card.brand', is: 'amex' }, { op: 'refund', path: 'amount', is: 45000 }],
  },
  {
    id: 'settlement',
    provider: 'paystore',
    title: 'Settlement (batch close) of the first terminal',
    caso: 'Cierre de lote',
    expected: 'settlement approved with the batch number it closed and totals per card brand',
    steps: [
      { do: 'settle', as: 'settlement' },
      { do: 'await', op: 'settlement', until: 'sent' },
      { do: 'terminal', op: 'settlement', say: 'Accept the batch close on the terminal if it asks.' },
      { do: 'await', op: 'settlement', until: 'final' },
    ],
    outcome: { settlement: 'approved' },
    checks: [
      { op: 'settlement', path: 'batchNumber', set: true },
      { op: 'settlement', path: 'totals', set: true },
    ],
  },

  // Klio SmartPos: tasks to an Android POS device. Against the sandbox its UNATTENDED devices
  // complete them by the amount rules on their own; against Klio a person works the device.
  {
    id: 'klio-approved',
    provider: 'klio',
    title: 'Klio: approved card payment',
    caso: 'Pago con tarjeta aprobado',
    expected: 'payment approved on the device; card, authorization code, batch and receipt (ticket) numbers',
    steps: [
      { do: 'pay', as: 'payment', amount: 160000 },
      ...payAndTerminal('On the Klio device, pay $1,600.00 with a card that is approved (chip).'),
    ],
    outcome: { payment: 'approved' },
    checks: [
      ...ticket('payment'),
      { op: 'payment', path: 'card.brand', set: true },
      { op: 'payment', path: 'card.last4', set: true },
      { op: 'payment', path: 'terminalId', among: 'terminalIds' },
    ],
  },
  declinedCase(
    {
      id: 'klio-declined',
      provider: 'klio',
      title: 'Klio: declined card payment',
      caso: 'Pago con tarjeta rechazado',
      expected: 'payment rejected with PAYMENT.DECLINED and the voucher message',
    },
    160005,
    'On the Klio device, pay $1,600.05 with the card that the acquirer declines (homologation kit).',
  ),
  cancelledByRegisterCase(
    {
      id: 'klio-cancelled-by-register',
      provider: 'klio',
      title: 'Klio: payment cancelled by the register before the device takes it',
      caso: 'Pago cancelado desde la caja',
      expected: 'payment cancelled after the register cancels its task while it waits on the device',
    },
    160007,
    'Leave the payment of $1,600.07 on the Klio device untouched: the register cancels it.',
  ),
  qrCase(
    {
      id: 'klio-qr',
      provider: 'klio',
      title: 'Klio: QR payment',
      caso: 'Pago con QR',
      expected: 'payment approved, paid from a wallet: method qr and a QR id, no card',
    },
    161000,
    'Scan the QR shown on the Klio device with the homologation wallet and pay $1,610.00.',
  ),
  {
    id: 'klio-partial-annulment',
    provider: 'klio',
    title: 'Klio: partial annulment of an approved payment',
    caso: 'Anulación parcial',
    expected: 'payment of $1,620.00 approved, then $500.00 of it annulled: annulment approved, the payment shows 500.00 given back and stays approved',
    steps: [
      { do: 'pay', as: 'payment', amount: 162000 },
      ...payAndTerminal('On the Klio device, pay $1,620.00 with a card.'),
      { do: 'reverse', as: 'annulment', payment: 'payment', amount: 50000 },
      { do: 'await', op: 'annulment', until: 'sent' },
      { do: 'terminal', op: 'annulment', say: 'Confirm the annulment of $500.00 on the Klio device with the same card.' },
      { do: 'await', op: 'annulment', until: 'final' },
    ],
    outcome: { payment: 'approved', annulment: 'approved' },
    checks: [
      { op: 'annulment', path: 'paymentId', idOf: 'payment' },
      { op: 'annulment', path: 'amount', is: 50000 },
      { op: 'payment', path: 'reversedAmount', is: 50000 },
    ],
  },
  {
    id: 'klio-multitask',
    provider: 'klio',
    title: 'Klio: two payments sent as one ordered multi-task request',
    caso: 'Multitarea: dos pagos en orden',
    expected: 'one tasks-request with both payments (executionOrder 1 and 2); the device runs them in that order; both approved',
    steps: [
      { do: 'payBatch', as: ['first', 'second'], amounts: [164000, 165000] },
      { do: 'await', op: 'first', until: 'sent' },
      { do: 'terminal', op: 'first', say: 'On the Klio device, pay the first task, $1,640.00, with a card.' },
      { do: 'await', op: 'first', until: 'final' },
      { do: 'terminal', op: 'second', say: 'Then pay the second task, $1,650.00, with a card.' },
      { do: 'await', op: 'second', until: 'final' },
    ],
    outcome: { first: 'approved', second: 'approved' },
    checks: [
      ...ticket('first'),
      ...ticket('second'),
      { op: 'first', path: 'batch.order', is: 1 },
      { op: 'second', path: 'batch.order', is: 2 },
      { op: 'second', path: 'batch.id', set: true },
    ],
  },
  {
    id: 'klio-full-annulment',
    provider: 'klio',
    title: 'Klio: full annulment of an approved payment',
    caso: 'Anulación total',
    expected: 'payment approved, then annulled whole: annulment approved for the whole amount and linked to the payment',
    steps: [
      { do: 'pay', as: 'payment', amount: 163000 },
      ...payAndTerminal('On the Klio device, pay $1,630.00 with a card.'),
      { do: 'reverse', as: 'annulment', payment: 'payment' },
      { do: 'await', op: 'annulment', until: 'sent' },
      { do: 'terminal', op: 'annulment', say: 'Confirm the annulment of $1,630.00 on the Klio device with the same card.' },
      { do: 'await', op: 'annulment', until: 'final' },
    ],
    outcome: { payment: 'approved', annulment: 'approved' },
    checks: [
      { op: 'annulment', path: 'paymentId', idOf: 'payment' },
      { op: 'annulment', path: 'amount', is: 163000 },
      { op: 'payment', path: 'reversedAmount', is: 163000 },
      { op: 'payment', path: 'reversalId', idOf: 'annulment' },
    ],
  },

  // pagoUno: card-not-present split charges. The run tokenizes its test cards as the buyer's
  // device would; the charge answers final, so no terminal step.
  {
    id: 'pagouno-split-approved',
    provider: 'pagouno',
    title: 'pagoUno: split charge of two cards and three merchant purchases, approved',
    caso: 'Cobro grupal aprobado',
    expected: 'payment approved; one approved transaction per purchase, each with its pagoUno id',
    steps: [
      {
        do: 'pay',
        as: 'payment',
        amount: 300000,
        split: [
          {
            card: 0,
            purchases: [
              { merchant: 0, amount: 100000, sellerDescriptor: 'HOMOLOGACION*UNO' },
              { merchant: 1, amount: 50000, installments: 3, sellerDescriptor: 'HOMOLOGACION*DOS' },
            ],
          },
          { card: 1, purchases: [{ merchant: 2, amount: 150000, sellerDescriptor: 'HOMOLOGACION*TRES' }] },
        ],
      },
      { do: 'await', op: 'payment', until: 'final' },
    ],
    outcome: { payment: 'approved' },
    checks: [{ op: 'payment', path: 'authorizationCode', set: true }, ...transactions('payment', ['approved', 'approved', 'approved'])],
  },
  {
    id: 'pagouno-split-declined',
    provider: 'pagouno',
    title: 'pagoUno: split charge with one card declined',
    caso: 'Cobro grupal con una tarjeta rechazada',
    expected:
      'payment rejected with PAYMENT.DECLINED: the second card declined, and the first card\'s two approved purchases reversed by pagoUno',
    steps: [
      {
        do: 'pay',
        as: 'payment',
        amount: 180005,
        split: [
          {
            card: 0,
            purchases: [
              { merchant: 0, amount: 80000, sellerDescriptor: 'HOMOLOGACION*UNO' },
              { merchant: 1, amount: 40000, sellerDescriptor: 'HOMOLOGACION*DOS' },
            ],
          },
          { card: 1, purchases: [{ merchant: 2, amount: 60005, sellerDescriptor: 'HOMOLOGACION*TRES' }] },
        ],
      },
      { do: 'await', op: 'payment', until: 'final' },
    ],
    outcome: { payment: 'rejected' },
    checks: [
      { op: 'payment', path: 'failure.code', is: 'PAYMENT.DECLINED' },
      ...transactions('payment', ['reversed', 'reversed', 'declined']),
    ],
  },
  {
    id: 'pagouno-annulment',
    provider: 'pagouno',
    title: 'pagoUno: annulment of an approved split charge',
    caso: 'Anulación de cobro grupal',
    expected: 'payment approved, then annulled whole: every transaction annulled, reversal approved for the whole amount',
    steps: [
      {
        do: 'pay',
        as: 'payment',
        amount: 200000,
        split: [
          { card: 0, purchases: [{ merchant: 0, amount: 120000, sellerDescriptor: 'HOMOLOGACION*UNO' }] },
          { card: 1, purchases: [{ merchant: 1, amount: 80000, sellerDescriptor: 'HOMOLOGACION*DOS' }] },
        ],
      },
      { do: 'await', op: 'payment', until: 'final' },
      { do: 'reverse', as: 'annulment', payment: 'payment' },
      { do: 'await', op: 'annulment', until: 'final' },
    ],
    outcome: { payment: 'approved', annulment: 'approved' },
    checks: [
      ...transactions('payment', ['approved', 'approved']),
      { op: 'annulment', path: 'paymentId', idOf: 'payment' },
      { op: 'annulment', path: 'amount', is: 200000 },
      ...transactions('annulment', ['reversed', 'reversed']),
      { op: 'payment', path: 'reversedAmount', is: 200000 },
      { op: 'payment', path: 'reversalId', idOf: 'annulment' },
    ],
  },
]);

/** How many configured terminals of each provider the cases need (PayStore's broadcast takes three). */
export function terminalsNeeded(cases: readonly HomologationCase[]): Record<ProviderName, number> {
  const highest: Record<ProviderName, number> = { paystore: 0, klio: 0, pagouno: 0 };
  for (const c of cases) {
    for (const step of c.steps) {
      const used =
        step.do === 'pay' || step.do === 'refund' || step.do === 'manual'
          ? (step.terminals ?? [0])
          : step.do === 'settle' || step.do === 'terminal'
            ? [step.terminal ?? 0]
            : [0];
      highest[c.provider] = Math.max(highest[c.provider], ...used.map((i) => i + 1));
    }
  }
  return highest;
}
