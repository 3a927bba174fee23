// Command bodies as the public API takes them (over HTTP and over the message bus): one schema each
// gives validation, the TypeScript type and the OpenAPI description.
import { z } from 'zod';
import { amountSchema, currencySchema } from './money';
import { ErrorCode } from './errors';
import { operationViewSchema } from './operation-view';
import { PROVIDER_NAMES, ProviderName } from './providers';

export const PROVIDERS = PROVIDER_NAMES;
export const providerSchema = z.enum(PROVIDER_NAMES);
export type Provider = ProviderName;

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

/** Klio SmartPos task options; only for a terminal of Klio. */
export const klioPaymentOptionsSchema = z.strictObject({
  /** Who pays the installments' interest. */
  interestPayer: z.enum(['client', 'merchant']).default('client'),
  /** The buyer picks the installments on the device (`installments` is then ignored). */
  customerChoosesInstallments: z.boolean().default(false),
  /** Ticket printing: automatic, offered to the buyer, or none. */
  printTicket: z.enum(['auto', 'offer', 'none']).default('auto'),
  collectAccount: z.strictObject({ portfolioId: z.number().int().positive(), personId: z.number().int().positive() }).optional(),
});
export type KlioPaymentOptions = z.infer<typeof klioPaymentOptionsSchema>;

/** pagoUno's smallest purchase, in minor units. */
export const PAGOUNO_MIN_PURCHASE = 1000;

export const pagounoPurchaseSchema = z.strictObject({
  /** The pagoUno merchant (`merchant_code_group`) this part of the charge goes to. */
  merchantCode: z.string().min(1).max(32).regex(/^[A-Za-z0-9_-]+$/, 'merchantCode must be letters, digits, "_" or "-"'),
  amount: amountSchema.min(PAGOUNO_MIN_PURCHASE, `a pagoUno purchase is at least ${PAGOUNO_MIN_PURCHASE} minor units`),
  installments: z.number().int().min(1).max(99).default(1),
  plan: z.enum(PAYMENT_PLANS).nullable().default(null),
  /** Shown on the buyer's statement: up to 25 of A–Z, 0–9 and "*". */
  sellerDescriptor: z.string().min(1).max(25).regex(/^[A-Z0-9*]+$/, 'sellerDescriptor must be up to 25 of A-Z, 0-9 and "*"'),
  /** Recurring charges: the subscription this charge belongs to. */
  subscriptionCode: z.string().min(1).max(64).regex(/^[\x21-\x7e]+$/, 'subscriptionCode must be printable ASCII').optional(),
});

/** pagoUno card-not-present charge: cards tokenized on the buyer's device, each split between merchants. */
export const pagounoPaymentSchema = z.strictObject({
  cards: z
    .array(
      z.strictObject({
        /** A single-use token from pagoUno's tokenization, made on the buyer's device. Never a card number. */
        token: z.string().min(8).max(128).regex(/^[A-Za-z0-9_-]+$/, 'token must be letters, digits, "_" or "-"'),
        purchases: z.array(pagounoPurchaseSchema).min(1).max(10),
      }),
    )
    .min(1)
    .max(10),
});
export type PagounoPayment = z.infer<typeof pagounoPaymentSchema>;

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
  /** Klio SmartPos terminals only. */
  klio: klioPaymentOptionsSchema.optional(),
  /** pagoUno only: the tokenized cards and the split; the purchases must add up to `amount`. */
  pagouno: pagounoPaymentSchema.optional(),
});
export type CreatePaymentCommand = z.infer<typeof createPaymentCommandSchema>;

/** The most payments one batch may carry (one Klio multi-task request). */
export const PAYMENT_BATCH_MAX = 10;

/**
 * `POST /v1/payment-batches`: several payments for one device, sent as one ordered request (Klio
 * multi-task). Each item is a payment command without `terminalIds`; the batch's `terminalId`
 * serves them all, and the device runs them in the order given.
 */
export const createPaymentBatchCommandSchema = z.strictObject({
  terminalId: terminalIdSchema,
  payments: z.array(createPaymentCommandSchema.omit({ terminalIds: true })).min(2).max(PAYMENT_BATCH_MAX),
});
export type CreatePaymentBatchCommand = z.infer<typeof createPaymentBatchCommandSchema>;

/** A batch as the API shows it: its payments in execution order, each as `GET /v1/payments/{id}` shows it. */
export const paymentBatchViewSchema = z.object({
  id: z.string(),
  terminalId: z.string(),
  payments: z.array(operationViewSchema),
});
export type PaymentBatchView = z.infer<typeof paymentBatchViewSchema>;

export const createReversalCommandSchema = z.strictObject({
  paymentId: z.string().min(1).max(64),
  /** Part of the payment to give back, where the provider allows partial reversals; default all of what is left. */
  amount: amountSchema.optional(),
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

// ── Commands over the bus ──────────────────────────────────────────────────────────────────────
// A store system may publish the same commands on a Redis Stream instead of calling HTTP. Each is
// one CloudEvent of type `command.<name>` whose `data` is the envelope below; the gateway answers
// each on the reply stream with a `command.<status>` event whose `data` is a CommandReply.

/** Commands a store system may publish. Never rename a value: publishers program against them. */
export const BUS_COMMANDS = Object.freeze([
  'payment.create',
  'payment.cancel',
  'payment.confirm',
  'reversal.create',
  'reversal.cancel',
  'refund.create',
  'refund.cancel',
  'settlement.create',
] as const);
export type BusCommandName = (typeof BUS_COMMANDS)[number];

/** The CloudEvent type a command travels as: `command.payment.create`. */
export function busCommandType(name: BusCommandName): `command.${BusCommandName}` {
  return `command.${name}`;
}

const operationIdField = z.string().min(1).max(64);
/** Commands on an existing operation take no body, as over HTTP; an empty object is accepted too. */
const noBody = z.strictObject({}).optional();
const envelope = {
  /** The merchant's API key, as in `Authorization: Bearer`. Never copied into a reply, a log or a dead letter. */
  apiKey: z.string().min(1),
  idempotencyKey: idempotencyKeySchema,
  /** Correlates the reply; default the stream entry id. */
  commandId: z.string().min(1).max(255).regex(/^[\x20-\x7e]+$/, 'commandId must be printable ASCII').optional(),
};

/** A command as published on the bus: one schema for every command, discriminated by `command`. */
export const busCommandSchema = z.discriminatedUnion('command', [
  z.strictObject({ ...envelope, command: z.literal('payment.create'), body: createPaymentCommandSchema }),
  z.strictObject({ ...envelope, command: z.literal('payment.cancel'), operationId: operationIdField, body: noBody }),
  z.strictObject({ ...envelope, command: z.literal('payment.confirm'), operationId: operationIdField, body: noBody }),
  z.strictObject({ ...envelope, command: z.literal('reversal.create'), body: createReversalCommandSchema }),
  z.strictObject({ ...envelope, command: z.literal('reversal.cancel'), operationId: operationIdField, body: noBody }),
  z.strictObject({ ...envelope, command: z.literal('refund.create'), body: createRefundCommandSchema }),
  z.strictObject({ ...envelope, command: z.literal('refund.cancel'), operationId: operationIdField, body: noBody }),
  z.strictObject({ ...envelope, command: z.literal('settlement.create'), body: createSettlementCommandSchema }),
]);
export type BusCommand = z.infer<typeof busCommandSchema>;

export const COMMAND_REPLY_STATUSES = Object.freeze(['accepted', 'replayed', 'rejected'] as const);
export type CommandReplyStatus = (typeof COMMAND_REPLY_STATUSES)[number];

/** What a command's answer looks like: `data` of a `command.accepted|replayed|rejected` event. */
export const commandReplySchema = z.object({
  commandId: z.string(),
  command: z.string().nullable(),
  status: z.enum(COMMAND_REPLY_STATUSES),
  /** The merchant the key belongs to; null when the key was not accepted. */
  merchantId: z.string().nullable(),
  operationId: z.string().optional(),
  /** The operation as HTTP answers the same command. */
  operation: operationViewSchema.optional(),
  /** The RFC 9457 problem details HTTP answers the same command (same `code`, `status`, `errors`). */
  problem: z
    .object({
      type: z.string(),
      title: z.string(),
      status: z.number().int(),
      detail: z.string(),
      code: z.enum(Object.values(ErrorCode) as [ErrorCode, ...ErrorCode[]]),
      errors: z.array(z.object({ field: z.string(), message: z.string() })),
    })
    .optional(),
});
export type CommandReply = z.infer<typeof commandReplySchema>;
