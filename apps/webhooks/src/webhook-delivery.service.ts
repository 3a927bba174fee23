// One attempt of one delivery, and what it means for its subscription.
//
// An attempt first claims the delivery (it must be pending, due, and its subscription active): the
// claim moves `next_attempt_at` past the attempt's own timeout, so a duplicate job or the sweeper
// cannot send it twice at once. Then it signs the stored CloudEvent, POSTs it, and records the
// outcome in one transaction: the subscription's failure streak first, then the delivery's status
// and next attempt. A subscription is disabled, in that transaction, only once it has failed without
// a single success for `disableAfterMs` (never shorter than the retry window, 3 days by default)
// and at least `failureStreak` times: a `webhook.disabled` event is written to the outbox. Disabling
// drops no delivery early: the pending ones are held (no attempt while it is disabled) until their
// own retry window ends, when the sweeper marks them `abandoned`; enabled before that, they resume.
import { Logger, newId } from '@app/common';
import { CloudEvent, EVENT_SOURCE, WebhookEventType } from '@app/contracts';
import { OUTBOX_CHANNEL } from '@app/persistence';
import {
  signWebhook,
  toWebhookView,
  WEBHOOK_ID_HEADER,
  WEBHOOK_SIGNATURE_HEADER,
  WEBHOOK_TIMESTAMP_HEADER,
  WebhookRow,
  WebhookSecretCipher,
} from '@app/webhooks';
import { DataSource, EntityManager } from 'typeorm';
import { nextAttemptAt, RetryPolicy } from './retry.schedule';
import { SendOutcome, WebhookSender } from './webhook.sender';
import { WebhookMetrics } from './webhook.metrics';

export interface DeliverySettings {
  timeoutMs: number;
  retry: RetryPolicy;
  /**
   * How long a subscription must have failed without a single success before it is disabled; at
   * least the retry window, so no delivery's retries are cut short.
   */
  disableAfterMs: number;
  /** And the failed attempts in a row, across its deliveries, it must have made by then. */
  failureStreak: number;
}

/** `later`: the job should run again at `at` (epoch ms); `done`: nothing more to do for this job. */
export type AttemptOutcome = { kind: 'done' } | { kind: 'later'; at: number };

interface Claimed {
  id: string;
  subscription_id: string;
  event_id: string;
  attempts: number;
  created_at: Date;
  url: string;
  secret: string;
}

/** Past the attempt's timeout, so a claim outlives the attempt it covers. */
const CLAIM_MARGIN_MS = 30_000;
/** A job that woke a little early (clocks, rounding) waits at least this long before looking again. */
const MIN_WAIT_MS = 50;

export class WebhookDeliveryService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly sender: WebhookSender,
    private readonly cipher: WebhookSecretCipher,
    private readonly settings: DeliverySettings,
    private readonly logger: Logger,
    private readonly metrics?: WebhookMetrics,
    private readonly now: () => number = Date.now,
  ) {}

  async deliver(deliveryId: string): Promise<AttemptOutcome> {
    const claimed = await this.claim(deliveryId);
    if (!claimed) return this.notClaimed(deliveryId);
    const [stored] = (await this.dataSource.query('SELECT event::text AS body FROM outbox WHERE id = $1', [claimed.event_id])) as {
      body: string;
    }[];
    if (!stored) {
      return this.record(claimed, { ok: false, statusCode: null, error: `event ${claimed.event_id} is no longer stored` }, true);
    }
    // An unreadable secret is this deployment's fault, not the receiver's: the job fails and is
    // retried by BullMQ without counting against the subscription.
    const secret = this.cipher.open(claimed.subscription_id, claimed.secret);
    const timestamp = Math.floor(this.now() / 1000);
    const headers = {
      [WEBHOOK_ID_HEADER]: claimed.event_id,
      [WEBHOOK_TIMESTAMP_HEADER]: String(timestamp),
      [WEBHOOK_SIGNATURE_HEADER]: signWebhook(secret, claimed.event_id, timestamp, stored.body),
    };
    const stop = this.metrics?.attemptDuration.startTimer();
    const outcome = await this.sender.send(claimed.url, headers, stored.body);
    stop?.();
    this.metrics?.attempts.inc({ result: outcome.ok ? 'succeeded' : 'failed' });
    return this.record(claimed, outcome, false);
  }

  private async claim(deliveryId: string): Promise<Claimed | null> {
    const now = this.now();
    const [row] = (await this.dataSource.query(
      `WITH c AS (
         UPDATE webhook_deliveries d SET next_attempt_at = $3
           FROM webhook_subscriptions s
          WHERE d.id = $1 AND s.id = d.subscription_id AND d.status = 'pending' AND s.status = 'active'
            AND (d.next_attempt_at IS NULL OR d.next_attempt_at <= $2)
          RETURNING d.id, d.subscription_id, d.event_id, d.attempts, d.created_at, s.url, s.secret
       ) SELECT * FROM c`,
      [deliveryId, new Date(now), new Date(now + this.settings.timeoutMs + CLAIM_MARGIN_MS)],
    )) as Claimed[];
    return row ?? null;
  }

  /** Why a delivery could not be claimed decides what its job does. */
  private async notClaimed(deliveryId: string): Promise<AttemptOutcome> {
    const [row] = (await this.dataSource.query(
      `SELECT d.status, d.next_attempt_at, d.created_at, s.status AS subscription_status
         FROM webhook_deliveries d JOIN webhook_subscriptions s ON s.id = d.subscription_id WHERE d.id = $1`,
      [deliveryId],
    )) as { status: string; next_attempt_at: Date | null; created_at: Date; subscription_status: string }[];
    if (!row || row.status !== 'pending') return { kind: 'done' };
    if (row.subscription_status !== 'active') {
      // Held while its subscription is disabled: abandoned once its retry window is over (the
      // sweeper does it too), otherwise left pending for an enable to resume (the sweeper then
      // gives it a job again).
      const now = this.now();
      if (now - row.created_at.getTime() >= this.settings.retry.windowMs) await this.abandonHeld(deliveryId, now);
      return { kind: 'done' };
    }
    // Not due yet: an early job, or another attempt holds the claim.
    return { kind: 'later', at: Math.max(row.next_attempt_at?.getTime() ?? 0, this.now() + MIN_WAIT_MS) };
  }

  /** Marks a held delivery `abandoned`, unless an attempt holds its claim or its subscription is active again. */
  private async abandonHeld(deliveryId: string, now: number): Promise<void> {
    await this.dataSource.query(
      `UPDATE webhook_deliveries d SET status = 'abandoned', next_attempt_at = NULL
         FROM webhook_subscriptions s
        WHERE d.id = $1 AND s.id = d.subscription_id AND d.status = 'pending' AND s.status <> 'active'
          AND (d.next_attempt_at IS NULL OR d.next_attempt_at <= $2)`,
      [deliveryId, new Date(now)],
    );
  }

  private async record(claimed: Claimed, outcome: SendOutcome, final: boolean): Promise<AttemptOutcome> {
    const now = this.now();
    const at = new Date(now);
    const attempts = claimed.attempts + 1;
    return this.dataSource.transaction(async (m) => {
      if (outcome.ok) {
        await m.query(
          `UPDATE webhook_deliveries SET status = 'succeeded', attempts = $2, last_status_code = $3, last_error = NULL,
             last_attempt_at = $4, next_attempt_at = NULL, delivered_at = $4 WHERE id = $1`,
          [claimed.id, attempts, outcome.statusCode, at],
        );
        await m.query('UPDATE webhook_subscriptions SET failure_streak = 0, failing_since = NULL, last_success_at = $2 WHERE id = $1', [
          claimed.subscription_id,
          at,
        ]);
        return { kind: 'done' } as const;
      }
      // The subscription is updated first: its row lock orders this attempt against a concurrent
      // one that disables it, and the delivery is written after. A lost event is not the
      // receiver's failure. Whether or not the subscription is still active, the delivery keeps its
      // schedule: `pending` until its retry window is over (held, not attempted, while the
      // subscription is disabled; abandoned at the end of the window if it stays so), then `failed`.
      if (!final) await this.countFailure(m, claimed.subscription_id, now);
      const next = final ? null : nextAttemptAt(this.settings.retry, attempts, claimed.created_at.getTime(), now);
      // Only a delivery this attempt still holds is written: one the sweeper abandoned meanwhile
      // (its subscription disabled, its window over) stays abandoned.
      await m.query(
        `UPDATE webhook_deliveries SET status = $2, attempts = $3, last_status_code = $4, last_error = $5,
           last_attempt_at = $6, next_attempt_at = $7 WHERE id = $1 AND status = 'pending'`,
        [claimed.id, next === null ? 'failed' : 'pending', attempts, outcome.statusCode, outcome.error, at, next === null ? null : new Date(next)],
      );
      return next === null ? ({ kind: 'done' } as const) : ({ kind: 'later', at: next } as const);
    });
  }

  /**
   * Adds the failure to the subscription's streak and disables it once it has failed, without a
   * success, for the whole `disableAfterMs` and at least `failureStreak` times.
   */
  private async countFailure(m: EntityManager, subscriptionId: string, now: number): Promise<void> {
    const [sub] = (await m.query(
      `WITH u AS (
         UPDATE webhook_subscriptions SET failure_streak = failure_streak + 1, failing_since = COALESCE(failing_since, $2)
          WHERE id = $1 RETURNING status, failure_streak, failing_since
       ) SELECT * FROM u`,
      [subscriptionId, new Date(now)],
    )) as { status: string; failure_streak: number; failing_since: Date }[];
    if (!sub || sub.status !== 'active') return;
    const { failureStreak, disableAfterMs } = this.settings;
    if (now - sub.failing_since.getTime() < disableAfterMs || sub.failure_streak < failureStreak) return;
    await this.disable(m, subscriptionId, `no successful delivery since ${sub.failing_since.toISOString()} (${sub.failure_streak} failed attempts)`, now);
  }

  private async disable(m: EntityManager, subscriptionId: string, reason: string, now: number): Promise<void> {
    const [row] = (await m.query(
      `WITH u AS (
         UPDATE webhook_subscriptions SET status = 'disabled', disabled_at = $2, disabled_reason = $3
          WHERE id = $1 AND status = 'active' RETURNING *
       ) SELECT * FROM u`,
      [subscriptionId, new Date(now), reason],
    )) as WebhookRow[];
    if (!row) return;
    const event: CloudEvent = {
      specversion: '1.0',
      id: newId('evt'),
      source: EVENT_SOURCE,
      type: WebhookEventType.Disabled,
      time: new Date(now).toISOString(),
      subject: row.id,
      datacontenttype: 'application/json',
      data: { ...toWebhookView(row), merchantId: row.merchant_id },
    };
    await m.query('INSERT INTO outbox (id, type, subject, merchant_id, event) VALUES ($1, $2, $3, $4, $5::jsonb)', [
      event.id,
      event.type,
      event.subject,
      row.merchant_id,
      JSON.stringify(event),
    ]);
    await m.query('SELECT pg_notify($1, $2)', [OUTBOX_CHANNEL, '']);
    this.metrics?.disabled.inc();
    this.logger.warn({ webhookId: row.id, merchantId: row.merchant_id, reason }, 'webhook disabled');
  }
}
