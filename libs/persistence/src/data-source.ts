// The one TypeORM DataSource shape every app uses: explicit entities, explicit migrations,
// `synchronize` off. Migrations run only through `npm run migrate` (or runMigrations below).
import { DataSource } from 'typeorm';
import { ApiKeyEntity } from './entities/api-key.entity';
import { IdempotencyKeyEntity } from './entities/idempotency-key.entity';
import { MerchantEntity } from './entities/merchant.entity';
import { OperationEntity } from './entities/operation.entity';
import { OutboxEventEntity } from './entities/outbox-event.entity';
import { TerminalEntity } from './entities/terminal.entity';
import { InitialSchema1764370000000 } from './migrations/1764370000000-initial-schema';
import { Webhooks1795909142983 } from './migrations/1795909142983-webhooks';
import { Providers1796000000000 } from './migrations/1796000000000-providers';
import { PaymentBatches1796100000000 } from './migrations/1796100000000-payment-batches';

const MIGRATION_LOCK_KEY = 7_346_201_001;

export const ENTITIES = [MerchantEntity, ApiKeyEntity, TerminalEntity, OperationEntity, IdempotencyKeyEntity, OutboxEventEntity];
export const MIGRATIONS = [InitialSchema1764370000000, Webhooks1795909142983, Providers1796000000000, PaymentBatches1796100000000];

export function createDataSource(url: string, poolSize = 10): DataSource {
  return new DataSource({
    type: 'postgres',
    url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    synchronize: false,
    migrationsRun: false,
    logging: ['error'],
    extra: { max: poolSize, connectionTimeoutMillis: 5000 },
  });
}

/** Creates the database named in `url` when it does not exist yet (a newcomer's first run). */
export async function ensureDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.replace(/^\//, ''));
  if (!name) return;
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const ds = new DataSource({ type: 'postgres', url: admin.toString() });
  await ds.initialize();
  try {
    const rows: unknown[] = await ds.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (rows.length === 0) await ds.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
  } catch (err) {
    // Two processes racing to create it: the loser sees a duplicate, which is the state it wanted.
    if (!(err instanceof Error && /already exists|duplicate/i.test(err.message))) throw err;
  } finally {
    await ds.destroy();
  }
}

export async function runMigrations(url: string): Promise<string[]> {
  await ensureDatabase(url);
  const ds = createDataSource(url, 3);
  await ds.initialize();
  // Several replicas may start at once: one migrates, the others wait and then find nothing to do.
  const lock = ds.createQueryRunner();
  await lock.connect();
  try {
    await lock.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    const ran = await ds.runMigrations({ transaction: 'each' });
    return ran.map((m) => m.name);
  } finally {
    await lock.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    await lock.release();
    await ds.destroy();
  }
}
