import type { ProblemDetails } from '@app/contracts';
import type { DeliveryView, WebhookView } from '@app/webhooks';
import { Gateway, startGateway } from '../gateway/gateway.harness';

type Created = WebhookView & { secret: string };
type Page<T> = { data: T[]; nextCursor: string | null };

const SECRET_KEY = 'test-webhook-secret-key-0123456789abcdef';

describe('webhook subscriptions API', () => {
  let gw: Gateway;
  let merchant: { id: string; apiKey: string };
  let other: { id: string; apiKey: string };
  const previousKey = process.env.WEBHOOK_SECRET_KEY;

  beforeAll(async () => {
    process.env.WEBHOOK_SECRET_KEY = SECRET_KEY;
    gw = await startGateway();
    merchant = await gw.createMerchant();
    other = await gw.createMerchant();
  });
  afterAll(async () => {
    if (previousKey === undefined) delete process.env.WEBHOOK_SECRET_KEY;
    else process.env.WEBHOOK_SECRET_KEY = previousKey;
    await gw.close();
  });

  const create = (body: unknown, key = merchant.apiKey) => gw.request<Created & Pick<ProblemDetails, 'code' | 'errors'>>('POST', '/v1/webhooks', { key, body });
  const subscriptions = async () =>
    ((await gw.db.dataSource.query('SELECT count(*)::int AS n FROM webhook_subscriptions')) as { n: number }[])[0].n;

  it('subscribes a URL and shows its secret only in the answer to the create', async () => {
    const res = await create({ url: 'https://hooks.example.com/ecr', types: ['payment.approved', 'webhook.disabled'], description: 'Caja central' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      id: expect.stringMatching(/^whk_/),
      url: 'https://hooks.example.com/ecr',
      types: ['payment.approved', 'webhook.disabled'],
      description: 'Caja central',
      status: 'active',
      failureStreak: 0,
      disabledAt: null,
      createdAt: expect.any(String),
    });
    expect(res.body.secret).toMatch(/^whsec_/);

    const read = await gw.request<WebhookView>('GET', `/v1/webhooks/${res.body.id}`, { key: merchant.apiKey });
    expect(read.status).toBe(200);
    expect(read.body).toEqual(Object.fromEntries(Object.entries(res.body).filter(([k]) => k !== 'secret')));
    expect(read.text).not.toContain(res.body.secret);
    const listed = await gw.request<Page<WebhookView>>('GET', '/v1/webhooks', { key: merchant.apiKey });
    expect(listed.text).not.toContain(res.body.secret);
  });

  it('stores the secret encrypted when WEBHOOK_SECRET_KEY is set', async () => {
    const res = await create({ url: 'https://hooks.example.com/secret' });
    const [row] = (await gw.db.dataSource.query('SELECT secret FROM webhook_subscriptions WHERE id = $1', [res.body.id])) as { secret: string }[];
    expect(row.secret).toMatch(/^aesgcm:/);
    expect(row.secret).not.toContain(res.body.secret.slice('whsec_'.length));
  });

  it('takes a subscription without types as one for every event type', async () => {
    const res = await create({ url: 'http://10.0.0.5:8080/hooks' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ types: null, description: null });
  });

  it('lists the merchant\'s own webhooks, newest first, page by page', async () => {
    const mine = [];
    for (let i = 0; i < 3; i++) mine.push((await create({ url: `https://hooks.example.com/page/${i}` })).body.id);
    await create({ url: 'https://hooks.example.com/theirs' }, other.apiKey);
    const seen: string[] = [];
    let cursor: string | null = '';
    while (cursor !== null) {
      const res: { status: number; body: Page<WebhookView> } = await gw.request<Page<WebhookView>>(
        'GET',
        `/v1/webhooks?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
        { key: merchant.apiKey },
      );
      expect(res.status).toBe(200);
      expect(res.body.data.length).toBeLessThanOrEqual(2);
      seen.push(...res.body.data.map((w) => w.id));
      cursor = res.body.nextCursor;
    }
    expect(seen.slice(0, 3)).toEqual([...mine].reverse());
    const [row] = (await gw.db.dataSource.query('SELECT count(*)::int AS n FROM webhook_subscriptions WHERE merchant_id = $1', [merchant.id])) as {
      n: number;
    }[];
    expect(seen).toHaveLength(row.n);
  });

  it('deletes a webhook: 204, then 404 WEBHOOK.NOT_FOUND', async () => {
    const { body } = await create({ url: 'https://hooks.example.com/gone' });
    const deleted = await gw.request('DELETE', `/v1/webhooks/${body.id}`, { key: merchant.apiKey });
    expect(deleted.status).toBe(204);
    expect(deleted.text).toBe('');
    const again = await gw.request<ProblemDetails>('DELETE', `/v1/webhooks/${body.id}`, { key: merchant.apiKey });
    expect(again.status).toBe(404);
    expect(again.body.code).toBe('WEBHOOK.NOT_FOUND');
    expect((await gw.request('GET', `/v1/webhooks/${body.id}`, { key: merchant.apiKey })).status).toBe(404);
  });

  it("answers 404 WEBHOOK.NOT_FOUND for another merchant's webhook on every route, and changes nothing", async () => {
    const { body } = await create({ url: 'https://hooks.example.com/private' });
    await gw.db.dataSource.query(`UPDATE webhook_subscriptions SET status = 'disabled', disabled_at = now() WHERE id = $1`, [body.id]);
    await gw.db.dataSource.query(
      `INSERT INTO webhook_deliveries (id, subscription_id, event_id, event_type, status, attempts) VALUES ('dlv_t1', $1, 'evt_t1', 'payment.approved', 'failed', 3)`,
      [body.id],
    );
    for (const [method, path] of [
      ['GET', `/v1/webhooks/${body.id}`],
      ['DELETE', `/v1/webhooks/${body.id}`],
      ['POST', `/v1/webhooks/${body.id}/enable`],
      ['GET', `/v1/webhooks/${body.id}/deliveries`],
      ['POST', `/v1/webhooks/${body.id}/deliveries/dlv_t1/redeliver`],
    ]) {
      const res = await gw.request<ProblemDetails>(method, path, { key: other.apiKey });
      expect([method, path, res.status, res.body.code]).toEqual([method, path, 404, 'WEBHOOK.NOT_FOUND']);
      expect(res.text).not.toContain('hooks.example.com');
    }
    const [row] = (await gw.db.dataSource.query(
      `SELECT s.status, d.status AS delivery FROM webhook_subscriptions s JOIN webhook_deliveries d ON d.subscription_id = s.id WHERE s.id = $1`,
      [body.id],
    )) as { status: string; delivery: string }[];
    expect(row).toEqual({ status: 'disabled', delivery: 'failed' });
  });

  it('answers 401 without a merchant key and 403 to the admin key', async () => {
    expect((await gw.request('GET', '/v1/webhooks', { key: null })).status).toBe(401);
    const asAdmin = await gw.request<ProblemDetails>('POST', '/v1/webhooks', { key: gw.adminKey, body: { url: 'https://x.example.com' } });
    expect(asAdmin.status).toBe(403);
  });

  it('refuses to redeliver on a disabled webhook until it is enabled again', async () => {
    const { body } = await create({ url: 'https://hooks.example.com/disabled' });
    await gw.db.dataSource.query(
      `UPDATE webhook_subscriptions SET status = 'disabled', disabled_at = now(), disabled_reason = 'test', failure_streak = 7 WHERE id = $1`,
      [body.id],
    );
    await gw.db.dataSource.query(
      `INSERT INTO webhook_deliveries (id, subscription_id, event_id, event_type, status, attempts, last_status_code)
       VALUES ('dlv_t2', $1, 'evt_t2', 'payment.approved', 'abandoned', 2, 500)`,
      [body.id],
    );
    const refused = await gw.request<ProblemDetails>('POST', `/v1/webhooks/${body.id}/deliveries/dlv_t2/redeliver`, { key: merchant.apiKey });
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('WEBHOOK.DISABLED');

    const enabled = await gw.request<WebhookView>('POST', `/v1/webhooks/${body.id}/enable`, { key: merchant.apiKey });
    expect(enabled.status).toBe(200);
    expect(enabled.body).toMatchObject({ status: 'active', failureStreak: 0, disabledAt: null, disabledReason: null });

    const queued = await gw.request<DeliveryView>('POST', `/v1/webhooks/${body.id}/deliveries/dlv_t2/redeliver`, { key: merchant.apiKey });
    expect(queued.status).toBe(202);
    expect(queued.body).toMatchObject({ id: 'dlv_t2', webhookId: body.id, status: 'pending', attempts: 2, nextAttemptAt: expect.any(String) });
    const job = await gw.redis.client.hget(`${gw.redis.prefix}:webhook-deliveries:dlv_t2`, 'name');
    expect(job).toBe('webhook.deliver');
  });

  it('answers 404 for a delivery that is not of that webhook', async () => {
    const a = (await create({ url: 'https://hooks.example.com/a' })).body;
    const b = (await create({ url: 'https://hooks.example.com/b' })).body;
    await gw.db.dataSource.query(
      `INSERT INTO webhook_deliveries (id, subscription_id, event_id, event_type, status) VALUES ('dlv_t3', $1, 'evt_t3', 'payment.approved', 'succeeded')`,
      [a.id],
    );
    const res = await gw.request<ProblemDetails>('POST', `/v1/webhooks/${b.id}/deliveries/dlv_t3/redeliver`, { key: merchant.apiKey });
    expect(res.status).toBe(404);
    expect(res.body.code).toBe('WEBHOOK.NOT_FOUND');
    const [row] = (await gw.db.dataSource.query(`SELECT status FROM webhook_deliveries WHERE id = 'dlv_t3'`)) as { status: string }[];
    expect(row.status).toBe('succeeded');
  });

  it('pages the delivery log newest first and filters it by status', async () => {
    const { body } = await create({ url: 'https://hooks.example.com/log' });
    for (let i = 0; i < 5; i++) {
      await gw.db.dataSource.query(
        `INSERT INTO webhook_deliveries (id, subscription_id, event_id, event_type, status, attempts, created_at)
         VALUES ($1, $2, $3, 'payment.approved', $4, 1, now() - ($5 || ' seconds')::interval)`,
        [`dlv_log${i}`, body.id, `evt_log${i}`, i % 2 ? 'failed' : 'succeeded', String(10 - i)],
      );
    }
    const first = await gw.request<Page<DeliveryView>>('GET', `/v1/webhooks/${body.id}/deliveries?limit=3`, { key: merchant.apiKey });
    expect(first.body.data.map((d) => d.id)).toEqual(['dlv_log4', 'dlv_log3', 'dlv_log2']);
    const second = await gw.request<Page<DeliveryView>>('GET', `/v1/webhooks/${body.id}/deliveries?limit=3&cursor=${first.body.nextCursor}`, {
      key: merchant.apiKey,
    });
    expect(second.body.data.map((d) => d.id)).toEqual(['dlv_log1', 'dlv_log0']);
    expect(second.body.nextCursor).toBeNull();
    const failed = await gw.request<Page<DeliveryView>>('GET', `/v1/webhooks/${body.id}/deliveries?status=failed`, { key: merchant.apiKey });
    expect(failed.body.data.map((d) => d.id)).toEqual(['dlv_log3', 'dlv_log1']);
    expect(failed.body.data[0]).toMatchObject({ eventId: 'evt_log3', eventType: 'payment.approved', attempts: 1, nextAttemptAt: null });
  });

  type Case = { name: string; body: unknown; fields: string[] };
  const cases: Case[] = [
    { name: 'no url', body: {}, fields: ['url'] },
    { name: 'a relative url', body: { url: '/hooks' }, fields: ['url'] },
    { name: 'an ftp url', body: { url: 'ftp://hooks.example.com/x' }, fields: ['url'] },
    { name: 'a url with credentials', body: { url: 'https://user:pass@hooks.example.com/x' }, fields: ['url'] },
    { name: 'a url with a fragment', body: { url: 'https://hooks.example.com/x#part' }, fields: ['url'] },
    { name: 'a url over 2048 characters', body: { url: `https://hooks.example.com/${'x'.repeat(2048)}` }, fields: ['url'] },
    { name: 'an unknown event type', body: { url: 'https://hooks.example.com', types: ['payment.approved', 'payment.teleported'] }, fields: ['types.1'] },
    { name: 'no event types', body: { url: 'https://hooks.example.com', types: [] }, fields: ['types'] },
    { name: 'a repeated event type', body: { url: 'https://hooks.example.com', types: ['payment.approved', 'payment.approved'] }, fields: ['types'] },
    { name: 'types as a string', body: { url: 'https://hooks.example.com', types: 'payment.approved' }, fields: ['types'] },
    { name: 'a description over 200 characters', body: { url: 'https://hooks.example.com', description: 'd'.repeat(201) }, fields: ['description'] },
    { name: 'an unknown field', body: { url: 'https://hooks.example.com', secret: 'mine' }, fields: ['secret'] },
  ];

  it.each(cases)('answers $name with 400 REQUEST.VALIDATION_FAILED and stores nothing', async ({ body, fields }) => {
    const before = await subscriptions();
    const res = await create(body);
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('REQUEST.VALIDATION_FAILED');
    expect(res.body.errors.map((e) => e.field).sort()).toEqual(fields);
    expect(await subscriptions()).toBe(before);
  });

  it('answers bad list queries and a body on enable with 400', async () => {
    const { body } = await create({ url: 'https://hooks.example.com/q' });
    for (const path of [`/v1/webhooks?limit=0`, `/v1/webhooks?cursor=nope`, `/v1/webhooks/${body.id}/deliveries?status=lost`]) {
      const res = await gw.request<ProblemDetails>('GET', path, { key: merchant.apiKey });
      expect([path, res.status, res.body.code]).toEqual([path, 400, 'REQUEST.VALIDATION_FAILED']);
    }
    const withBody = await gw.request<ProblemDetails>('POST', `/v1/webhooks/${body.id}/enable`, { key: merchant.apiKey, body: { force: true } });
    expect(withBody.status).toBe(400);
  });
});
