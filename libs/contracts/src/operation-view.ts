// The operation as the API shows it and as every event carries it in `data`.
import { z } from 'zod';
import { currencySchema } from './money';
import { OPERATION_TYPES, OperationType, operationStatusSchema } from './operation';

export const cardSchema = z.object({
  brand: z.string(),
  bin: z.string().nullable(),
  last4: z.string().nullable(),
  entryMode: z.string().nullable(),
});
export type CardView = z.infer<typeof cardSchema>;

export const failureSchema = z.object({ code: z.string(), message: z.string() });
export type FailureView = z.infer<typeof failureSchema>;

export const brandTotalsSchema = z.object({
  brand: z.string(),
  payments: z.object({ count: z.number().int(), amount: z.number().int() }),
  reversals: z.object({ count: z.number().int(), amount: z.number().int() }),
  refunds: z.object({ count: z.number().int(), amount: z.number().int() }),
});

export const operationViewSchema = z.object({
  id: z.string(),
  type: z.enum(OPERATION_TYPES as [OperationType, ...OperationType[]]),
  status: operationStatusSchema,
  merchantId: z.string(),
  terminalIds: z.array(z.string()),
  terminalId: z.string().nullable(),
  amount: z.number().int().nullable(),
  currency: currencySchema.nullable(),
  reference: z.string().nullable(),
  description: z.string().nullable(),
  provider: z.string(),
  providerId: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  expiresAt: z.string().nullable(),
  installments: z.number().int().nullable(),
  plan: z.string().nullable(),
  method: z.string().nullable(),
  card: cardSchema.nullable(),
  qrCodeId: z.string().nullable(),
  authorizationCode: z.string().nullable(),
  batchNumber: z.string().nullable(),
  receiptNumber: z.string().nullable(),
  failure: failureSchema.nullable(),
  paymentId: z.string().nullable(),
  reversalId: z.string().nullable(),
  /** Payments: how much reversals have given back so far; null for other operations. */
  reversedAmount: z.number().int().nullable(),
  /** Split charges (pagoUno): each resulting transaction and what became of it; null otherwise. */
  transactions: z
    .array(
      z.object({
        id: z.string().nullable(),
        merchantCode: z.string().nullable(),
        amount: z.number().int(),
        status: z.enum(['approved', 'declined', 'reversed', 'failed']),
        authorizationCode: z.string().nullable().optional(),
        ticketNumber: z.string().nullable().optional(),
        batchNumber: z.string().nullable().optional(),
        card: cardSchema.nullable().optional(),
        message: z.string().nullable().optional(),
      }),
    )
    .nullable(),
  totals: z.array(brandTotalsSchema).nullable(),
  /** Settlements: the provider's closing receipt, as it printed it; null otherwise. */
  receipt: z.string().nullable(),
  /** Reversals: which provider API gives the payment back (PayStore: `refund` for AMEX, else `reversal`); null otherwise. */
  via: z.enum(['reversal', 'refund']).nullable(),
  /** Payments sent with others as one ordered request to a device (Klio multi-task); null otherwise. */
  batch: z
    .object({
      id: z.string(),
      /** The payment's place in the device's execution order, from 1. */
      order: z.number().int(),
      size: z.number().int(),
    })
    .nullable(),
});
export type OperationView = z.infer<typeof operationViewSchema>;
