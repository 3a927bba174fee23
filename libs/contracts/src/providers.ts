// What each provider can do. The gateway refuses, before anything is queued, a command the
// terminal's provider cannot carry out; the workers pick the adapter by the same name. Pure data,
// so both sides read one table.

export const PROVIDER_NAMES = Object.freeze(['paystore', 'klio', 'pagouno'] as const);
export type ProviderName = (typeof PROVIDER_NAMES)[number];

export interface ProviderCapabilities {
  payment: {
    /** Payment methods a terminal of this provider can offer. */
    methods: readonly ('card' | 'qr')[];
    /** One intent offered to several terminals, the first to take it wins. */
    broadcast: boolean;
    /** The register can cancel a payment before it is final. */
    cancel: boolean;
    /** A confirmation leg exists (`POST /v1/payments/{id}/confirm`). */
    confirm: boolean;
    /** Ahora installment plans. */
    plans: boolean;
    /** Card-not-present: the body carries card tokens and the split instead of a terminal prompt. */
    cardNotPresent: boolean;
  };
  reversal: {
    /** A whole approved payment can be given back. */
    full: boolean;
    /** Part of it can be given back, more than once, up to what is left. */
    partial: boolean;
    /** How old a payment may be to be reversed; null when the provider sets no limit. */
    maxAgeDays: number | null;
  };
  /** Unreferenced refunds (PayStore's AMEX refunds). */
  refund: boolean;
  /** Batch close per terminal. */
  settlement: boolean;
  /** Several commands for one device sent as one ordered request. */
  multiTask: boolean;
}

export const PROVIDER_CAPABILITIES: Readonly<Record<ProviderName, ProviderCapabilities>> = Object.freeze({
  paystore: {
    payment: { methods: ['card', 'qr'], broadcast: true, cancel: true, confirm: true, plans: true, cardNotPresent: false },
    reversal: { full: true, partial: false, maxAgeDays: null },
    refund: true,
    settlement: true,
    multiTask: false,
  },
  klio: {
    payment: { methods: ['card', 'qr'], broadcast: false, cancel: true, confirm: false, plans: false, cardNotPresent: false },
    reversal: { full: true, partial: true, maxAgeDays: 30 },
    refund: false,
    settlement: false,
    multiTask: true,
  },
  pagouno: {
    payment: { methods: ['card'], broadcast: false, cancel: false, confirm: false, plans: true, cardNotPresent: true },
    reversal: { full: true, partial: false, maxAgeDays: null },
    refund: false,
    settlement: false,
    multiTask: false,
  },
});
