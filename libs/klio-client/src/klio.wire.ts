// The Klio SmartPos wire: the `tasks-request` body as the public page describes it, the task and
// device answers, and zod schemas strict enough to catch a wrong answer (a task without an id,
// an originID or a status; an amount that is not a number). The task answer's `paymentaData`
// (sic) detail is sandbox-defined: docs/klio-wire.md.
import { z } from 'zod';

export const TASK_STATUSES = Object.freeze(['Created', 'InProgress', 'Canceled', 'Processed', 'Completed', 'Failed'] as const);
export type KlioTaskStatus = (typeof TASK_STATUSES)[number];
export const CARD_STATUSES = Object.freeze(['PENDING', 'REVERSED', 'APPROVED', 'FAILED', 'REJECTED'] as const);
export type KlioCardStatus = (typeof CARD_STATUSES)[number];
export const QR_STATUSES = Object.freeze(['PENDING', 'ACTIVE', 'COLLECTED', 'EXPIRED', 'NOTFOUND', 'UNDEFINED'] as const);
export type KlioQrStatus = (typeof QR_STATUSES)[number];
export const DEVICE_MODES = Object.freeze(['DEFAULT', 'UNATTENDED'] as const);

export type KlioOperationType = 'PAYMENT' | 'ANNULMENT';
/** `auto` prints, `offer` lets the buyer choose on the device, `none` does not print. */
export type KlioPrintTicket = 'auto' | 'offer' | 'none';

export interface KlioAmount {
  /** Pesos, positive, at most two decimals (`1500.05`); see toKlioAmount. */
  amount: number;
  currency: 'ARS';
}

export interface KlioCardMethod {
  credit: boolean;
  creditInterestPayer?: 'client' | 'merchant';
  /** True offers the installment choice on the device. */
  creditInstallmentsOption?: boolean;
  /** Null lets the buyer choose; a number fixes it and hides the choice. */
  creditInstallments?: number | null;
  debit: boolean;
}

export interface KlioTaskPayment {
  /** Our own id for the task; how an uncertain submit is found again. */
  originID: string;
  operationType: KlioOperationType;
  /** ANNULMENT only: the originID of the payment being annulled. */
  sourceOriginID?: string;
  /** Required (distinct, from 1) when several tasks go in one request. */
  executionOrder?: number;
  printTicket?: KlioPrintTicket;
  callbackURL?: string | null;
  qrMethod?: { accountMoney: boolean };
  cardMethod?: KlioCardMethod;
  originalAmount: KlioAmount;
  collectAccountData?: { portfolioId: number; personId: number };
  /** The buyer's DNI/CUIT; when absent and the amount is high, the device asks for it. */
  buyerData?: { taxNumber: number };
}

export interface KlioTasksRequest {
  target: { deviceId: string };
  tasks: Array<{ payment: KlioTaskPayment }>;
}

const text = z.string().nullish();

export const cardPaymentDataSchema = z.object({
  status: z.string().min(1),
  cardBrand: text,
  bin: text,
  lastFourDigits: text,
  authorizationCode: text,
  ticketNumber: text,
  batchNumber: text,
  installments: z.number().int().nullish(),
  paymentType: text,
  entryMode: text,
  terminalId: text,
  message: text,
});
export type KlioCardPaymentData = z.infer<typeof cardPaymentDataSchema>;

export const qrPaymentDataSchema = z.object({
  status: z.string().min(1),
  qrId: text,
  wallet: text,
  transactionId: text,
  message: text,
});
export type KlioQrPaymentData = z.infer<typeof qrPaymentDataSchema>;

export const annulmentDataSchema = z.object({
  sourceOriginID: z.string(),
  amount: z.number().positive(),
  remainingAmount: z.number().min(0),
});

export const amountSchema = z.object({ amount: z.number().positive(), currency: z.string().length(3) });

export const taskSchema = z.object({
  taskId: z.union([z.number().int().positive(), z.string().regex(/^\d+$/)]).transform((v) => String(v)),
  originID: z.string().min(1),
  generationDate: z.string().min(1),
  status: z.string().min(1),
  statusDate: text,
  paymentaData: z
    .object({
      cardPaymentaData: cardPaymentDataSchema.nullish(),
      qrPaymentaData: qrPaymentDataSchema.nullish(),
      annulmentData: annulmentDataSchema.nullish(),
    })
    .nullish(),
  // Echoes the sandbox adds (the public answer example does not show them).
  operationType: text,
  sourceOriginID: text,
  deviceId: text,
  executionOrder: z.number().int().nullish(),
  originalAmount: amountSchema.nullish(),
});
/** A task as this client returns it (`taskId` always a string). */
export type KlioTask = z.infer<typeof taskSchema>;

export const tasksAnswerSchema = z.array(taskSchema);

export const deviceSchema = z.object({
  deviceId: z.string().min(1),
  deviceName: text,
  serialNumber: text,
  terminalId: text,
  brand: text,
  model: text,
  productNumber: text,
  hwVersion: text,
  deviceMode: z.string().min(1),
});
export type KlioDevice = z.infer<typeof deviceSchema>;
export const devicesAnswerSchema = z.array(deviceSchema);

export const tokenAnswerSchema = z.object({
  accessToken: z.string().min(1),
  expiresIn: z.union([z.number(), z.string().regex(/^\d+$/)]).nullish(),
});

/**
 * Our integer centavos as Klio's `originalAmount.amount`: a JSON number in pesos with at most two
 * decimals (150005 → 1500.05). Klio's example shows `1000` for a thousand pesos.
 */
export function toKlioAmount(cents: number): number {
  if (!Number.isSafeInteger(cents) || cents <= 0) throw new RangeError(`amount must be a positive whole number of centavos, got ${cents}`);
  return Number((cents / 100).toFixed(2));
}

/** Klio's pesos back to centavos; throws when it has more than two decimals. */
export function fromKlioAmount(amount: number): number {
  const cents = Math.round(amount * 100);
  if (!Number.isFinite(amount) || Math.abs(amount * 100 - cents) > 1e-6) throw new RangeError(`${amount} is not an amount in pesos with at most two decimals`);
  return cents;
}
