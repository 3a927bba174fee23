// The client's own list and search shapes: camelCase filters and pages around the wire's
// snake_case envelopes, so callers never build query strings.
import {
  PaymentEnvelope,
  PaymentStatus,
  RefundEnvelope,
  RefundStatus,
  ReversalEnvelope,
  ReversalStatus,
  SettlementEnvelope,
  SettlementStatus,
} from './paystore.types';

interface PageFilter {
  /** From 1. */
  page?: number;
  /** The provider caps it at 200. */
  pageSize?: number;
  /** Request date from (inclusive). */
  from?: Date;
  /** Request date to (inclusive). */
  to?: Date;
}

interface Page {
  page: number;
  pageSize: number;
  total: number;
}

export interface PaymentSearchFilter extends PageFilter {
  ecrTransactionId?: string;
  statuses?: PaymentStatus[];
}

export interface PaymentSearchResult extends Page {
  /** Oldest first. */
  payments: PaymentEnvelope[];
}

export interface ReversalListFilter extends PageFilter {
  ecrTransactionId?: string;
  statuses?: ReversalStatus[];
}

export interface ReversalListResult extends Page {
  reversals: ReversalEnvelope[];
}

export interface RefundListFilter extends PageFilter {
  ecrTransactionId?: string;
  statuses?: RefundStatus[];
}

export interface RefundListResult extends Page {
  refunds: RefundEnvelope[];
}

export interface SettlementListFilter extends PageFilter {
  terminalId?: string;
  statuses?: SettlementStatus[];
}

export interface SettlementListResult extends Page {
  settlements: SettlementEnvelope[];
}
