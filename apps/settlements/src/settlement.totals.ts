// A settlement's totals: per card brand, the count and amount of our approved payments, reversals
// and refunds that the provider put in the batch it closed. An operation belongs to a batch by the
// `batchNumber` the provider recorded on it (the batch open on its terminal when it finished there),
// not by when our worker noticed it finished, so our totals are the provider's batch. Only an
// operation without a batch number falls back to time: it counts when it became final after the
// terminal's previous approved settlement and no later than this one.
import type { BrandTotals } from '@app/persistence';
import { EntityManager } from 'typeorm';

export interface BatchCandidate {
  type: 'payment' | 'reversal' | 'refund';
  /** For reversals: which provider API gave the payment back. */
  via: 'reversal' | 'refund' | null;
  amount: number;
  brand: string | null;
  qrCodeId: string | null;
  batchNumber: string | null;
  finalAt: Date;
}

/** The slice of time that stands for the batch when an operation has no batch number. */
export interface BatchWindow {
  after: Date | null;
  until: Date;
}

export function inBatch(op: BatchCandidate, batchNumber: string | null, window: BatchWindow): boolean {
  if (batchNumber !== null && op.batchNumber !== null) return op.batchNumber === batchNumber;
  return (window.after === null || op.finalAt > window.after) && op.finalAt <= window.until;
}

/**
 * The section of the provider's closing receipt an operation lands in. An AMEX payment given back
 * through Refunds is a refund there (DEVOLUCIONES), so it is a refund in our totals too; a reversal
 * row without `via` is an AMEX one by its card, since PayStore Reversals refuse AMEX.
 */
export function sectionOf(op: Pick<BatchCandidate, 'type' | 'via' | 'brand'>): 'payments' | 'reversals' | 'refunds' {
  if (op.type === 'payment') return 'payments';
  if (op.type === 'refund' || op.via === 'refund' || (op.via === null && op.brand === 'amex')) return 'refunds';
  return 'reversals';
}

/** Card brand, or `qr` for wallet payments (and their reversals). */
export function totalsBrandOf(op: Pick<BatchCandidate, 'brand' | 'qrCodeId'>): string {
  return op.brand ?? (op.qrCodeId ? 'qr' : 'unknown');
}

/** Per brand, sorted by brand; a brand appears when at least one operation of it counts. */
export function totalsOf(ops: readonly BatchCandidate[]): BrandTotals[] {
  const byBrand = new Map<string, BrandTotals>();
  for (const op of ops) {
    const brand = totalsBrandOf(op);
    let totals = byBrand.get(brand);
    if (!totals) {
      totals = { brand, payments: { count: 0, amount: 0 }, reversals: { count: 0, amount: 0 }, refunds: { count: 0, amount: 0 } };
      byBrand.set(brand, totals);
    }
    const section = totals[sectionOf(op)];
    section.count += 1;
    section.amount += op.amount;
  }
  return [...byBrand.values()].sort((a, b) => a.brand.localeCompare(b.brand));
}

interface CandidateRow {
  type: BatchCandidate['type'];
  via: string | null;
  amount: string;
  brand: string | null;
  qr_code_id: string | null;
  batch_number: string | null;
  final_at: Date;
}

/**
 * Reads, in the caller's transaction, the approved operations of the settlement's terminal that
 * belong to `batchNumber`, and totals them.
 */
export async function batchTotals(
  manager: EntityManager,
  settlement: { id: string; merchantId: string; terminalId: string },
  batchNumber: string | null,
): Promise<BrandTotals[]> {
  const [previous] = (await manager.query(
    `SELECT max(final_at) AS at FROM operations
      WHERE type = 'settlement' AND status = 'approved' AND merchant_id = $1 AND terminal_id = $2 AND id <> $3`,
    [settlement.merchantId, settlement.terminalId, settlement.id],
  )) as { at: Date | null }[];
  const rows = (await manager.query(
    `SELECT type, request->>'via' AS via, amount, result->'card'->>'brand' AS brand, result->>'qrCodeId' AS qr_code_id,
            result->>'batchNumber' AS batch_number, final_at
       FROM operations
      WHERE merchant_id = $1 AND terminal_id = $2 AND status = 'approved' AND type IN ('payment', 'reversal', 'refund')
        AND ($3::text IS NULL OR result->>'batchNumber' IS NULL OR result->>'batchNumber' = $3)`,
    [settlement.merchantId, settlement.terminalId, batchNumber],
  )) as CandidateRow[];
  const window: BatchWindow = { after: previous?.at ?? null, until: new Date() };
  const candidates = rows.map(
    (r): BatchCandidate => ({
      type: r.type,
      via: r.via === 'refund' || r.via === 'reversal' ? r.via : null,
      amount: Number(r.amount),
      brand: r.brand,
      qrCodeId: r.qr_code_id,
      batchNumber: r.batch_number,
      finalAt: r.final_at,
    }),
  );
  return totalsOf(candidates.filter((c) => inBatch(c, batchNumber, window)));
}
