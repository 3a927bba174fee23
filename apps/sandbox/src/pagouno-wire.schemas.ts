// pagoUno requests as the sandbox accepts them: strict where the public documentation is (the
// purchase group's fields, amounts, installments, currency, seller descriptor), and the sandbox's
// own definitions of the routes pagoUno does not publish (adjustments). A request that breaks
// them is pagoUno's `{ status: 400, message: "bad request" }`.
import { z } from 'zod';

export const SELLER_DESCRIPTOR = /^[A-Z0-9*]{1,25}$/;

export const purchaseSchema = z.strictObject({
  merchant_code_group: z.string().min(1).max(64),
  access_key_merchant_code_group: z.string().min(1).max(256).optional(),
  /** Integer centavos. Under 1000 is taken and answered "MONTO INVALIDO", as pagoUno does. */
  transaction_amount: z.int().nonnegative().max(999_999_999_99),
  subscription_code: z.string().min(1).max(64).optional(),
  installments_plan: z.literal(0),
  installments: z.int().min(1).max(99),
  transaction_currency_code: z.literal('032'),
  seller_descriptor: z.string().regex(SELLER_DESCRIPTOR),
});
export type PurchaseInput = z.infer<typeof purchaseSchema>;

export const purchaseGroupSchema = z.strictObject({
  transaction_group_type: z.literal(1),
  customer_transaction_identificator: z.string().min(1).max(64),
  external_reference: z.string().min(1).max(64).optional(),
  primary_account_number_list: z
    .array(
      z.strictObject({
        token_id: z.string().min(1).max(128),
        purchase_list: z.array(purchaseSchema).min(1).max(20),
      }),
    )
    .min(1)
    .max(20),
});
export type PurchaseGroupInput = z.infer<typeof purchaseGroupSchema>;

/** One card to tokenize, as a buyer's browser or device sends it. */
export const tokenCardSchema = z.looseObject({
  primary_account_number: z.string().regex(/^\d{13,19}$/),
  /** YYMM. */
  expiration_date: z.string().regex(/^\d{2}(0[1-9]|1[0-2])$/),
  card_security_code: z.string().regex(/^\d{3,4}$/),
  card_holder: z.looseObject({
    front_name: z.string().min(1).max(100),
    email: z.string().max(200).optional(),
    identification: z.looseObject({ document_type: z.union([z.string(), z.number()]), document_number: z.union([z.string(), z.number()]) }).optional(),
  }),
});
export const tokenRequestSchema = z.array(tokenCardSchema).min(1).max(20);

export const adjustmentSchema = z.strictObject({
  adjustment_type: z.enum(['annulment', 'refund']),
  external_reference: z.string().min(1).max(64),
  transaction_amount: z.int().positive().optional(),
});
export type AdjustmentInput = z.infer<typeof adjustmentSchema>;
