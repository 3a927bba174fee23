import type { CardView, FailureView } from '@app/contracts';

export interface OperationRequest {
  installments?: number;
  plan?: string | null;
  method?: 'card' | 'qr';
  printCopies?: 'both' | 'merchant' | 'customer' | 'none';
  customerTaxId?: string;
  expiresInSeconds?: number;
  printReceipt?: boolean;
  /** Reversals: whether the provider's Reversals or (AMEX) Refunds API gives the payment back. */
  via?: 'reversal' | 'refund';
  cardBrand?: string;
  /** Set when the cash register asked to confirm a payment waiting for its confirmation leg. */
  confirmRequested?: boolean;
  /** Klio SmartPos: the device the task goes to and the task's options. */
  klio?: KlioRequest;
  /** pagoUno: the card tokens and the split of the charge. */
  pagouno?: PagounoRequest;
  /** Sent with other operations as one ordered request to one device (Klio multi-task). */
  batch?: BatchRequest;
}

export interface BatchRequest {
  id: string;
  /** Execution order on the device, from 1. */
  order: number;
  size: number;
}

export interface KlioRequest {
  /** The Klio device (`target.deviceId`) of the registered terminal. */
  deviceId: string;
  /** Who pays the installments' interest: `client` (the buyer) or `merchant`. */
  interestPayer?: 'client' | 'merchant';
  /** The buyer chooses the installments on the device (`creditInstallments: null`). */
  customerChoosesInstallments?: boolean;
  /** Ticket printing: `auto`, `offer` (the device asks the buyer) or `none`. */
  printTicket?: 'auto' | 'offer' | 'none';
  collectAccount?: { portfolioId: number; personId: number };
  /** Reversals: the Klio `originID` of the payment being annulled. */
  sourceOriginId?: string;
}

export interface PagounoPurchase {
  /** pagoUno's `merchant_code_group` the purchase is credited to. */
  merchantCode: string;
  /** Minor units (centavos). */
  amount: number;
  installments: number;
  plan: string | null;
  /** ≤ 25 of `[A-Z0-9*]`, printed on the buyer's statement. */
  sellerDescriptor: string;
  subscriptionCode?: string;
}

export interface PagounoRequest {
  /** Cards tokenized on the buyer's device (single-use tokens); never a card number. */
  cards: { token: string; purchases: PagounoPurchase[] }[];
}

export interface OperationResult {
  card?: CardView | null;
  qrCodeId?: string | null;
  authorizationCode?: string | null;
  batchNumber?: string | null;
  receiptNumber?: string | null;
  receipt?: string | null;
  failure?: FailureView | null;
  providerStatus?: string | null;
  /** The last create was answered "not processed" (503, refused connection): it may be sent again after a look-up. */
  createNotApplied?: boolean;
  createAttempts?: number;
  /** A batch member known not taken is sent again no earlier than this (ISO time): the batch's backoff. */
  retryAt?: string | null;
  /** Split charges (pagoUno): one entry per resulting transaction, and what became of it. */
  transactions?: SplitTransaction[];
}

export interface SplitTransaction {
  /** The provider's transaction id. */
  id: string | null;
  merchantCode: string | null;
  amount: number;
  status: 'approved' | 'declined' | 'reversed' | 'failed';
  authorizationCode?: string | null;
  ticketNumber?: string | null;
  batchNumber?: string | null;
  card?: CardView | null;
  message?: string | null;
}

export interface BrandTotals {
  brand: string;
  payments: { count: number; amount: number };
  reversals: { count: number; amount: number };
  refunds: { count: number; amount: number };
}
