// Command bodies as the public API takes them (HTTP today, the message bus later): one schema each
// gives validation, the TypeScript type and the OpenAPI description.
import { z } from 'zod';
import { amountSchema, currencySchema } from './money';

export const PROVIDERS = Object.freeze(['paystore'] as const);
export const providerSchema = z.enum(PROVIDERS);
export type Provider = z.infer<typeof providerSchema>;

/** PayStore terminal ids are 8 digits; other providers' ids are opaque but printable. */
export const terminalIdSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_.:-]+$/, 'terminal id must be letters, digits, "_", ".", ":" or "-"');

export const PAYMENT_PLANS = Object.freeze(['ahora_3', 'ahora_6', 'ahora_12', 'ahora_18'] as const);
export const PRINT_COPIES = Object.freeze(['both', 'merchant', 'customer', 'none'] as const);
export const PAYMENT_METHODS = Object.freeze(['card', 'qr'] as const);

const reference = z.string().min(1).max(64).regex(/^[\x20-\x7e]+$/, 'reference must be printable ASCII');
const description = z.string().min(1).max(100);

export const createPaymentCommandSchema = z.strictObject({
  terminalIds: z.array(terminalIdSchema).min(1).max(50).refine((ids) => new Set(ids).size === ids.length, {
    message: 'terminalIds must not repeat a terminal',
  }),
  amount: amountSchema,
  currency: currencySchema,
  reference: reference.optional(),
  description: description.optional(),
  installments: z.number().int().min(1).max(99).default(1),
  plan: z.enum(PAYMENT_PLANS).nullable().default(null),
  method: z.enum(PAYMENT_METHODS).default('card'),
  print: z.strictObject({ copies: z.enum(PRINT_COPIES) }).default({ copies: 'both' }),
  customerTaxId: z.string().regex(/^\d{7,11}$/, 'customerTaxId must be 7 to 11 digits').optional(),
  expiresInSeconds: z.number().int().min(30).max(900).default(120),
});
export type CreatePaymentCommand = z.infer<typeof createPaymentCommandSchema>;

export const createReversalCommandSchema = z.strictObject({
  paymentId: z.string().min(1).max(64),
  terminalIds: z.array(terminalIdSchema).min(1).max(50).optional(),
  reference: reference.optional(),
  description: description.optional(),
});
export type CreateReversalCommand = z.infer<typeof createReversalCommandSchema>;

export const createRefundCommandSchema = z.strictObject({
  terminalIds: z.array(terminalIdSchema).min(1).max(50),
  amount: amountSchema,
  currency: currencySchema,
  reference: reference.optional(),
  description: description.optional(),
});
export type CreateRefundCommand = z.infer<typeof createRefundCommandSchema>;

export const createSettlementCommandSchema = z.strictObject({
  terminalId: terminalIdSchema,
  printReceipt: z.boolean().default(true),
});
export type CreateSettlementCommand = z.infer<typeof createSettlementCommandSchema>;

/** `Idempotency-Key`: 1–255 printable ASCII characters. */
export const idempotencyKeySchema = z.string().min(1).max(255).regex(/^[\x20-\x7e]+$/);
