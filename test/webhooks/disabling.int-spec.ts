import type { ProblemDetails } from '@app/contracts';
import type { DeliveryView, WebhookView } from '@app/webhooks';
import { Register } from '../support/e2e';
import { FAST_RETRIES, paid, registerFor, startWebhookSystem, waitFor, WebhookSystem } from './webhooks.harness';

// A receiver that keeps failing gets its subscription disabled, and the merchant hears about it.
describe('disabling failing webhooks', () => {
  let w: WebhookSystem;
  let shop: Register;

  beforeAll(async () => {
    w = await startWebhookSystem({ ...FAST_RETRIES, WEBHOOK_FAILURE_STREAK: 4 });
    shop = await registerFor(w.sys, w.gw);
  });
  afterAll(async () => w?.stop());

  const webhook = async (id: string) => (await w.gw.call<WebhookView>('GET', `/v1/webhooks/${id}`, { key: shop.apiKey })).body;
  const disabledEvents = async (id: string) =>
    (await w.sys.db.dataSource.query(`SELECT event FROM outbox WHERE type = 'webhook.disabled' AND subject = $1`, [id])) as {
      event: { data: Record<string, unknown> };
    }[];

  it('disables a webhook after a streak of failed attempts, abandons its deliveries and publishes webhook.disabled', async () => {
    const watcher = await w.subscribe(shop, '/watch', { types: ['webhook.disabled'] });
    const dead = await w.subscribe(shop, '/dead', {}, 503);
    await paid(shop);

    const disabled = await waitFor(async () => {
      const hook = await webhook(dead.id);
      return hook.status === 'disabled' ? hook : undefined;
    });
    expect(disabled).toMatchObject({ disabledAt: expect.any(String), disabledReason: '4 failed attempts in a row' });
    const log = await w.deliveries(shop, dead.id);
    expect(log.length).toBeGreaterThan(0);
    // Attempts already under way when it was disabled (one per delivery at most) still land.
    expect(w.receiver.at('/dead').length).toBeGreaterThanOrEqual(4);
    expect(w.receiver.at('/dead').length).toBeLessThanOrEqual(4 + log.length);
    expect(log.some((d) => d.status === 'pending')).toBe(false);
    expect(log.filter((d) => d.status === 'abandoned').length).toBeGreaterThan(0);

    const events = await disabledEvents(dead.id);
    expect(events).toHaveLength(1);
    expect(events[0].event.data).toMatchObject({ id: dead.id, status: 'disabled', merchantId: shop.merchantId, disabledReason: '4 failed attempts in a row' });
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

    const [abandoned] = await w.deliveries(shop, dead.id);
    const refused = await w.gw.call<ProblemDetails>('POST', `/v1/webhooks/${dead.id}/deliveries/${abandoned.id}/redeliver`, { key: shop.apiKey });
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

    const redelivered = await w.gw.call<DeliveryView>('POST', `/v1/webhooks/${dead.id}/deliveries/${abandoned.id}/redeliver`, { key: shop.apiKey });
    expect(redelivered.status).toBe(202);
    await waitFor(() => (w.receiver.acknowledged('/dead').has(abandoned.eventId) ? true : undefined), { what: 'the abandoned delivery, redelivered' });
  });

  it('disables a webhook that has not succeeded for the configured time, whatever its streak', async () => {
    await w.restartWebhooks({ ...FAST_RETRIES, WEBHOOK_FAILURE_STREAK: 10_000, WEBHOOK_DISABLE_AFTER_MS: 1500 });
    const slow = await w.subscribe(shop, '/slow', { types: ['payment.approved'] }, 500);
    const started = Date.now();
    await paid(shop);
    const disabled = await waitFor(async () => {
      const hook = await webhook(slow.id);
      return hook.status === 'disabled' ? hook : undefined;
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(1500);
    expect(disabled.disabledReason).toMatch(/^no successful delivery since \d{4}-/);
    expect(disabled.failureStreak).toBeGreaterThan(1);
    expect(await disabledEvents(slow.id)).toHaveLength(1);
  });
});
