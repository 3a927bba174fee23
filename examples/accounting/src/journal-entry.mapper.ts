// From an outcome event to what the journal books: one signed entry per approved payment, reversal
// or refund, one record per approved settlement. Pure, so every rule is unit-tested. Data the
// journal cannot book is an UnrecoverableEventError: no retry will fix it, it goes to dead letters.
import { brandTotalsSchema, CloudEvent, operationViewSchema } from '@app/contracts';
import { UnrecoverableEventError } from '@app/transport';
import { z } from 'zod';

export type EntryKind = 'payment' | 'reversal' | 'refund';
/** The sections of the provider's batch (and of a settlement's `totals`). */
export type TotalsSection = 'payments' | 'reversals' | 'refunds';
export type BrandTotals = z.infer<typeof brandTotalsSchema>;

export interface JournalEntryDraft {
  eventId: string;
  operationId: string;
  kind: EntryKind;
  section: TotalsSection;
  merchantId: string;
  terminalId: string;
  brand: string;
  /** Minor units; positive for payments, negative for what goes back to the card. */
  amount: number;
  currency: string;
  batchNumber: string | null;
  /** For reversals: the payment given back. */
  paymentId: string | null;
  occurredAt: Date;
}

export interface SettlementDraft {
  eventId: string;
  operationId: string;
  merchantId: string;
  terminalId: string;
  batchNumber: string;
  totals: BrandTotals[];
  occurredAt: Date;
}

const view = operationViewSchema.pick({ id: true, merchantId: true, card: true, qrCodeId: true, paymentId: true });

const movementSchema = view.extend({
  type: z.enum(['payment', 'reversal', 'refund']),
  status: z.literal('approved'),
  terminalId: z.string().min(1, 'an approved operation names the terminal that took it'),
  amount: z.number().int().positive(),
  // Any ISO-4217 code: a new currency upstream must not stop the books.
  currency: z.string().regex(/^[A-Z]{3}$/),
  batchNumber: z.string().nullable(),
});

const settlementSchema = operationViewSchema.pick({ id: true, merchantId: true }).extend({
  type: z.literal('settlement'),
  status: z.literal('approved'),
  terminalId: z.string().min(1),
  batchNumber: z.string().min(1),
  totals: z.array(brandTotalsSchema),
});

function parse<T>(schema: z.ZodType<T>, event: CloudEvent): T {
  const parsed = schema.safeParse(event.data);
  if (!parsed.success) {
    const why = parsed.error.issues.map((i) => `${i.path.join('.') || '(data)'}: ${i.message}`).join('; ');
    throw new UnrecoverableEventError(`${event.type} ${event.id} cannot be booked: ${why}`);
  }
  return parsed.data;
}

function checkSubject(event: CloudEvent, data: { id: string; type: string }): void {
  if (event.subject !== data.id || event.type !== `${data.type}.approved`) {
    throw new UnrecoverableEventError(`${event.type} ${event.id} is about ${event.subject} but carries ${data.type} ${data.id}`);
  }
}

/**
 * The provider's section of a movement. A reversal of an AMEX payment goes through the provider's
 * Refunds (its Reversals refuse AMEX), and its batch counts it as a refund; the event does not say
 * which API was used, so the card decides, as ecr-bridge itself decides.
 */
export function sectionOf(kind: EntryKind, brand: string): TotalsSection {
  if (kind === 'payment') return 'payments';
  if (kind === 'refund' || brand === 'amex') return 'refunds';
  return 'reversals';
}

/** Card brand, or `qr` for wallet payments, as in a settlement's totals. */
export function brandOf(card: { brand: string } | null, qrCodeId: string | null): string {
  return card?.brand ?? (qrCodeId ? 'qr' : 'unknown');
}

export function journalEntryOf(event: CloudEvent): JournalEntryDraft {
  const op = parse(movementSchema, event);
  checkSubject(event, op);
  const brand = brandOf(op.card, op.qrCodeId);
  return {
    eventId: event.id,
    operationId: op.id,
    kind: op.type,
    section: sectionOf(op.type, brand),
    merchantId: op.merchantId,
    terminalId: op.terminalId,
    brand,
    amount: op.type === 'payment' ? op.amount : -op.amount,
    currency: op.currency,
    batchNumber: op.batchNumber,
    paymentId: op.paymentId,
    occurredAt: new Date(event.time),
  };
}

export function settlementOf(event: CloudEvent): SettlementDraft {
  const op = parse(settlementSchema, event);
  checkSubject(event, op);
  return {
    eventId: event.id,
    operationId: op.id,
    merchantId: op.merchantId,
    terminalId: op.terminalId,
    batchNumber: op.batchNumber,
    totals: op.totals,
    occurredAt: new Date(event.time),
  };
}
