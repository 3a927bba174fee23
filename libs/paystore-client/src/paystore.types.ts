// PayStore Terminal API wire types, exactly as on the wire: snake_case, amounts as strings of
// cents, enums as the provider spells them. Enum unions stay open (`string & {}`) because the
// provider may add values; the client tolerates and reports them instead of failing.
// Sources: shared/providers/paystore.md and docs/paystore-wire.md.
import { z } from 'zod';

/** An open string union: autocompletes the known values and still accepts new ones. */
export type OpenEnum<T extends string> = T | (string & {});

// ---------------------------------------------------------------------------------------------
// Enums
// ---------------------------------------------------------------------------------------------

export const PAYMENT_STATUSES = Object.freeze([
  'PAYMENT_REQUEST',
  'PROCESSING_PAYMENT',
  'WAITING_CONFIRMATION',
  'CONFIRM_REQUEST',
  'PROCESSING_CONFIRMATION',
  'CONFIRMED',
  'DECLINED',
  'UNDO_REQUEST',
  'PROCESSING_UNDO',
  'UNDONE',
  'ERROR',
] as const);
export type KnownPaymentStatus = (typeof PAYMENT_STATUSES)[number];
export type PaymentStatus = OpenEnum<KnownPaymentStatus>;

export const REVERSAL_STATUSES = Object.freeze([
  'REVERSAL_REQUEST',
  'PROCESSING_REVERSAL',
  'REVERSED',
  'REVERSAL_DECLINED',
  'REVERSAL_ERROR',
  'UNDO_REVERSAL_REQUEST',
  'PROCESSING_UNDO_REVERSAL',
  'REVERSAL_UNDONE',
  'UNDO_REVERSAL_DECLINED',
] as const);
export type KnownReversalStatus = (typeof REVERSAL_STATUSES)[number];
export type ReversalStatus = OpenEnum<KnownReversalStatus>;

export const REFUND_STATUSES = Object.freeze([
  'REFUND_REQUEST',
  'PROCESSING_REFUND',
  'CONFIRMED',
  'UNDO_REQUEST',
  'DECLINED',
  'UNDONE',
  'ERROR',
] as const);
export type KnownRefundStatus = (typeof REFUND_STATUSES)[number];
export type RefundStatus = OpenEnum<KnownRefundStatus>;

export const SETTLEMENT_STATUSES = Object.freeze([
  'SETTLEMENT_REQUEST',
  'PROCESSING_SETTLEMENT',
  'CONFIRMED',
  'DECLINED',
  'ERROR',
] as const);
export type KnownSettlementStatus = (typeof SETTLEMENT_STATUSES)[number];
export type SettlementStatus = OpenEnum<KnownSettlementStatus>;

export const PAYMENT_TYPES = Object.freeze(['CREDIT', 'DEBIT'] as const);
export type PaymentType = OpenEnum<(typeof PAYMENT_TYPES)[number]>;

export const CARD_TYPES = Object.freeze([
  'MANUAL',
  'MAGNETIC_STRIPE',
  'CHIP',
  'FALLBACK_MANUAL',
  'FALLBACK_MAGNETIC_STRIPE',
  'CHIP_CONTACTLESS',
  'MAGNETIC_STRIP_CONTACTLESS',
  'QR_CODE',
] as const);
export type CardType = OpenEnum<(typeof CARD_TYPES)[number]>;

export const ACQUIRER_IDS = Object.freeze(['PRISMA', 'AMEX'] as const);
export type AcquirerId = OpenEnum<(typeof ACQUIRER_IDS)[number]>;

/** Brands seen in requests; terminals report others (Cabal, Naranja…) in answers. */
export type CardBrandProduct = OpenEnum<'VI' | 'MC' | 'AM'>;
export type PrintMethod = OpenEnum<'MOBITEF_NON_FISCAL' | 'MOBITEF_FISCAL'>;
export type PrintCopies = OpenEnum<'MERCHANT_ONLY' | 'CUSTOMER_ONLY' | 'BOTH' | 'NONE'>;
export type TerminalOperationMethod = OpenEnum<'CARD' | 'QR_CODE'>;

// ---------------------------------------------------------------------------------------------
// Requests (built by the client; typed, not validated at runtime)
// ---------------------------------------------------------------------------------------------

export interface TerminalRef {
  terminal_id: string;
}

export interface PaymentRequestData {
  subnet_acquirer_id: string;
  payment_amount: string;
  terminal_menu_text: string;
  ecr_provider: string;
  ecr_name: string;
  ecr_version: string;
  change_amount: string;
  ecr_transaction_id: string;
  installments_number: number;
  bank_account_type: string | null;
  payment_plan_id: string | null;
  payment_type: PaymentType | null;
  print_method: PrintMethod;
  print_copies: PrintCopies;
  print_preview: string;
  terminals_list: TerminalRef[];
  card_brand_product: CardBrandProduct | null;
  terminal_operation_method: TerminalOperationMethod;
  qr_benefit_code: boolean;
  trx_receipt_notes: string | null;
  card_holder_id: string | null;
  merchant_group_code: string | null;
  is_tip: boolean;
  currency_code: string;
}

export interface CreatePaymentRequest {
  payment_request_data: PaymentRequestData;
}

/**
 * What a caller gives to create a payment: the wire `payment_request_data` without
 * `subnet_acquirer_id` (the client fills it). The amount, the caller's own reference and the
 * terminals are required; every other field has a default (see `PaystoreClient.createPayment`).
 */
export type CreatePaymentInput = Pick<PaymentRequestData, 'payment_amount' | 'ecr_transaction_id' | 'terminals_list'> &
  Partial<Omit<PaymentRequestData, 'subnet_acquirer_id' | 'payment_amount' | 'ecr_transaction_id' | 'terminals_list'>>;

/** `POST /payments/searches` body (docs/paystore-wire.md); every field optional. */
export interface PaymentSearchRequest {
  ecr_transaction_id?: string;
  payment_status?: string[];
  date_from?: string;
  date_to?: string;
  page?: number;
  page_size?: number;
}

export interface ReversalRequestData {
  subnet_acquirer_id: string;
  payment_id: string;
  ecr_transaction_id: string;
  terminal_menu_text: string;
  print_copies: PrintCopies;
  terminals_list: TerminalRef[];
}

export interface CreateReversalRequest {
  reversal_request_data: ReversalRequestData;
}

export type CreateReversalInput = Pick<ReversalRequestData, 'payment_id' | 'ecr_transaction_id' | 'terminals_list'> &
  Partial<Pick<ReversalRequestData, 'terminal_menu_text' | 'print_copies'>>;

/** Refunds take a flat body, unlike payments and reversals. */
export interface RefundRequestData {
  subnet_acquirer_id: string;
  refund_amount: string;
  terminal_menu_text: string;
  ecr_provider: string;
  ecr_name: string;
  ecr_version: string;
  ecr_transaction_id: string;
  print_copies: PrintCopies;
  terminals_list: TerminalRef[];
  card_brand_product: CardBrandProduct;
}

export type CreateRefundInput = Pick<RefundRequestData, 'refund_amount' | 'ecr_transaction_id' | 'terminals_list'> &
  Partial<Omit<RefundRequestData, 'subnet_acquirer_id' | 'refund_amount' | 'ecr_transaction_id' | 'terminals_list'>>;

// ---------------------------------------------------------------------------------------------
// Answers: each schema validates at runtime and yields its type.
//
// Parsing is defensive. What the client and workers act on (ids, statuses, the envelope shape)
// must be there, or the answer is a protocol error. Every other documented field is read
// leniently: a number where a string was expected becomes that string, a value of the wrong kind
// becomes null, and fields the provider adds are kept as sent.
// ---------------------------------------------------------------------------------------------

const text = z.union([z.string(), z.number().transform(String)]).nullish().catch(null);
const int = z
  .union([z.number().int(), z.string().regex(/^-?[0-9]+$/).transform(Number)])
  .nullish()
  .catch(null);
const bool = z
  .union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')])
  .nullish()
  .catch(null);
const requiredId = z.string().min(1);
const requiredEnum = <T extends string>() =>
  z.custom<OpenEnum<T>>((v) => typeof v === 'string' && v.length > 0, { message: 'expected a status string' });
const softEnum = <T extends string>() => requiredEnum<T>().nullish().catch(null);
/** A nested object the client does not act on: kept when it is an object, dropped otherwise. */
const softObject = <T extends z.ZodType>(schema: T) => schema.nullish().catch(null);

export const tokenResponseSchema = z.looseObject({
  token_type: text,
  access_token: requiredId,
  /** Seconds, a string on the wire; a number is tolerated. */
  expires_in: text,
  scope: text,
  apiKey: text,
});
export type TokenResponse = z.infer<typeof tokenResponseSchema>;

export const livenessResponseSchema = z.looseObject({ status: text });
export type LivenessResponse = z.infer<typeof livenessResponseSchema>;

export const terminalRefSchema = z.looseObject({ terminal_id: text });

/** The request as the provider echoes it back: the same fields, none of them guaranteed. */
export const paymentRequestEchoSchema = z.looseObject({
  subnet_acquirer_id: text,
  payment_amount: text,
  terminal_menu_text: text,
  ecr_provider: text,
  ecr_name: text,
  ecr_version: text,
  change_amount: text,
  ecr_transaction_id: text,
  installments_number: int,
  bank_account_type: text,
  payment_plan_id: text,
  payment_type: softEnum<(typeof PAYMENT_TYPES)[number]>(),
  print_method: text,
  print_copies: text,
  print_preview: text,
  terminals_list: z.array(terminalRefSchema).nullish().catch(null),
  card_brand_product: text,
  terminal_operation_method: text,
  qr_benefit_code: bool,
  trx_receipt_notes: text,
  card_holder_id: text,
  merchant_group_code: text,
  is_tip: bool,
  currency_code: text,
});
export type PaymentRequestEcho = z.infer<typeof paymentRequestEchoSchema>;

const paymentDataFields = {
  payment_request_date: text,
  payment_status_date: text,
  payment_type: softEnum<(typeof PAYMENT_TYPES)[number]>(),
  merchant_id: text,
  merchant_name: text,
  cuit_cuil: text,
  terminal_id: text,
  terminal_serial: text,
  terminal_model: text,
  mobitef_app_vers: text,
  authorized_payment_amount: text,
  change_amount: text,
  installments_number: int,
  bank_account_type: text,
  payment_plan_id: text,
  acquirer_id: softEnum<(typeof ACQUIRER_IDS)[number]>(),
  card_brand_product: softEnum<'VI' | 'MC' | 'AM'>(),
  card_brand: text,
  card_type: softEnum<(typeof CARD_TYPES)[number]>(),
  bin: text,
  last_four_digits: text,
  card_holder: text,
  client_transaction_id: text,
  transaction_receipt: text,
  batch_number: text,
  qr_code_id: text,
  qr_original_amount: text,
  acquirer_response_code: text,
  acquirer_additional_message: text,
  acquirer_response_date: text,
  authorization_code: text,
  client_receipt_detail: text,
  merchant_receipt_detail: text,
  payment_auth_nsu: text,
  trx_receipt_notes: text,
  card_holder_id: text,
  tax_receipt_content: text,
  order_notes: text,
};

export const paymentDataSchema = z.looseObject({
  payment_id: requiredId,
  payment_status: requiredEnum<KnownPaymentStatus>(),
  ...paymentDataFields,
});
export type PaymentData = z.infer<typeof paymentDataSchema>;

export const paymentEnvelopeSchema = z.looseObject({
  payment_request_data: softObject(paymentRequestEchoSchema),
  payment_data: paymentDataSchema,
});
export type PaymentEnvelope = z.infer<typeof paymentEnvelopeSchema>;

const pageFields = { page: int, page_size: int, total: int };

export const paymentSearchResponseSchema = z.looseObject({ payments: z.array(paymentEnvelopeSchema), ...pageFields });
export type PaymentSearchResponse = z.infer<typeof paymentSearchResponseSchema>;

export const reversalRequestEchoSchema = z.looseObject({
  subnet_acquirer_id: text,
  payment_id: text,
  ecr_transaction_id: text,
  terminal_menu_text: text,
  print_copies: text,
  terminals_list: z.array(terminalRefSchema).nullish().catch(null),
});
export type ReversalRequestEcho = z.infer<typeof reversalRequestEchoSchema>;

export const reversalDataSchema = z.looseObject({
  /** A reversal is keyed by the payment it reverses: no separate reversal id exists. */
  payment_id: requiredId,
  reversal_status: requiredEnum<KnownReversalStatus>(),
  reversal_request_date: text,
  reversal_status_date: text,
  /** The original payment, as the provider echoes it. */
  payment_request: softObject(paymentRequestEchoSchema),
  payment_data: softObject(z.looseObject({ payment_id: text, payment_status: softEnum<KnownPaymentStatus>(), ...paymentDataFields })),
});
export type ReversalData = z.infer<typeof reversalDataSchema>;

export const reversalEnvelopeSchema = z.looseObject({
  reversal_request_data: softObject(reversalRequestEchoSchema),
  reversal_data: reversalDataSchema,
});
export type ReversalEnvelope = z.infer<typeof reversalEnvelopeSchema>;

export const reversalListResponseSchema = z.looseObject({ reversals: z.array(reversalEnvelopeSchema), ...pageFields });
export type ReversalListResponse = z.infer<typeof reversalListResponseSchema>;

export const refundRequestEchoSchema = z.looseObject({
  subnet_acquirer_id: text,
  refund_amount: text,
  terminal_menu_text: text,
  ecr_provider: text,
  ecr_name: text,
  ecr_version: text,
  ecr_transaction_id: text,
  print_copies: text,
  terminals_list: z.array(terminalRefSchema).nullish().catch(null),
  card_brand_product: text,
});
export type RefundRequestEcho = z.infer<typeof refundRequestEchoSchema>;

export const refundDataSchema = z.looseObject({
  refund_id: requiredId,
  refund_status: requiredEnum<KnownRefundStatus>(),
  refund_request_date: text,
  refund_status_date: text,
  merchant_id: text,
  merchant_name: text,
  cuit_cuil: text,
  terminal_id: text,
  terminal_serial: text,
  terminal_model: text,
  mobitef_app_vers: text,
  acquirer_id: softEnum<(typeof ACQUIRER_IDS)[number]>(),
  card_brand_product: softEnum<'VI' | 'MC' | 'AM'>(),
  refund_client_id: text,
  refunds_transaction_receipt: text,
  batch_number: text,
  acquirer_response_code: text,
  acquirer_response_date: text,
  authorization_code: text,
  client_receipt_detail: text,
  merchant_receipt_detail: text,
  refund_auth_nsu: text,
  /** Shape not documented: kept as sent. */
  error: z.unknown().optional(),
});
export type RefundData = z.infer<typeof refundDataSchema>;

export const refundEnvelopeSchema = z.looseObject({
  /** docs/paystore-wire.md names it `refund_request_data`; one source says `refund_request`. */
  refund_request_data: softObject(refundRequestEchoSchema),
  refund_request: softObject(refundRequestEchoSchema),
  refund_data: refundDataSchema,
});
export type RefundEnvelope = z.infer<typeof refundEnvelopeSchema>;

export const refundListResponseSchema = z.looseObject({ refunds: z.array(refundEnvelopeSchema), ...pageFields });
export type RefundListResponse = z.infer<typeof refundListResponseSchema>;

export const settlementDataSchema = z.looseObject({
  settlement_id: requiredId,
  settlement_status: requiredEnum<KnownSettlementStatus>(),
  terminal_id: text,
  print_receipt: bool,
  merchant_id: text,
  merchant_name: text,
  cuit_cuil: text,
  subnet_acquirer_id: text,
  settlement_status_date: text,
  settlement_request_date: text,
  terminal_serial: text,
  terminal_model: text,
  mobitef_app_vers: text,
  acquirer_response_code: text,
  acquirer_additional_message: text,
  batch_number: text,
  merchant_receipt_detail: text,
});
export type SettlementData = z.infer<typeof settlementDataSchema>;

export const settlementEnvelopeSchema = z.looseObject({ settlements_data: settlementDataSchema });
export type SettlementEnvelope = z.infer<typeof settlementEnvelopeSchema>;

export const settlementListResponseSchema = z.looseObject({ settlements: z.array(settlementEnvelopeSchema), ...pageFields });
export type SettlementListResponse = z.infer<typeof settlementListResponseSchema>;
