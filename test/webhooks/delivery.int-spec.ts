import { DeliveryView, verifyWebhook, WebhookSecretCipher, WebhookView } from '@app/webhooks';
import { Register } from '../support/e2e';
import { paid, registerFor, SECRET_KEY, startWebhookSystem, waitFor, WebhookSystem } from './webhooks.harness';

// Events reach subscribed receivers signed, complete, once acknowledged, and survive receivers
// that fail for a while and a Redis that loses its jobs.
describe('webhook deliveries', () => {
  let w: WebhookSystem;
  let shop: Register;
  let neighbour: Register;

  beforeAll(async () => {
    w = await startWebhookSystem();
    shop = await registerFor(w.sys, w.gw);
    neighbour = await registerFor(w.sys, w.gw);
  });
  afterAll(async () => w?.stop());

  const setEquals = (got: Set<string>, want: string[]) => got.size === want.length && want.every((id) => got.has(id)) ? true : undefined;

  it("delivers every event of the merchant, verified, only the types asked for, and no one else's", async () => {
    const all = await w.subscribe(shop, '/shop/all');
    await w.subscribe(shop, '/shop/approved', { types: ['payment.approved'] });
    await w.subscribe(neighbour, '/neighbour/all');
    const payments = [await paid(shop), await paid(shop, 99_000)];
    const theirs = await paid(neighbour);

    const shopEvents = await w.eventsOf(shop.merchantId);
    await waitFor(async () => setEquals(w.receiver.acknowledged('/shop/all'), await w.eventsOf(shop.merchantId)), {
      what: 'every event of the shop at /shop/all',
    });
    const approved = await w.eventsOf(shop.merchantId, ['payment.approved']);
    expect(approved).toHaveLength(2);
    await waitFor(() => setEquals(w.receiver.acknowledged('/shop/approved'), approved), { what: 'the approvals at /shop/approved' });
    await waitFor(async () => setEquals(w.receiver.acknowledged('/neighbour/all'), await w.eventsOf(neighbour.merchantId)), {
      what: "the neighbour's events",
    });

    expect(shopEvents.length).toBeGreaterThanOrEqual(4);
    const received = w.receiver.at('/shop/all');
    expect(received.every((r) => r.verified.ok)).toBe(true);
    expect(received.every((r) => r.webhookId === r.event.id && Number(r.timestamp) > 0)).toBe(true);
    expect(new Set(received.map((r) => r.event.subject))).toEqual(new Set(payments));
    expect(w.receiver.at('/shop/approved').map((r) => r.event.type)).toEqual(['payment.approved', 'payment.approved']);
    expect(w.receiver.at('/neighbour/all').every((r) => r.event.subject === theirs)).toBe(true);

    const log = await w.deliveries(shop, all.id);
    expect(log).toHaveLength(shopEvents.length);
    expect(log.every((d) => d.status === 'succeeded' && d.attempts === 1 && d.lastStatusCode === 200 && d.deliveredAt !== null)).toBe(true);
  });

  it('refuses a delivery whose body was tampered with, or that is replayed later, with the receivers\' helper', async () => {
    const genuine = w.receiver.at('/shop/all')[0];
    const secret = await secretOf('/shop/all');
    const headers = { 'webhook-id': genuine.webhookId, 'webhook-timestamp': genuine.timestamp, 'webhook-signature': genuine.signature };
    const at = new Date(Number(genuine.timestamp) * 1000);
    expect(verifyWebhook({ secret, headers, body: genuine.body, now: at })).toEqual({ ok: true });
    const tampered = genuine.body.replace(/("amount":\s*)\d+/, '$11');
    expect(tampered).not.toBe(genuine.body);
    expect(verifyWebhook({ secret, headers, body: tampered, now: at })).toEqual({
      ok: false,
      reason: 'bad_signature',
    });
    expect(verifyWebhook({ secret, headers, body: genuine.body, now: new Date(at.getTime() + 10 * 60_000) })).toEqual({ ok: false, reason: 'stale' });
  });

  it('gets everything to a receiver that fails for a while, then recovers', async () => {
    const { hook, expected } = await paymentTo('/shop/flaky', 500);
    await untilEveryDelivery(hook.id, expected.length, (d) => d.status === 'pending' && d.attempts >= 2, 'two failed attempts of every delivery');
    const failing = await w.deliveries(shop, hook.id);
    expect(failing.every((d) => d.lastStatusCode === 500 && d.lastError?.startsWith('answered 500') && d.nextAttemptAt !== null)).toBe(true);

    w.receiver.answer('/shop/flaky', 200);
    await waitFor(() => setEquals(w.receiver.acknowledged('/shop/flaky'), expected), { what: 'everything at /shop/flaky' });
    const log = await w.deliveries(shop, hook.id);
    expect(log.every((d) => d.status === 'succeeded' && d.attempts >= 3 && d.lastStatusCode === 200 && d.lastError === null)).toBe(true);
    const hookNow = await w.gw.call<{ status: string; failureStreak: number }>('GET', `/v1/webhooks/${hook.id}`, { key: shop.apiKey });
    expect(hookNow.body).toMatchObject({ status: 'active', failureStreak: 0 });
  });

  it('sends a delivery again when asked, with the same Webhook-Id', async () => {
    const hook = await w.subscribe(shop, '/shop/again', { types: ['payment.approved'] });
    await paid(shop);
    await waitFor(() => (w.receiver.acknowledged('/shop/again').size === 1 ? true : undefined), { what: 'the first delivery' });
    const [delivery] = await w.deliveries(shop, hook.id);
    const res = await w.gw.call<{ status: string }>('POST', `/v1/webhooks/${hook.id}/deliveries/${delivery.id}/redeliver`, { key: shop.apiKey });
    expect(res.status).toBe(202);
    expect(res.body.status).toBe('pending');
    await waitFor(() => (w.receiver.at('/shop/again').length === 2 ? true : undefined), { what: 'the second delivery' });
    const [first, second] = w.receiver.at('/shop/again');
    expect(second.webhookId).toBe(first.webhookId);
    expect(second.body).toBe(first.body);
    expect(second.verified).toEqual({ ok: true });
    await waitFor(async () => {
      const [again] = await w.deliveries(shop, hook.id);
      return again.status === 'succeeded' && again.attempts === 2 ? true : undefined;
    });
  });

  it('loses no delivery when Redis loses its jobs: pending deliveries are queued again from Postgres', async () => {
    const { hook, expected } = await paymentTo('/shop/outage', 503);
    await untilEveryDelivery(hook.id, expected.length, (d) => d.attempts >= 1, 'a failed attempt of every delivery');
    // The slowest retry now, so the jobs are sure to be waiting in Redis when it is flushed.
    await w.sys.db.dataSource.query(`UPDATE webhook_deliveries SET next_attempt_at = now() + interval '1 second' WHERE subscription_id = $1`, [hook.id]);
    const restoredBefore = await restoredJobs();
    await w.sys.redis.flush();
    w.receiver.answer('/shop/outage', 200);
    await waitFor(() => setEquals(w.receiver.acknowledged('/shop/outage'), expected), { what: 'everything at /shop/outage after the flush' });
    expect(await restoredJobs()).toBeGreaterThanOrEqual(restoredBefore + expected.length);
  });

  it('stops delivering, and forgets the log, once a webhook is deleted', async () => {
    const hook = await w.subscribe(shop, '/shop/deleted', {}, 500);
    await paid(shop);
    await waitFor(async () => ((await w.deliveries(shop, hook.id)).some((d) => d.attempts >= 2) ? true : undefined));
    expect((await w.gw.call('DELETE', `/v1/webhooks/${hook.id}`, { key: shop.apiKey })).status).toBe(204);
    // An attempt already on its way may still land; after that, nothing more comes.
    await new Promise((r) => setTimeout(r, 1000));
    const settled = w.receiver.at('/shop/deleted').length;
    await new Promise((r) => setTimeout(r, 1500));
    expect(w.receiver.at('/shop/deleted').length).toBe(settled);
    const [rows] = (await w.sys.db.dataSource.query('SELECT count(*)::int AS n FROM webhook_deliveries WHERE subscription_id = $1', [hook.id])) as {
      n: number;
    }[];
    expect(rows.n).toBe(0);
  });

  /** A new subscription at `path` answering `status`, and the events of one payment made after it. */
  async function paymentTo(path: string, status: number): Promise<{ hook: WebhookView; expected: string[] }> {
    const hook = await w.subscribe(shop, path, {}, status);
    const since = (await w.eventsOf(shop.merchantId)).length;
    await paid(shop);
    return { hook, expected: (await w.eventsOf(shop.merchantId)).slice(since) };
  }

  /** Waits until the webhook has `count` deliveries, every one of them as `ok` says. */
  async function untilEveryDelivery(webhookId: string, count: number, ok: (d: DeliveryView) => boolean, what: string): Promise<void> {
    await waitFor(
      async () => {
        const log = await w.deliveries(shop, webhookId);
        return log.length === count && log.every(ok) ? true : undefined;
      },
      { what },
    );
  }

  async function restoredJobs(): Promise<number> {
    return (await w.webhooks.runtime.metrics.restored.get()).values[0]?.value ?? 0;
  }

  async function secretOf(path: string): Promise<string> {
    const [row] = (await w.sys.db.dataSource.query('SELECT id, secret FROM webhook_subscriptions WHERE url LIKE $1', [`%${path}`])) as {
      id: string;
      secret: string;
    }[];
    return new WebhookSecretCipher(SECRET_KEY).open(row.id, row.secret);
  }
});
