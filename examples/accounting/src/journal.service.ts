// Books outcome events into the journal, once each: a second delivery of an event (same id), or
// another event for an operation already booked (same operation and kind), changes nothing. Answers
// totals per merchant, terminal and batch, and checks a settlement against them.
import { DataSource, FindOptionsWhere } from 'typeorm';
import { JournalEntryEntity, SettlementRecordEntity } from './journal.entities';
import { BrandTotals, JournalEntryDraft, SettlementDraft, TotalsSection } from './journal-entry.mapper';

export type BookingOutcome = 'booked' | 'duplicate';

export interface JournalFilter {
  merchantId: string;
  terminalId?: string;
  batchNumber?: string;
}

export interface JournalTotals {
  /** Per brand, sorted, in the shape of a settlement's `totals` (amounts unsigned, as the provider's batch shows them). */
  brands: BrandTotals[];
  /** Signed sum per currency: what the card holders paid, less what went back to them. */
  net: Record<string, number>;
}

export interface Reconciliation {
  settlementId: string;
  merchantId: string;
  terminalId: string;
  batchNumber: string;
  /** What the settlement says the provider's batch holds. */
  settled: BrandTotals[];
  /** What the journal booked for that terminal and batch. */
  booked: BrandTotals[];
  matches: boolean;
}

export class JournalService {
  constructor(private readonly dataSource: DataSource) {}

  async book(entry: JournalEntryDraft): Promise<BookingOutcome> {
    return this.insertOnce(JournalEntryEntity, entry);
  }

  async bookSettlement(settlement: SettlementDraft): Promise<BookingOutcome> {
    return this.insertOnce(SettlementRecordEntity, settlement);
  }

  private async insertOnce(entity: typeof JournalEntryEntity | typeof SettlementRecordEntity, values: JournalEntryDraft | SettlementDraft): Promise<BookingOutcome> {
    // ON CONFLICT DO NOTHING covers both unique keys: the event id and the operation.
    const result = await this.dataSource.createQueryBuilder().insert().into(entity).values(values).orIgnore().returning('id').execute();
    return (result.raw as unknown[]).length > 0 ? 'booked' : 'duplicate';
  }

  async entries(filter: JournalFilter): Promise<JournalEntryEntity[]> {
    return this.dataSource.getRepository(JournalEntryEntity).find({ where: this.where(filter), order: { id: 'ASC' } });
  }

  async settlement(operationId: string): Promise<SettlementRecordEntity | null> {
    return this.dataSource.getRepository(SettlementRecordEntity).findOneBy({ operationId });
  }

  async totals(filter: JournalFilter): Promise<JournalTotals> {
    const rows = await this.query(filter)
      .select('e.brand', 'brand')
      .addSelect('e.section', 'section')
      .addSelect('count(*)::int', 'count')
      .addSelect('sum(abs(e.amount))::bigint', 'amount')
      .groupBy('e.brand')
      .addGroupBy('e.section')
      .getRawMany<{ brand: string; section: TotalsSection; count: number; amount: string }>();
    const byBrand = new Map<string, BrandTotals>();
    for (const r of rows) {
      const totals = byBrand.get(r.brand) ?? emptyTotals(r.brand);
      totals[r.section] = { count: r.count, amount: Number(r.amount) };
      byBrand.set(r.brand, totals);
    }
    const nets = await this.query(filter)
      .select('e.currency', 'currency')
      .addSelect('sum(e.amount)::bigint', 'net')
      .groupBy('e.currency')
      .getRawMany<{ currency: string; net: string }>();
    return {
      brands: sortByBrand([...byBrand.values()]),
      net: Object.fromEntries(nets.map((n) => [n.currency, Number(n.net)])),
    };
  }

  /** The settlement's totals against the journal's for its terminal and batch; null when it is not booked. */
  async reconcile(settlementId: string): Promise<Reconciliation | null> {
    const s = await this.settlement(settlementId);
    if (!s) return null;
    const { brands } = await this.totals({ merchantId: s.merchantId, terminalId: s.terminalId, batchNumber: s.batchNumber });
    const settled = sortByBrand(s.totals.map((t) => ({ ...emptyTotals(t.brand), ...t })));
    return {
      settlementId: s.operationId,
      merchantId: s.merchantId,
      terminalId: s.terminalId,
      batchNumber: s.batchNumber,
      settled,
      booked: brands,
      matches: JSON.stringify(settled.map(canonical)) === JSON.stringify(brands.map(canonical)),
    };
  }

  private where(filter: JournalFilter): FindOptionsWhere<JournalEntryEntity> {
    return {
      merchantId: filter.merchantId,
      ...(filter.terminalId === undefined ? {} : { terminalId: filter.terminalId }),
      ...(filter.batchNumber === undefined ? {} : { batchNumber: filter.batchNumber }),
    };
  }

  private query(filter: JournalFilter) {
    return this.dataSource.getRepository(JournalEntryEntity).createQueryBuilder('e').where(this.where(filter));
  }
}

function emptyTotals(brand: string): BrandTotals {
  return { brand, payments: { count: 0, amount: 0 }, reversals: { count: 0, amount: 0 }, refunds: { count: 0, amount: 0 } };
}

function sortByBrand(totals: BrandTotals[]): BrandTotals[] {
  return [...totals].sort((a, b) => a.brand.localeCompare(b.brand));
}

/** Key order fixed, so two totals compare by value. */
function canonical(t: BrandTotals): unknown[] {
  return [t.brand, t.payments.count, t.payments.amount, t.reversals.count, t.reversals.amount, t.refunds.count, t.refunds.amount];
}
