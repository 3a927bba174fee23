// The queue dashboard in the gateway: admin key only, and it shows the operation and delivery
// queues with their jobs.
import { createQueue, ensureOperationJob, redisConnection } from '@app/jobs';
import { Gateway, startGateway } from '../gateway/gateway.harness';

interface QueuesAnswer {
  queues: { name: string; counts?: Record<string, number> }[];
}

describe('queue dashboard', () => {
  let gw: Gateway;

  beforeAll(async () => {
    gw = await startGateway();
  });
  afterAll(async () => gw.close());

  it('answers 401 without the admin key, on the page, its files and its API', async () => {
    for (const path of ['/v1/admin/queues', '/v1/admin/queues/', '/v1/admin/queues/api/queues', '/v1/admin/queues/static/favicon-32x32.png']) {
      const res = await gw.request('GET', path, { key: null });
      expect({ path, status: res.status }).toEqual({ path, status: 401 });
      expect(res.text).not.toContain('bull');
    }
    expect((await gw.request('PUT', '/v1/admin/queues/api/queues/payments/pause', { key: null })).status).toBe(401);
    expect((await gw.request('GET', '/v1/admin/queues', { key: 'not-the-admin-key-0123456789' })).status).toBe(401);
  });

  it('answers 403 to a merchant key', async () => {
    const merchant = await gw.createMerchant();
    expect((await gw.request('GET', '/v1/admin/queues/api/queues', { key: merchant.apiKey })).status).toBe(403);
  });

  it('serves the dashboard and its files with the admin key', async () => {
    const page = await gw.request('GET', '/v1/admin/queues', { key: gw.adminKey });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(page.text).toContain('<base href="/v1/admin/queues/" />');
    expect(page.text).toContain('<title>ecr-bridge queues</title>');
    const script = /src="(static\/js\/main\.[^"]+\.js)"/.exec(page.text)?.[1];
    const file = await gw.request('GET', `/v1/admin/queues/${script}`, { key: gw.adminKey });
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toContain('javascript');
    expect((await gw.request('GET', '/v1/admin/queues/static/../../package.json', { key: gw.adminKey })).status).toBe(404);
  });

  it('lists the payments, reversals, settlements and webhook-deliveries queues with their jobs', async () => {
    const connection = redisConnection(gw.redis.url);
    const queue = createQueue('payments', connection, gw.redis.prefix);
    await ensureOperationJob(queue, 'payment', 'pay_dashboard_1');
    const res = await gw.request<QueuesAnswer>('GET', '/v1/admin/queues/api/queues', { key: gw.adminKey });
    expect(res.status).toBe(200);
    expect(res.body.queues.map((q) => q.name).sort()).toEqual(['payments', 'reversals', 'settlements', 'webhook-deliveries']);
    const payments = res.body.queues.find((q) => q.name === 'payments');
    expect(Object.values(payments?.counts ?? {}).reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(1);

    const pause = await gw.request('PUT', '/v1/admin/queues/api/queues/payments/pause', { key: gw.adminKey });
    expect(pause.status).toBeLessThan(300);
    expect(await queue.isPaused()).toBe(true);
    await gw.request('PUT', '/v1/admin/queues/api/queues/payments/resume', { key: gw.adminKey });
    expect(await queue.isPaused()).toBe(false);
    // Adding or editing jobs is not offered.
    expect((await gw.request('POST', '/v1/admin/queues/api/queues/payments/add', { key: gw.adminKey, body: { name: 'x', data: {} } })).status).toBe(404);
    await queue.close();
    connection.disconnect();
  });
});
