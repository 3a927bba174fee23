import { randomUUID } from 'node:crypto';
import type { CloudEvent, ProblemDetails } from '@app/contracts';
import { waitFor } from '@app/testing';
import { Gateway, startGateway } from './gateway.harness';
import { SseClient } from './sse.client';

describe('gateway event stream (SSE)', () => {
  let gw: Gateway;
  let a: { id: string; apiKey: string };
  let b: { id: string; apiKey: string };
  let ta: string;
  let tb: string;
  const open: SseClient[] = [];

  beforeAll(async () => {
    gw = await startGateway({ OUTBOX_POLL_MS: 200 });
    a = await gw.createMerchant('A');
    b = await gw.createMerchant('B');
    ta = await gw.registerTerminal(a.id);
    tb = await gw.registerTerminal(b.id);
  });
  afterEach(() => {
    for (const client of open.splice(0)) client.close();
  });
  afterAll(async () => gw.close());

  const stream = async (merchant: { apiKey: string }, query = '', headers: Record<string, string> = {}) => {
    const client = await SseClient.open(`${gw.url}/v1/events${query}`, { authorization: `Bearer ${merchant.apiKey}`, ...headers });
    open.push(client);
    return client;
  };

  const pay = async (merchant: { apiKey: string }, terminal: string) => {
    const res = await gw.request<{ id: string }>('POST', '/v1/payments', {
      key: merchant.apiKey,
      body: { terminalIds: [terminal], amount: 1000, currency: 'ARS' },
      headers: { 'idempotency-key': randomUUID() },
    });
    expect(res.status).toBe(202);
    return res.body.id;
  };

  const cancel = async (merchant: { apiKey: string }, id: string) => {
    const res = await gw.request('POST', `/v1/payments/${id}/cancel`, { key: merchant.apiKey, headers: { 'idempotency-key': randomUUID() } });
    expect(res.status).toBe(202);
  };

  /** The merchant's published positions, once the relay has numbered every event. */
  const publishedPositions = async (merchantId: string): Promise<string[]> => {
    await waitFor(
      async () => {
        const [row] = (await gw.db.dataSource.query('SELECT count(*)::int AS n FROM outbox WHERE position IS NULL')) as { n: number }[];
        return row.n === 0 ? true : undefined;
      },
      { what: 'the relay to number every event' },
    );
    const rows = (await gw.db.dataSource.query('SELECT position::text AS p FROM outbox WHERE merchant_id = $1 ORDER BY position', [
      merchantId,
    ])) as { p: string }[];
    return rows.map((r) => r.p);
  };

  it("streams the merchant's events from ?after=0 in position order, and no one else's", async () => {
    const mine = [await pay(a, ta), await pay(a, ta)];
    await pay(b, tb);
    await cancel(a, mine[0]);
    const positions = await publishedPositions(a.id);
    expect(positions).toHaveLength(3);

    const client = await stream(a, '?after=0');
    expect(client.response.statusCode).toBe(200);
    expect(client.response.headers['content-type']).toContain('text/event-stream');
    const messages = await client.waitForMessages(3);
    expect(messages.map((m) => m.id)).toEqual(positions);
    expect(messages.map((m) => m.event)).toEqual(['payment.accepted', 'payment.accepted', 'payment.cancelling']);
    const events = messages.map((m) => JSON.parse(m.data) as CloudEvent);
    expect(events.map((e) => e.subject)).toEqual([mine[0], mine[1], mine[0]]);
    expect(events[2]).toMatchObject({ specversion: '1.0', type: 'payment.cancelling', data: { merchantId: a.id, status: 'cancelling' } });
    await new Promise((r) => setTimeout(r, 500));
    expect(client.messages).toHaveLength(3);
  });

  it('resumes with Last-Event-ID without gaps or repeats', async () => {
    for (let i = 0; i < 3; i++) await pay(a, ta);
    const firstPositions = await publishedPositions(a.id);
    const first = await stream(a, '?after=0');
    await first.waitForMessages(firstPositions.length);
    const lastSeen = first.messages[first.messages.length - 1].id as string;
    first.close();

    // While disconnected: more events, some of them another merchant's.
    const later = [await pay(a, ta), await pay(b, tb), await pay(a, ta)];
    await cancel(a, later[0]);
    const all = await publishedPositions(a.id);
    expect(all.length).toBe(firstPositions.length + 3);

    // ?after= is stale on purpose: Last-Event-ID, as EventSource sends it, wins.
    const resumed = await stream(a, '?after=0', { 'last-event-id': lastSeen });
    await resumed.waitForMessages(3);
    const seen = [...first.messages, ...resumed.messages].map((m) => m.id);
    expect(seen).toEqual(all);
  });

  it('delivers new events live, and starts at the newest event when no position is given', async () => {
    await pay(a, ta);
    await publishedPositions(a.id);
    const client = await stream(a);
    await waitFor(() => (client.comments.length > 0 ? true : undefined), { what: 'the stream to open' });
    const id = await pay(a, ta);
    const [message] = await client.waitForMessages(1, 5000);
    expect(message.event).toBe('payment.accepted');
    expect((JSON.parse(message.data) as CloudEvent).subject).toBe(id);
  });

  it('filters by ?types=', async () => {
    const id = await pay(a, ta);
    await cancel(a, id);
    await publishedPositions(a.id);
    const client = await stream(a, '?after=0&types=payment.cancelling');
    const total = ((await gw.db.dataSource.query(`SELECT count(*)::int AS n FROM outbox WHERE merchant_id = $1 AND type = 'payment.cancelling'`, [
      a.id,
    ])) as { n: number }[])[0].n;
    const messages = await client.waitForMessages(total);
    expect(new Set(messages.map((m) => m.event))).toEqual(new Set(['payment.cancelling']));
    expect(messages.map((m) => (JSON.parse(m.data) as CloudEvent).subject)).toContain(id);
  });

  it('filters by ?types=webhook.disabled, which the stream carries too', async () => {
    const event = {
      specversion: '1.0',
      id: `evt_whk_${randomUUID().slice(0, 8)}`,
      source: 'urn:ecr-bridge',
      type: 'webhook.disabled',
      time: new Date().toISOString(),
      subject: 'whk_sse_test',
      datacontenttype: 'application/json',
      data: { id: 'whk_sse_test', status: 'disabled', merchantId: a.id },
    };
    await gw.db.dataSource.query(`INSERT INTO outbox (id, type, subject, merchant_id, event) VALUES ($1, $2, $3, $4, $5::jsonb)`, [
      event.id,
      event.type,
      event.subject,
      a.id,
      JSON.stringify(event),
    ]);
    await pay(a, ta);
    await publishedPositions(a.id);
    const client = await stream(a, '?after=0&types=webhook.disabled');
    const [message] = await client.waitForMessages(1);
    expect(message.event).toBe('webhook.disabled');
    expect(JSON.parse(message.data) as CloudEvent).toMatchObject({ id: event.id, type: 'webhook.disabled', subject: 'whk_sse_test' });
    const both = await stream(a, '?after=0&types=webhook.disabled,payment.accepted');
    const total = ((await gw.db.dataSource.query(
      `SELECT count(*)::int AS n FROM outbox WHERE merchant_id = $1 AND type IN ('webhook.disabled', 'payment.accepted')`,
      [a.id],
    )) as { n: number }[])[0].n;
    const messages = await both.waitForMessages(total);
    expect(new Set(messages.map((m) => m.event))).toEqual(new Set(['webhook.disabled', 'payment.accepted']));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(client.messages).toHaveLength(1);
  });

  it.each([
    ['?types=payment.paid', 'types'],
    ['?types=webhook.enabled', 'types'],
    ['?types=', 'types'],
    ['?after=-1', 'after'],
    ['?after=abc', 'after'],
    ['?since=1', 'since'],
  ])('answers 400 for %s', async (query, field) => {
    const client = await stream(a, query);
    expect(client.response.statusCode).toBe(400);
    const problem = JSON.parse(await client.text()) as ProblemDetails;
    expect(problem).toMatchObject({ code: 'REQUEST.VALIDATION_FAILED', errors: [expect.objectContaining({ field })] });
  });

  it('answers 400 for a malformed Last-Event-ID and 401 without a key', async () => {
    const bad = await stream(a, '', { 'last-event-id': 'yesterday' });
    expect(bad.response.statusCode).toBe(400);
    const anonymous = await SseClient.open(`${gw.url}/v1/events`, {});
    open.push(anonymous);
    expect(anonymous.response.statusCode).toBe(401);
  });
});

describe('gateway event stream on shutdown', () => {
  it('ends open streams so the gateway can stop', async () => {
    const gw = await startGateway();
    let closed = false;
    try {
      const m = await gw.createMerchant();
      const client = await SseClient.open(`${gw.url}/v1/events`, { authorization: `Bearer ${m.apiKey}` });
      await waitFor(() => (client.comments.length > 0 ? true : undefined), { what: 'the stream to open' });
      const started = Date.now();
      await gw.close();
      closed = true;
      // An open stream must not hold the gateway for the HTTP drain's 10 s (the bound leaves room
      // for dropping the test database on a busy machine).
      expect(Date.now() - started).toBeLessThan(9000);
      await waitFor(() => (client.ended ? true : undefined), { timeoutMs: 2000, what: 'the stream to end' });
    } finally {
      if (!closed) await gw.close();
    }
  });
});
