// What Klio's tasks-request accepts, as strictly as the public page reads: a positive amount in
// ARS, a known operation type, a source for annulments, an executionOrder on every task of a
// multi-task request. Anything else is the 400 a real integration would get.
import { z } from 'zod';
import { klioBadRequest } from './klio-errors';

const amount = z
  .number({ error: 'must be a number' })
  .positive({ error: 'must be positive' })
  .refine((v) => Math.abs(v * 100 - Math.round(v * 100)) < 1e-6, { error: 'must have at most two decimals' });

export const klioPaymentSchema = z.object({
  originID: z.string({ error: 'is required' }).min(1, { error: 'is required' }).max(100),
  operationType: z.enum(['PAYMENT', 'ANNULMENT'], { error: 'must be PAYMENT or ANNULMENT' }),
  sourceOriginID: z.string().max(100).nullish(),
  executionOrder: z.int().min(1).max(100).nullish(),
  printTicket: z.enum(['auto', 'offer', 'none']).nullish(),
  callbackURL: z.url({ protocol: /^https?$/ }).max(2000).nullish(),
  qrMethod: z.object({ accountMoney: z.boolean() }).nullish(),
  cardMethod: z
    .object({
      credit: z.boolean(),
      creditInterestPayer: z.enum(['client', 'merchant']).nullish(),
      creditInstallmentsOption: z.boolean().nullish(),
      creditInstallments: z.int().min(1).max(24).nullish(),
      debit: z.boolean(),
    })
    .nullish(),
  originalAmount: z.object({
    amount,
    currency: z.literal('ARS', { error: 'must be ARS' }),
  }),
  collectAccountData: z.object({ portfolioId: z.int().positive(), personId: z.int().positive() }).nullish(),
  buyerData: z.object({ taxNumber: z.union([z.int().positive(), z.string().regex(/^\d{7,11}$/)]) }).nullish(),
});
export type KlioPaymentInput = z.infer<typeof klioPaymentSchema>;

export const klioTasksRequestSchema = z.object({
  target: z.object({ deviceId: z.string({ error: 'is required' }).min(1, { error: 'is required' }) }),
  tasks: z.array(z.object({ payment: klioPaymentSchema })).min(1, { error: 'needs at least one task' }).max(20),
});
export type KlioTasksInput = z.infer<typeof klioTasksRequestSchema>;

export const klioAuthSchema = z.object({ clientId: z.string(), clientSecret: z.string() });

export const klioDeviceSchema = z.object({
  deviceId: z.string().min(1).max(64).optional(),
  deviceName: z.string().min(1).max(100).optional(),
  terminalId: z.string().min(1).max(32).optional(),
  mode: z.enum(['DEFAULT', 'UNATTENDED']).optional(),
  takeDelayMs: z.int().min(0).max(600_000).optional(),
  offline: z.boolean().optional(),
});

export const klioAgeSchema = z.object({ days: z.number().min(0).max(3650) });

/** Parses or throws Klio's 400 naming the first offending field. */
export function parseKlio<T>(schema: z.ZodType<T>, input: unknown): T {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  throw klioBadRequest(issue ? `${issue.path.join('.') || '(body)'} ${issue.message}` : 'invalid request');
}

/** The extra rules of a request, beyond each field's shape. */
export function checkTasksRequest(input: KlioTasksInput): void {
  const orders = new Set<number>();
  const origins = new Set<string>();
  input.tasks.forEach(({ payment }, i) => {
    const where = `tasks.${i}.payment`;
    if (origins.has(payment.originID)) throw klioBadRequest(`${where}.originID repeats another task's`);
    origins.add(payment.originID);
    if (input.tasks.length > 1) {
      const order = payment.executionOrder;
      if (order === null || order === undefined) throw klioBadRequest(`${where}.executionOrder is required when several tasks are sent`);
      if (orders.has(order)) throw klioBadRequest(`${where}.executionOrder repeats another task's`);
      orders.add(order);
    }
    if (payment.operationType === 'ANNULMENT') {
      if (!payment.sourceOriginID) throw klioBadRequest(`${where}.sourceOriginID is required for an ANNULMENT`);
    } else {
      const card = payment.cardMethod;
      const anyCard = card ? card.credit || card.debit : false;
      if (!anyCard && payment.qrMethod?.accountMoney !== true) throw klioBadRequest(`${where} must enable at least one payment method`);
      if (card && !card.credit && card.creditInstallments !== null && card.creditInstallments !== undefined && card.creditInstallments > 1) {
        throw klioBadRequest(`${where}.cardMethod.creditInstallments needs credit`);
      }
    }
  });
}
