import { MigrationInterface, QueryRunner } from 'typeorm';

/** Merchants, API keys, terminals, operations, idempotency keys and the outbox. */
export class InitialSchema1764370000000 implements MigrationInterface {
  name = 'InitialSchema1764370000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE merchants (
        id varchar(40) PRIMARY KEY,
        name varchar(200) NOT NULL,
        cuit varchar(13) NOT NULL UNIQUE,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE api_keys (
        id varchar(40) PRIMARY KEY,
        merchant_id varchar(40) NOT NULL REFERENCES merchants(id),
        key_hash char(64) NOT NULL UNIQUE,
        hint varchar(4) NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz
      )`);
    await q.query(`CREATE INDEX api_keys_merchant_idx ON api_keys (merchant_id)`);
    await q.query(`
      CREATE TABLE terminals (
        provider varchar(20) NOT NULL,
        terminal_id varchar(64) NOT NULL,
        merchant_id varchar(40) NOT NULL REFERENCES merchants(id),
        label varchar(100),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (provider, terminal_id)
      )`);
    await q.query(`CREATE INDEX terminals_merchant_idx ON terminals (merchant_id)`);
    await q.query(`
      CREATE TABLE operations (
        id varchar(40) PRIMARY KEY,
        type varchar(16) NOT NULL CHECK (type IN ('payment','reversal','refund','settlement')),
        status varchar(16) NOT NULL,
        merchant_id varchar(40) NOT NULL REFERENCES merchants(id),
        provider varchar(20) NOT NULL,
        terminal_ids jsonb NOT NULL,
        terminal_id varchar(64),
        amount bigint CHECK (amount IS NULL OR amount > 0),
        currency char(3),
        reference varchar(64),
        description varchar(100),
        request jsonb NOT NULL DEFAULT '{}'::jsonb,
        result jsonb NOT NULL DEFAULT '{}'::jsonb,
        totals jsonb,
        provider_id varchar(64),
        payment_id varchar(40) REFERENCES operations(id),
        reversal_id varchar(40),
        expires_at timestamptz,
        submitted_at timestamptz,
        cancel_reason varchar(16),
        final_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        version integer NOT NULL
      )`);
    await q.query(`CREATE INDEX operations_list_idx ON operations (merchant_id, type, created_at DESC, id DESC)`);
    await q.query(`CREATE INDEX operations_reference_idx ON operations (merchant_id, reference) WHERE reference IS NOT NULL`);
    await q.query(
      `CREATE INDEX operations_open_idx ON operations (type, updated_at)
         WHERE status NOT IN ('approved','rejected','cancelled','expired','failed')`,
    );
    await q.query(`CREATE INDEX operations_payment_idx ON operations (payment_id) WHERE payment_id IS NOT NULL`);
    await q.query(
      `CREATE INDEX operations_terminal_final_idx ON operations (merchant_id, terminal_id, final_at) WHERE final_at IS NOT NULL`,
    );
    await q.query(`
      CREATE TABLE idempotency_keys (
        merchant_id varchar(40) NOT NULL,
        key varchar(255) NOT NULL,
        command varchar(100) NOT NULL,
        request_hash char(64) NOT NULL,
        operation_id varchar(40) NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (merchant_id, key)
      )`);
    await q.query(`CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at)`);
    await q.query(`
      CREATE TABLE outbox (
        seq bigserial PRIMARY KEY,
        id varchar(40) NOT NULL UNIQUE,
        type varchar(64) NOT NULL,
        subject varchar(40) NOT NULL,
        merchant_id varchar(40) NOT NULL,
        event jsonb NOT NULL,
        position bigint UNIQUE,
        published_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX outbox_unpublished_idx ON outbox (seq) WHERE position IS NULL`);
    await q.query(`CREATE INDEX outbox_merchant_position_idx ON outbox (merchant_id, position) WHERE position IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['outbox', 'idempotency_keys', 'operations', 'terminals', 'api_keys', 'merchants']) {
      await q.query(`DROP TABLE IF EXISTS ${table}`);
    }
  }
}
