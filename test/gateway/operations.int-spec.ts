import { randomUUID } from 'node:crypto';
import { Gateway, startGateway } from './gateway.harness';

describe('gateway health and metrics', () => {
  let gw: Gateway;

  beforeAll(async () => {
    gw = await startGateway();
  });
  afterAll(async () => gw.close());

  it('is live and ready without auth', async () => {
    const live = await gw.request('GET', '/health/live', { key: null });
    expect(live.status).toBe(200);
    expect(live.body).toEqual({ status: 'ok' });
    const ready = await gw.request('GET', '/health/ready', { key: null });
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({ status: 'ready', checks: { postgres: { status: 'up' }, redis: { status: 'up' } } });
  });

  it('exposes default metrics and request durations by route template', async () => {
    const m = await gw.createMerchant();
    await gw.request('GET', '/v1/payments/pay_one', { key: m.apiKey });
    await gw.request('GET', '/v1/payments/pay_two', { key: m.apiKey });
    await gw.request('GET', '/v1/nowhere/at/all');
    const res = await gw.request('GET', '/metrics', { key: null });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    expect(res.text).toContain('process_cpu_user_seconds_total');
    expect(res.text).toMatch(/http_request_duration_seconds_count\{method="GET",route="\/v1\/payments\/:id",status_code="404"\} 2/);
    expect(res.text).toMatch(/http_request_duration_seconds_count\{method="GET",route="unmatched",status_code="404"\} 1/);
    expect(res.text).not.toContain('pay_one');
  });
});

describe('gateway with Redis down', () => {
  let gw: Gateway;

  beforeAll(async () => {
    // Nothing listens on port 1: every Redis command fails, as in an outage.
    gw = await startGateway({ REDIS_URL: 'redis://127.0.0.1:1' });
  });
  afterAll(async () => gw.close());

  it('reports not ready, naming Redis', async () => {
    const res = await gw.request<{ status: string; checks: { postgres: { status: string }; redis: { status: string } } }>(
      'GET',
      '/health/ready',
    );
    expect(res.status).toBe(503);
    expect(res.body.status).toBe('unavailable');
    expect(res.body.checks.postgres.status).toBe('up');
    expect(res.body.checks.redis.status).toBe('down');
  });

  it('still accepts a payment: the row is durable and the sweeper will enqueue it', async () => {
    const m = await gw.createMerchant();
    const t = await gw.registerTerminal(m.id);
    const started = Date.now();
    const res = await gw.request<{ id: string; status: string }>('POST', '/v1/payments', {
      key: m.apiKey,
      body: { terminalIds: [t], amount: 1000, currency: 'ARS' },
      headers: { 'idempotency-key': randomUUID() },
    });
    expect(res.status).toBe(202);
    // Enqueueing may wait up to 2 s for a connection being established; never longer.
    expect(Date.now() - started).toBeLessThan(5000);
    const rows = (await gw.db.dataSource.query('SELECT status FROM operations WHERE id = $1', [res.body.id])) as { status: string }[];
    expect(rows).toEqual([{ status: 'accepted' }]);
  });
});
