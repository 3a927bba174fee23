import { createLogger, newId } from '@app/common';
import { createTestDatabase, createTestRedis, TestDatabase, TestRedis } from '@app/testing';
import { createDeliveryQueue, WebhookSecretCipher } from '@app/webhooks';
import { Queue } from 'bullmq';
import { WebhookDeliveryService } from '../../apps/webhooks/src/webhook-delivery.service';
import { DeliverySweeper } from '../../apps/webhooks/src/webhook-delivery.sweeper';
import type { SendOutcome, WebhookSender } from '../../apps/webhooks/src/webhook.sender';
import { deliverySettingsOf, loadWebhooksConfig } from '../../apps/webhooks/src/webhooks.config';

// A receiver down for days, with the default settings and a clock the test moves: the webhook
// stays active and every delivery keeps its schedule for the whole 3-day retry window, however many
// events arrive; only after that horizon, with no success at all, is it disabled. Its pending
// deliveries are then held, never attempted, and only abandoned once their own window is over;
// enabled before that, they go out.
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

interface DeliveryRow {
  id: string;
  status: string;
  attempts: number;
  created_at: Date;
  next_attempt_at: Date | null;
}

describe('webhooks through a receiver outage of days, with the default settings', () => {
  const config = loadWebhooksConfig({});
  const settings = deliverySettingsOf(config);
  const logger = createLogger('webhooks-outage-test', 'silent');
  const t0 = Date.parse('2026-03-02T12:00:00.000Z');
  let clock = t0;
  let answer: SendOutcome = { ok: false, statusCode: 503, error: 'answered 503: down for maintenance' };
  const sent: string[] = [];
  const sender = {
    send: async (_url: string, headers: Record<string, string>) => {
      sent.push(headers['Webhook-Id']);
      return answer;
    },
  } as unknown as WebhookSender;
  /** Delivery id → when its job is due: what BullMQ would do, on the test's clock. */
  const jobs = new Map<string, number>();
  let db: TestDatabase;
  let redis: TestRedis;
  let queue: Queue;
  let deliveries: WebhookDeliveryService;
  let sweeper: DeliverySweeper;
  let earlyAbandons = 0;
  const hookId = 'whk_outage';

  beforeAll(async () => {
    [db, redis] = await Promise.all([createTestDatabase(), createTestRedis()]);
    queue = createDeliveryQueue(redis.client, redis.prefix);
    deliveries = new WebhookDeliveryService(db.dataSource, sender, new WebhookSecretCipher(undefined), settings, logger, undefined, () => clock);
    sweeper = new DeliverySweeper(db.dataSource, queue, { intervalMs: 1000, retryWindowMs: config.WEBHOOK_RETRY_WINDOW_MS, logger, now: () => clock });
    await db.dataSource.query(`INSERT INTO merchants (id, name, cuit) VALUES ('mer_1', 'Kiosco', '30-71234567-8')`);
    await db.dataSource.query(
      `INSERT INTO webhook_subscriptions (id, merchant_id, url, secret, created_at) VALUES ($1, 'mer_1', 'https://erp.example.com/hook', 'plain:whsec_test', $2)`,
      [hookId, new Date(t0 - DAY)],
    );
  });
  afterAll(async () => {
    await queue?.close();
    await redis?.close();
    await db?.drop();
  });

  /** An event of the merchant and its delivery, created now, due at once. */
  async function publish(): Promise<void> {
    const eventId = newId('evt');
    const event = { specversion: '1.0', id: eventId, source: 'urn:ecr-bridge', type: 'payment.approved', subject: 'pay_1', time: new Date(clock).toISOString(), data: {} };
    await db.dataSource.query(`INSERT INTO outbox (id, type, subject, merchant_id, event) VALUES ($1, 'payment.approved', 'pay_1', 'mer_1', $2::jsonb)`, [
      eventId,
      JSON.stringify(event),
    ]);
    const id = newId('dlv');
    await db.dataSource.query(
      `INSERT INTO webhook_deliveries (id, subscription_id, event_id, event_type, next_attempt_at, created_at) VALUES ($1, $2, $3, 'payment.approved', $4, $4)`,
      [id, hookId, eventId, new Date(clock)],
    );
    jobs.set(id, clock);
  }

  /** Runs every job due until `until`, in time order, moving the clock; checks after each one that nothing was abandoned early. */
  async function runUntil(until: number): Promise<void> {
    for (;;) {
      let next: [string, number] | undefined;
      for (const job of jobs) if (job[1] <= until && (!next || job[1] < next[1])) next = job;
      if (!next) break;
      clock = Math.max(clock, next[1]);
      const outcome = await deliveries.deliver(next[0]);
      if (outcome.kind === 'later') jobs.set(next[0], outcome.at);
      else jobs.delete(next[0]);
      await countEarlyAbandons();
    }
    clock = Math.max(clock, until);
  }

  async function countEarlyAbandons(): Promise<void> {
    const [row] = (await db.dataSource.query(`SELECT count(*)::int AS n FROM webhook_deliveries WHERE status = 'abandoned' AND created_at > $1`, [
      new Date(clock - settings.retry.windowMs),
    ])) as { n: number }[];
    earlyAbandons = Math.max(earlyAbandons, row.n);
  }

  const hook = async () =>
    ((await db.dataSource.query('SELECT * FROM webhook_subscriptions WHERE id = $1', [hookId])) as {
      status: string;
      failure_streak: number;
      failing_since: Date | null;
      disabled_at: Date | null;
      disabled_reason: string | null;
    }[])[0];
  const log = async () => (await db.dataSource.query('SELECT * FROM webhook_deliveries ORDER BY created_at, id')) as DeliveryRow[];
  const disabledEvents = async () => (await db.dataSource.query(`SELECT event FROM outbox WHERE type = 'webhook.disabled'`)) as { event: { subject: string } }[];

  it('uses a 3-day retry window and disables only after 3 days without a success', () => {
    expect(settings.retry.windowMs).toBe(3 * DAY);
    expect(settings.disableAfterMs).toBeGreaterThanOrEqual(settings.retry.windowMs);
  });

  it('keeps the webhook active and every delivery scheduled while 70 events meet a receiver down for almost 3 days', async () => {
    // A busy hour: an event a minute (more failed attempts in the first 40 minutes than any streak
    // limit of 50), then an event every 6 hours.
    for (let i = 0; i < 60; i++) {
      await runUntil(t0 + i * MINUTE);
      await publish();
    }
    for (let k = 1; k <= 11; k++) {
      await runUntil(t0 + k * 6 * HOUR);
      await publish();
    }
    await runUntil(t0 + 3 * DAY - MINUTE);
    await sweeper.abandonExpired();

    const now = await hook();
    expect(now.status).toBe('active');
    expect(now.failure_streak).toBeGreaterThan(500);
    expect(now.failing_since).toEqual(new Date(t0));
    const rows = await log();
    expect(rows).toHaveLength(71);
    expect(rows.filter((d) => d.status !== 'pending')).toEqual([]);
    expect(rows.every((d) => d.next_attempt_at !== null && d.next_attempt_at.getTime() > clock - MINUTE)).toBe(true);
    // The first hour's deliveries have been tried all along: 10 s, 1 min, 5 min, 30 min, 2 h, 6 h, then every 12 h.
    expect(Math.min(...rows.slice(0, 60).map((d) => d.attempts))).toBeGreaterThanOrEqual(10);
    expect(await disabledEvents()).toEqual([]);
    expect(earlyAbandons).toBe(0);
  });

  it('disables it after the 3 days without a success, holding the deliveries still inside their window', async () => {
    await runUntil(t0 + 3 * DAY + 15 * HOUR);
    const disabled = await hook();
    expect(disabled.status).toBe('disabled');
    expect(disabled.disabled_at!.getTime()).toBeGreaterThanOrEqual(t0 + 3 * DAY);
    expect(disabled.disabled_reason).toMatch(/^no successful delivery since 2026-03-02T12:00:00\.000Z \(\d+ failed attempts\)$/);
    expect((await disabledEvents()).map((e) => e.event.subject)).toEqual([hookId]);

    await sweeper.abandonExpired();
    const rows = await log();
    const inWindow = rows.filter((d) => d.created_at.getTime() > clock - settings.retry.windowMs);
    const outOfWindow = rows.filter((d) => d.created_at.getTime() <= clock - settings.retry.windowMs);
    expect(inWindow.length).toBeGreaterThan(0);
    expect(inWindow.every((d) => d.status === 'pending')).toBe(true);
    expect(outOfWindow.every((d) => d.status === 'failed' || d.status === 'abandoned')).toBe(true);
    expect(earlyAbandons).toBe(0);

    // Held: nothing is sent while it is disabled, however long.
    const before = sent.length;
    for (const d of inWindow) jobs.set(d.id, clock);
    await runUntil(clock + 12 * HOUR);
    expect(sent.length).toBe(before);
    await sweeper.abandonExpired();
    expect((await log()).filter((d) => d.status === 'pending').map((d) => d.id)).toEqual(
      inWindow.filter((d) => d.created_at.getTime() > clock - settings.retry.windowMs).map((d) => d.id),
    );
    expect(earlyAbandons).toBe(0);
  });

  it('sends the held deliveries once it is enabled within their window', async () => {
    await sweeper.abandonExpired();
    const held = (await log()).filter((d) => d.status === 'pending');
    expect(held.length).toBeGreaterThan(0);
    // POST /v1/webhooks/{id}/enable, as the gateway does it.
    await db.dataSource.query(
      `UPDATE webhook_subscriptions SET status = 'active', failure_streak = 0, failing_since = NULL, disabled_at = NULL, disabled_reason = NULL WHERE id = $1`,
      [hookId],
    );
    answer = { ok: true, statusCode: 204, error: null };
    // The sweeper gives the held deliveries a job again.
    await sweeper.sweepOnce();
    const queued = await queue.getJobs(['waiting', 'delayed']);
    expect(queued.map((j) => j.id).sort()).toEqual(held.map((d) => d.id).sort());
    for (const job of queued) jobs.set(String(job.id), clock);
    await runUntil(clock + MINUTE);
    const after = await log();
    expect(after.filter((d) => held.some((h) => h.id === d.id)).every((d) => d.status === 'succeeded')).toBe(true);
    expect(after.filter((d) => d.status === 'pending')).toEqual([]);
    expect((await hook()).status).toBe('active');
    expect(earlyAbandons).toBe(0);
  });

  it('abandons held deliveries only once their own window is over, when the webhook stays disabled', async () => {
    answer = { ok: false, statusCode: 503, error: 'answered 503: down again' };
    const start = clock;
    await publish();
    await runUntil(start + MINUTE);
    // Disabled meanwhile (say by another delivery of it, long failing): this one is held.
    await db.dataSource.query(`UPDATE webhook_subscriptions SET status = 'disabled', disabled_at = $2, disabled_reason = 'test' WHERE id = $1`, [
      hookId,
      new Date(clock),
    ]);
    const [young] = (await log()).filter((d) => d.status === 'pending');
    expect(young.created_at.getTime()).toBe(start);
    for (const at of [start + HOUR, start + DAY, start + 3 * DAY - MINUTE]) {
      jobs.set(young.id, at);
      await runUntil(at);
      expect(await sweeper.abandonExpired()).toBe(0);
      expect((await log()).find((d) => d.id === young.id)?.status).toBe('pending');
    }
    await runUntil(start + 3 * DAY);
    expect(await sweeper.abandonExpired()).toBe(1);
    expect((await log()).find((d) => d.id === young.id)).toMatchObject({ status: 'abandoned', next_attempt_at: null });
    expect(earlyAbandons).toBe(0);
  });
});
