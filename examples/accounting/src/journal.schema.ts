// The journal's own schema, created at start with idempotent DDL (CREATE … IF NOT EXISTS) under an
// advisory lock, so replicas starting together do not race. Two tables do not earn a migrations
// setup; a change to them would (TypeORM migrations, run by one party, as ecr-bridge does).
import { DataSource } from 'typeorm';
import { JOURNAL_ENTITIES } from './journal.entities';

const SCHEMA_LOCK_KEY = 7_346_301_001;

export function assertSchemaName(schema: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new Error(`accounting schema name ${JSON.stringify(schema)} is not a plain lower-case identifier`);
  return schema;
}

export function journalDdl(schema: string): string[] {
  const s = `"${assertSchemaName(schema)}"`;
  return [
    `CREATE SCHEMA IF NOT EXISTS ${s}`,
    `CREATE TABLE IF NOT EXISTS ${s}.journal_entries (
       id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
       event_id text NOT NULL,
       operation_id text NOT NULL,
       kind text NOT NULL CHECK (kind IN ('payment', 'reversal', 'refund')),
       section text NOT NULL CHECK (section IN ('payments', 'reversals', 'refunds')),
       merchant_id text NOT NULL,
       terminal_id text NOT NULL,
       brand text NOT NULL,
       amount bigint NOT NULL CHECK ((kind = 'payment') = (amount > 0) AND amount <> 0),
       currency char(3) NOT NULL,
       batch_number text,
       payment_id text,
       occurred_at timestamptz NOT NULL,
       booked_at timestamptz NOT NULL DEFAULT now(),
       CONSTRAINT journal_entries_event_id_key UNIQUE (event_id),
       CONSTRAINT journal_entries_operation_kind_key UNIQUE (operation_id, kind)
     )`,
    `CREATE INDEX IF NOT EXISTS journal_entries_batch_idx ON ${s}.journal_entries (merchant_id, terminal_id, batch_number)`,
    `CREATE TABLE IF NOT EXISTS ${s}.settlements (
       id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
       event_id text NOT NULL,
       operation_id text NOT NULL,
       merchant_id text NOT NULL,
       terminal_id text NOT NULL,
       batch_number text NOT NULL,
       totals jsonb NOT NULL,
       occurred_at timestamptz NOT NULL,
       booked_at timestamptz NOT NULL DEFAULT now(),
       CONSTRAINT settlements_event_id_key UNIQUE (event_id),
       CONSTRAINT settlements_operation_id_key UNIQUE (operation_id)
     )`,
  ];
}

export function createJournalDataSource(url: string, schema: string, poolSize = 5): DataSource {
  return new DataSource({
    type: 'postgres',
    url,
    schema: assertSchemaName(schema),
    entities: JOURNAL_ENTITIES,
    synchronize: false,
    logging: ['error'],
    extra: { max: poolSize, connectionTimeoutMillis: 5000 },
  });
}

export async function ensureJournalSchema(dataSource: DataSource, schema: string): Promise<void> {
  await dataSource.transaction(async (m) => {
    await m.query('SELECT pg_advisory_xact_lock($1)', [SCHEMA_LOCK_KEY]);
    for (const statement of journalDdl(schema)) await m.query(statement);
  });
}
