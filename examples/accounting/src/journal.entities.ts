// The journal's tables, as TypeORM sees them. Their DDL is in journal.schema.ts; `synchronize` stays off.
import { Column, Entity, PrimaryGeneratedColumn, Unique, ValueTransformer } from 'typeorm';
import type { BrandTotals, EntryKind, TotalsSection } from './journal-entry.mapper';

/** bigint columns come back as text; amounts in minor units stay well inside a double's exact range. */
const bigintAsNumber: ValueTransformer = { to: (v: number) => v, from: (v: string | null) => (v === null ? null : Number(v)) };

/** What every booked row carries: the event it came from, the operation, where and when. */
abstract class BookedRow {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  id!: string;

  @Column({ name: 'event_id', type: 'text' })
  eventId!: string;

  @Column({ name: 'operation_id', type: 'text' })
  operationId!: string;

  @Column({ name: 'merchant_id', type: 'text' })
  merchantId!: string;

  @Column({ name: 'terminal_id', type: 'text' })
  terminalId!: string;

  @Column({ name: 'occurred_at', type: 'timestamptz' })
  occurredAt!: Date;

  @Column({ name: 'booked_at', type: 'timestamptz', default: () => 'now()' })
  bookedAt!: Date;
}

@Entity({ name: 'journal_entries' })
@Unique('journal_entries_event_id_key', ['eventId'])
@Unique('journal_entries_operation_kind_key', ['operationId', 'kind'])
export class JournalEntryEntity extends BookedRow {
  @Column({ type: 'text' })
  kind!: EntryKind;

  @Column({ type: 'text' })
  section!: TotalsSection;

  @Column({ type: 'text' })
  brand!: string;

  @Column({ type: 'bigint', transformer: bigintAsNumber })
  amount!: number;

  @Column({ type: 'char', length: 3 })
  currency!: string;

  @Column({ name: 'batch_number', type: 'text', nullable: true })
  batchNumber!: string | null;

  @Column({ name: 'payment_id', type: 'text', nullable: true })
  paymentId!: string | null;
}

@Entity({ name: 'settlements' })
@Unique('settlements_event_id_key', ['eventId'])
@Unique('settlements_operation_id_key', ['operationId'])
export class SettlementRecordEntity extends BookedRow {
  @Column({ name: 'batch_number', type: 'text' })
  batchNumber!: string;

  @Column({ type: 'jsonb' })
  totals!: BrandTotals[];
}

export const JOURNAL_ENTITIES = [JournalEntryEntity, SettlementRecordEntity];
