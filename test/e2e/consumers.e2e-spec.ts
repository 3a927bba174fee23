// Every consumer sees every outcome: 500 mixed payments flow through the gateway and the workers,
// and three independent consumers — downstream accounting on the Redis Streams transport, a
// webhook receiver, and an SSE client — each see every event of the merchant, none missing;
// events delivered twice change nothing.
import { randomBytes } from 'node:crypto';
import { waitFor } from '@app/testing';
import { createAccountingApp } from '../../examples/accounting/src/accounting.app';
import { listen, registerFor } from '../support/e2e';
import { startWebhookSystem, WebhookSystem } from '../webhooks/webhooks.harness';

const COUNT = 500;
const FINAL = new Set(['approved', 'rejected', 'failed']);

describe('three independent consumers under 500 mixed operations', () => {
  let ws: WebhookSystem;

  beforeAll(async () => {
    ws = await startWebhookSystem();
  });
  afterAll(async () => ws.stop());

  it('each see every event, none missing, and duplicates book nothing', async () => {
    const { sys, gw } = ws;
    const reg = await registerFor(sys, gw, 4);
    const hook = await ws.subscribe(reg, '/every-event');
    const sse = await listen(gw, reg.apiKey, '?after=0');
    const accounting = await createAccountingApp({
      databaseUrl: sys.db.url,
      schema: `acct_${randomBytes(3).toString('hex')}`,
      redisUrl: sys.redis.url,
      stream: String(sys.config.EVENT_STREAM_KEY),
      logLevels: false,
      transport: { blockMs: 200 },
    });
    sys.onStop(() => accounting.close());
    try {
      // Mixed outcomes by amount: approved (…00), declined (…05), terminal error (…06).
      const endings = [0, 0, 0, 5, 6];
      const ids: string[] = [];
      let next = 0;
      await Promise.all(
        Array.from({ length: 20 }, async () => {
          while (next < COUNT) {
            const i = next++;
            const res = await reg.pay({ amount: 100000 + i * 100 + endings[i % endings.length], terminalIds: [reg.terminals[i % 4]] });
            if (res.status !== 202) throw new Error(`payment ${i} answered ${res.status}: ${JSON.stringify(res.body)}`);
            ids.push(String(res.body.id));
          }
        }),
      );
      await waitFor(
        async () => {
          const [row] = (await sys.db.dataSource.query(
            `SELECT count(*)::int AS open FROM operations WHERE merchant_id = $1 AND status NOT IN ('approved','rejected','cancelled','expired','failed')`,
            [reg.merchantId],
          )) as { open: number }[];
          return row.open === 0 ? true : undefined;
        },
        { timeoutMs: 240_000, intervalMs: 500, what: 'every payment to be final' },
      );

      const expected = new Set(await ws.eventsOf(reg.merchantId));
      const approved = (await sys.db.dataSource.query(
        `SELECT id FROM operations WHERE merchant_id = $1 AND status = 'approved'`,
        [reg.merchantId],
      )) as { id: string }[];
      expect(ids).toHaveLength(COUNT);
      expect(approved.length).toBe((COUNT * 3) / 5);
      for (const id of ids) expect(FINAL.has(String((await sys.repo.findById(id))?.status))).toBe(true);

      // The SSE client: every event once, in position order.
      await waitFor(() => (sse.events.length >= expected.size ? true : undefined), { timeoutMs: 60_000, what: 'every event on SSE' });
      expect(new Set(sse.events.map((e) => e.data.id))).toEqual(expected);
      expect(sse.events).toHaveLength(expected.size);
      const positions = sse.events.map((e) => Number(e.id));
      expect(positions).toEqual([...positions].sort((a, b) => a - b));

      // The webhook receiver: every event, each signature verified.
      await waitFor(
        () => {
          const got = new Set(ws.receiver.received.filter((r) => r.status < 300).map((r) => r.event.id));
          return [...expected].every((id) => got.has(id)) ? got : undefined;
        },
        { timeoutMs: 120_000, intervalMs: 500, what: 'every event at the webhook receiver' },
      );
      const mine = ws.receiver.received.filter((r) => r.path === '/every-event');
      expect(mine.every((r) => r.verified.ok)).toBe(true);
      expect(hook.id).toBeTruthy();

      // Downstream accounting: exactly the approved payments, booked once.
      await waitFor(
        async () => ((await accounting.journal.entries({ merchantId: reg.merchantId })).length >= approved.length ? true : undefined),
        { timeoutMs: 120_000, intervalMs: 500, what: 'accounting to book every approved payment' },
      );
      const booked = await accounting.journal.entries({ merchantId: reg.merchantId });
      expect(new Set(booked.map((e) => e.operationId))).toEqual(new Set(approved.map((r) => r.id)));
      expect(booked).toHaveLength(approved.length);

      // Duplicates are harmless: the same events published again book nothing new.
      const again = await sys.redis.client.xrange(String(sys.config.EVENT_STREAM_KEY), '-', '+', 'COUNT', 50);
      for (const [, fields] of again) await sys.redis.client.xadd(String(sys.config.EVENT_STREAM_KEY), '*', ...fields);
      const marker = await reg.pay({ amount: 777700 });
      await waitFor(
        async () =>
          (await accounting.journal.entries({ merchantId: reg.merchantId })).some((e) => e.operationId === marker.body.id)
            ? true
            : undefined,
        { timeoutMs: 60_000, what: 'the marker payment to be booked after the duplicates' },
      );
      expect(await accounting.journal.entries({ merchantId: reg.merchantId })).toHaveLength(approved.length + 1);
    } finally {
      await sse.close();
    }
  }, 600_000);
});
