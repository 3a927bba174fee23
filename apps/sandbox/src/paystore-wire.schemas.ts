// Runtime checks for what crosses the provider wire into the sandbox. Each schema both rejects
// what the provider would reject (400, title naming the field) and yields the type the services
// use. Fields the notes mark as unsure are accepted loosely; amounts, envelopes, enums and
// terminal ids are strict, because that is where a real client must be careful.
import { z } from 'zod';
import { badRequest, type ProviderError } from './provider-error';
import { REQUESTABLE_BRANDS } from './outcome.rules';

const CENTS = /^\d{1,12}$/;

const cents = z
  .string({ error: 'must be a string of digits (cents)' })
  .regex(CENTS, { error: 'must be a string of digits (cents)' });

export const positiveCents = cents.refine((value) => Number(value) > 0, { error: 'must be greater than zero' });

const looseText = z.union([z.string().max(1000), z.number()]).nullable().optional();
const text = z.string().max(1000).nullable().optional();

/** Accepted as a string of digits (as on the query) or as a plain number. */
const subnetAcquirerId = z.union([
  z.string().regex(/^\d{1,3}$/, { error: 'must be a string of digits' }),
  z.int().nonnegative().max(999),
]);

const terminalsList = z
  .array(z.object({ terminal_id: z.string({ error: 'must be a string of 8 digits' }).regex(/^\d{8}$/, { error: 'must be a string of 8 digits' }) }), {
    error: 'must be an array of { terminal_id }',
  })
  .min(1, { error: 'must name at least one terminal' })
  .max(50, { error: 'names at most 50 terminals' });

const printCopies = z.enum(['MERCHANT_ONLY', 'CUSTOMER_ONLY', 'BOTH', 'NONE']).nullable().optional();
const ecrTransactionId = z.union([z.string().min(1).max(100), z.int()]).nullable().optional();

export const paymentRequestDataSchema = z.object({
  subnet_acquirer_id: subnetAcquirerId,
  payment_amount: positiveCents,
  terminal_menu_text: text,
  ecr_provider: text,
  ecr_name: text,
  ecr_version: text,
  change_amount: cents.nullable().optional(),
  ecr_transaction_id: ecrTransactionId,
  installments_number: z.int({ error: 'must be an integer' }).min(0).max(99).nullable().optional(),
  bank_account_type: looseText,
  payment_plan_id: looseText,
  payment_type: z.enum(['CREDIT', 'DEBIT']).nullable().optional(),
  print_method: z.enum(['MOBITEF_NON_FISCAL', 'MOBITEF_FISCAL']).nullable().optional(),
  print_copies: printCopies,
  print_preview: text,
  terminals_list: terminalsList,
  card_brand_product: z.enum(REQUESTABLE_BRANDS).nullable().optional(),
  terminal_operation_method: z.enum(['CARD', 'QR_CODE']).nullable().optional(),
  qr_benefit_code: z.boolean().nullable().optional(),
  trx_receipt_notes: looseText,
  card_holder_id: looseText,
  merchant_group_code: looseText,
  is_tip: z.boolean().nullable().optional(),
  currency_code: z.literal('032', { error: 'must be "032"' }).nullable().optional(),
});
export type PaymentRequestData = z.infer<typeof paymentRequestDataSchema>;
export const createPaymentSchema = z.object({ payment_request_data: paymentRequestDataSchema });

export const paymentSearchSchema = z.object({
  ecr_transaction_id: ecrTransactionId,
  payment_status: z.union([z.string(), z.array(z.string())]).nullable().optional(),
  date_from: z.string().nullable().optional(),
  date_to: z.string().nullable().optional(),
  page: z.int().min(1).nullable().optional(),
  page_size: z.int().min(1).max(200).nullable().optional(),
});

export const reversalRequestDataSchema = z.object({
  subnet_acquirer_id: subnetAcquirerId,
  payment_id: z.string().min(1).max(100),
  ecr_transaction_id: ecrTransactionId,
  terminal_menu_text: text,
  print_copies: printCopies,
  terminals_list: terminalsList.nullable().optional(),
});
export const createReversalSchema = z.object({ reversal_request_data: reversalRequestDataSchema });

export const createRefundSchema = z.object({
  subnet_acquirer_id: subnetAcquirerId,
  refund_amount: positiveCents,
  terminal_menu_text: text,
  ecr_provider: text,
  ecr_name: text,
  ecr_version: text,
  ecr_transaction_id: ecrTransactionId,
  print_copies: printCopies,
  terminals_list: terminalsList,
  // Checked by hand: a brand other than AM is BRAND_NOT_ALLOWED, not a format error.
  card_brand_product: z.string({ error: 'is required and must be "AM"' }),
});

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let current: unknown = input;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

/** The provider's 400 for the first problem zod found, naming the field. */
export function toBadRequest(error: z.ZodError, input: unknown, root = ''): ProviderError {
  const issue = error.issues[0];
  const path = [root, ...issue.path.map(String)].filter((part) => part !== '').join('.');
  const missing = issue.code === 'invalid_type' && valueAt(input, issue.path) === undefined;
  const message = missing ? 'is required' : issue.message;
  return badRequest(path === '' ? `body ${message}` : `${path} ${message}`);
}

export function parseWire<T>(schema: z.ZodType<T>, input: unknown, root = ''): T {
  const result = schema.safeParse(input);
  if (!result.success) throw toBadRequest(result.error, input, root);
  return result.data;
}
