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
}

export interface BrandTotals {
  brand: string;
  payments: { count: number; amount: number };
  reversals: { count: number; amount: number };
  refunds: { count: number; amount: number };
}
