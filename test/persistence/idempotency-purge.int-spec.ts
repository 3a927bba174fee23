// Keys past their 30-day window are deleted in batches; keys inside it, which still replay their
// command, stay.
import { IDEMPOTENCY_WINDOW_DAYS, purgeIdempotencyKeys } from '@app/persistence';
import { createTestDatabase, TestDatabase } from '@app/testing';

describe('purgeIdempotencyKeys on Postgres', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase();
    await db.dataSource.query(`INSERT INTO merchants (id, name, cuit) VALUES ('mer_1', 'Kiosco', '30-71234567-8')`);
  });
  afterAll(async () => db.drop());

  async function key(name: string, ageDays: number): Promise<void> {
    await db.dataSource.query(
      `INSERT INTO idempotency_keys (merchant_id, key, command, request_hash, operation_id, created_at)
       VALUES ('mer_1', $1::varchar, 'POST /v1/payments', repeat('a', 64), 'pay_' || $1::varchar, now() - make_interval(days => $2::int))`,
      [name, ageDays],
    );
  }
  const keys = async () =>
    ((await db.dataSource.query(`SELECT key FROM idempotency_keys ORDER BY key`)) as { key: string }[]).map((r) => r.key);

  it('deletes every key past the window, a batch at a time, and keeps the ones inside it', async () => {
    for (let i = 0; i < 5; i++) await key(`old-${i}`, IDEMPOTENCY_WINDOW_DAYS + 1 + i);
    await key('last-day', IDEMPOTENCY_WINDOW_DAYS - 1);
    await key('today', 0);

    expect(await purgeIdempotencyKeys(db.dataSource, 2)).toBe(5);
    expect(await keys()).toEqual(['last-day', 'today']);
    expect(await purgeIdempotencyKeys(db.dataSource, 2)).toBe(0);
  });
});
