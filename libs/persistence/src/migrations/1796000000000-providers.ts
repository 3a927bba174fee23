import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * More providers behind one API: a Klio SmartPos terminal names the device its tasks go to
 * (`device_id`), and a payment keeps the amount already given back (`reversed_amount`), so a
 * provider that allows partial reversals can take several, never more than the payment.
 */
export class Providers1796000000000 implements MigrationInterface {
  name = 'Providers1796000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE terminals ADD COLUMN device_id varchar(64)`);
    await q.query(`ALTER TABLE terminals ADD CONSTRAINT terminals_klio_device CHECK (provider <> 'klio' OR device_id IS NOT NULL)`);
    await q.query(`CREATE UNIQUE INDEX terminals_klio_device_idx ON terminals (device_id) WHERE provider = 'klio'`);
    await q.query(`ALTER TABLE operations ADD COLUMN reversed_amount bigint NOT NULL DEFAULT 0 CHECK (reversed_amount >= 0)`);
    await q.query(`ALTER TABLE operations ADD CONSTRAINT operations_reversed_within_amount CHECK (amount IS NULL OR reversed_amount <= amount)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE operations DROP CONSTRAINT operations_reversed_within_amount`);
    await q.query(`ALTER TABLE operations DROP COLUMN reversed_amount`);
    await q.query(`DROP INDEX terminals_klio_device_idx`);
    await q.query(`ALTER TABLE terminals DROP CONSTRAINT terminals_klio_device`);
    await q.query(`ALTER TABLE terminals DROP COLUMN device_id`);
  }
}
