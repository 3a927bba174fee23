// pagoUno's wire, as zod schemas: the purchase group request, the envelope every answer comes in
// (`{ status, message, data }`, HTTP 200 even for refusals), a charge's answer, one transaction,
// and the adjustments. Answers are read loosely (unknown fields kept, optional fields optional)
// because the public documentation shows examples rather than a contract; what the mapping relies
// on is required. Fields marked "sandbox" are not in the public documentation.
import { z } from 'zod';

export interface PurchaseWire {
  merchant_code_group: string;
  access_key_merchant_code_group?: string;
  /** Integer centavos, at least 1000. */
  transaction_amount: number;
  subscription_code?: string;
  installments_plan: 0;
  /** 1–99; Ahora plans use their codes (13, 16, 7, 8). */
  installments: number;
  transaction_currency_code: '032';
  /** ≤ 25 of [A-Z0-9*]. */
  seller_descriptor: string;
}

export interface PurchaseGroupRequest {
  transaction_group_type: 1;
  customer_transaction_identificator: string;
  external_reference?: string;
  primary_account_number_list: { token_id: string; purchase_list: PurchaseWire[] }[];
}

const text = z.string().nullish();
const count = z.number().nullish();

/** `{ status, message, data }`: `status` is pagoUno's own (200 ok, 400 bad request, 403 not authorized…). */
export const envelopeSchema = z.looseObject({
  status: z.coerce.number().int(),
  message: z.string().nullish(),
  data: z.unknown().optional(),
});
export type PagounoEnvelope = z.infer<typeof envelopeSchema>;

/** One purchase as pagoUno received it; `id` is empty and `result_code` not 0 when it was never processed. */
export const groupRequestItemSchema = z.looseObject({
  id: z.string().nullish(),
  transaction_amount: count,
  card: text,
  bin: text,
  last_4_digits: text,
  result_code: z.number(),
  result_code_identifier: text,
});
export type GroupRequestItem = z.infer<typeof groupRequestItemSchema>;

/** One processed transaction. */
export const transactionSchema = z.looseObject({
  id: z.string(),
  success: z.boolean(),
  result_code: count,
  result_code_identifier: text,
  message: text,
  seller_descriptor: text,
  merchant_code: text,
  merchant_code_terminal: text,
  authorization: text,
  ticket_number: text,
  batch_number: text,
  transaction_amount: count,
  capture_date: text,
  bin: text,
  last_4_digits: text,
  card: text,
  /** sandbox: the group's reference, so a transaction leads back to its group. */
  external_reference: text,
  /** sandbox: approved, then reversed because another transaction of the group failed. */
  reversed: z.boolean().nullish(),
  /** sandbox: annulled by an adjustment. */
  annulled: z.boolean().nullish(),
});
export type PagounoTransaction = z.infer<typeof transactionSchema>;

/** The `data` of a charge (and of the sandbox's query by external reference). */
export const groupDataSchema = z.looseObject({
  success: z.boolean(),
  pending: z.boolean().nullish(),
  request: z.array(groupRequestItemSchema),
  response: z.array(transactionSchema),
  /** sandbox: the reference the group was created with. */
  external_reference: text,
});
export type PurchaseGroupData = z.infer<typeof groupDataSchema>;

export type AdjustmentType = 'annulment' | 'refund';

/** sandbox: one adjustment (annulment or refund) of one transaction. */
export const adjustmentSchema = z.looseObject({
  id: z.string(),
  transaction_id: z.string(),
  adjustment_type: z.string(),
  transaction_amount: count,
  success: z.boolean(),
  message: text,
  external_reference: text,
});
export type PagounoAdjustment = z.infer<typeof adjustmentSchema>;

export const adjustmentListSchema = z.array(adjustmentSchema);

export interface AdjustmentRequest {
  adjustment_type: AdjustmentType;
  /** Our reference: a repeat with the same reference answers the adjustment already made. */
  external_reference: string;
  /** Centavos; for an annulment the whole transaction. */
  transaction_amount?: number;
}
