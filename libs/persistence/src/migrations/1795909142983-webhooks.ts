import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Webhook subscriptions per merchant and their deliveries (one row per subscription and event; the
 * event itself stays in the outbox). `secret` is what signs deliveries: encrypted when the apps have
 * WEBHOOK_SECRET_KEY, as is otherwise (its prefix says which).
 */
export class Webhooks1795909142983 implements MigrationInterface {
  name = 'Webhooks1795909142983';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE webhook_subscriptions (
        id varchar(40) PRIMARY KEY,
        merchant_id varchar(40) NOT NULL REFERENCES merchants(id),
        url varchar(2048) NOT NULL,
        types jsonb,
        description varchar(200),
        secret text NOT NULL,
        status varchar(16) NOT NULL DEFAULT 'active' CHECK (status IN ('active','disabled')),
        failure_streak integer NOT NULL DEFAULT 0,
        failing_since timestamptz,
        last_success_at timestamptz,
        disabled_at timestamptz,
        disabled_reason varchar(200),
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX webhook_subscriptions_list_idx ON webhook_subscriptions (merchant_id, created_at DESC, id DESC)`);
    await q.query(`
      CREATE TABLE webhook_deliveries (
        id varchar(40) PRIMARY KEY,
        subscription_id varchar(40) NOT NULL REFERENCES webhook_subscriptions(id) ON DELETE CASCADE,
        event_id varchar(40) NOT NULL,
        event_type varchar(64) NOT NULL,
        status varchar(16) NOT NULL DEFAULT 'pending' CHECK (status IN ('pending','succeeded','failed','abandoned')),
        attempts integer NOT NULL DEFAULT 0,
        last_status_code integer,
        last_error varchar(500),
        last_attempt_at timestamptz,
        next_attempt_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        delivered_at timestamptz,
        UNIQUE (subscription_id, event_id)
      )`);
    await q.query(`CREATE INDEX webhook_deliveries_log_idx ON webhook_deliveries (subscription_id, created_at DESC, id DESC)`);
    await q.query(`CREATE INDEX webhook_deliveries_pending_idx ON webhook_deliveries (id) WHERE status = 'pending'`);
    await q.query(`CREATE INDEX webhook_deliveries_event_idx ON webhook_deliveries (event_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS webhook_deliveries`);
    await q.query(`DROP TABLE IF EXISTS webhook_subscriptions`);
  }
}
