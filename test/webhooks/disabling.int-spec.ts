import type { ProblemDetails } from '@app/contracts';
import type { DeliveryView, WebhookView } from '@app/webhooks';
import { Register } from '../support/e2e';
import { FAST_RETRIES, paid, registerFor, startWebhookSystem, waitFor, WebhookSystem } from './webhooks.harness';

// A receiver that keeps failing for a whole retry window gets its subscription disabled, and the
// merchant hears about it. Here the window and the time without a success that disables are 1.5 s
// (the default 3 days, with many events, are in outage.int-spec.ts).
const HORIZON = { ...FAST_RETRIES, WEBHOOK_RETRY_WINDOW_MS: 1500, WEBHOOK_DISABLE_AFTER_MS: 1500 };

describe('disabling failing webhooks', () => {
  let w: WebhookSystem;
  let shop: Register;

  beforeAll(async () => {
    w = await startWebhookSystem({ ...HORIZON, WEBHOOK_FAILURE_STREAK: 4 });
    shop = await registerFor(w.sys, w.gw);
  });
  afterAll(async () => w?.stop());

  const webhook = async (id: string) => (await w.gw.call<WebhookView>('GET', `/v1/webhooks/${id}`, { key: shop.apiKey })).body;
  const disabledEvents = async (id: string) =>
    (await w.sys.db.dataSource.query(`SELECT event FROM outbox WHERE type = 'webhook.disabled' AND subject = $1`, [id])) as {
      event: { data: Record<string, unknown> };
    }[];

  it('disables a webhook once it has failed for the whole retry window, ends its deliveries and publishes webhook.disabled', async () => {
    const watcher = await w.subscribe(shop, '/watch', { types: ['webhook.disabled'] });
    const dead = await w.subscribe(shop, '/dead', {}, 503);
    const started = Date.now();
    await paid(shop);

    const disabled = await waitFor(async () => {
      const hook = await webhook(dead.id);
      return hook.status === 'disabled' ? hook : undefined;
    });
    expect(Date.parse(String(disabled.disabledAt)) - started).toBeGreaterThanOrEqual(1500);
    expect(disabled.disabledReason).toMatch(/^no successful delivery since \d{4}-.+ \(\d+ failed attempts\)$/);
    expect(disabled.failureStreak).toBeGreaterThanOrEqual(4);
    // Every delivery ends: `failed` after its last attempt, at the end of its window; or, held once
    // the webhook was disabled, `abandoned` when its own window is over.
    const log = await waitFor(async () => {
      const all = await w.deliveries(shop, dead.id);
      return all.length > 0 && all.every((d) => d.status === 'failed' || d.status === 'abandoned') ? all : undefined;
    }, { what: 'every delivery of /dead ended' });
    const failed = log.filter((d) => d.status === 'failed');
    expect(failed.every((d) => Date.parse(String(d.lastAttemptAt)) - Date.parse(d.createdAt) >= 1500)).toBe(true);
    // Nothing is sent once they have ended.
    const attempts = w.receiver.at('/dead').length;
    expect(attempts).toBeGreaterThanOrEqual(4);
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect(w.receiver.at('/dead').length).toBe(attempts);

    const events = await disabledEvents(dead.id);
    expect(events).toHaveLength(1);
    expect(events[0].event.data).toMatchObject({ id: dead.id, status: 'disabled', merchantId: shop.merchantId, disabledReason: disabled.disabledReason });
    expect(JSON.stringify(events[0].event)).not.toContain('whsec_');
    await waitFor(() => (w.receiver.acknowledged('/watch').size === 1 ? true : undefined), { what: 'webhook.disabled at /watch' });
    const [heard] = w.receiver.at('/watch');
    expect(heard.event).toMatchObject({ type: 'webhook.disabled', subject: dead.id });
    expect(heard.verified).toEqual({ ok: true });
    expect((await w.deliveries(shop, watcher.id)).map((d) => d.eventType)).toEqual(['webhook.disabled']);
  });

  it('delivers nothing to a disabled webhook until it is enabled, then delivers new events again', async () => {
    const dead = (await w.gw.call<{ data: WebhookView[] }>('GET', '/v1/webhooks', { key: shop.apiKey })).body.data.find((h) => h.url.endsWith('/dead'));
    if (!dead) throw new Error('the dead webhook of the previous test is missing');
    const before = w.receiver.at('/dead').length;
    const ignored = await paid(shop);
    w.receiver.answer('/dead', 200);

    const [ended] = await w.deliveries(shop, dead.id);
    const refused = await w.gw.call<ProblemDetails>('POST', `/v1/webhooks/${dead.id}/deliveries/${ended.id}/redeliver`, { key: shop.apiKey });
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('WEBHOOK.DISABLED');

    const enabled = await w.gw.call<WebhookView>('POST', `/v1/webhooks/${dead.id}/enable`, { key: shop.apiKey });
    expect(enabled.body).toMatchObject({ status: 'active', failureStreak: 0, disabledAt: null });
    const fresh = await paid(shop);
    await waitFor(() => (w.receiver.at('/dead').some((r) => r.event.subject === fresh && r.event.type === 'payment.approved') ? true : undefined), {
      what: 'the new payment at /dead',
    });
    const got = w.receiver.at('/dead').slice(before);
    expect(got.every((r) => r.verified.ok)).toBe(true);
    expect(got.some((r) => r.event.subject === ignored)).toBe(false);

    const redelivered = await w.gw.call<DeliveryView>('POST', `/v1/webhooks/${dead.id}/deliveries/${ended.id}/redeliver`, { key: shop.apiKey });
    expect(redelivered.status).toBe(202);
    await waitFor(() => (w.receiver.acknowledged('/dead').has(ended.eventId) ? true : undefined), { what: 'the ended delivery, redelivered' });
  });

  it('does not disable a webhook short of the failure streak, however long it fails', async () => {
    await w.restartWebhooks({ ...HORIZON, WEBHOOK_FAILURE_STREAK: 10_000 });
    const slow = await w.subscribe(shop, '/slow', { types: ['payment.approved'] }, 500);
    await paid(shop);
    const [failed] = await waitFor(async () => {
      const log = await w.deliveries(shop, slow.id);
      return log.length === 1 && log[0].status === 'failed' ? log : undefined;
    }, { what: 'the delivery to /slow failed' });
    expect(failed.attempts).toBeGreaterThanOrEqual(4);
    const hook = await webhook(slow.id);
    expect(hook).toMatchObject({ status: 'active', failureStreak: failed.attempts, disabledAt: null });
    expect(await disabledEvents(slow.id)).toHaveLength(0);
  });
});
