// Every consumer sees every outcome: 500 mixed operations (payments of every outcome, cancels,
// reversals, AMEX refunds, then one settlement per terminal) flow through the gateway and the
// workers, and three independent consumers — downstream accounting on the Redis Streams transport,
// a webhook receiver, and an SSE client — each see every event of the merchant that the outbox
// holds, none missing. Events delivered twice (entries added to the stream again, webhook
// redeliveries, an SSE reconnect from an older position) change nothing any of them keeps.
import { randomBytes } from 'node:crypto';
import { waitFor } from '@app/testing';
import { WEBHOOKS_GROUP } from '../../apps/webhooks/src/webhooks.app';
import type { JournalEntryDraft, SettlementDraft } from '../../examples/accounting/src/journal-entry.mapper';
import { createAccountingApp } from '../../examples/accounting/src/accounting.app';
import { Answer, listen, registerFor, SseEvent } from '../support/e2e';
import { expectLifecycle } from '../support/lifecycle';
import { groupDrained } from '../transport/transport.harness';
import type { Received } from '../webhooks/webhook.receiver';
import { startWebhookSystem, WebhookSystem } from '../webhooks/webhooks.harness';

type Kind = 'payment' | 'reversal' | 'refund' | 'settlement';
type View = Record<string, unknown> & { id: string; type: Kind; status: string };

/**
 * One cycle of 20 payments. The last three digits of the amount drive the sandbox (docs/sandbox.md):
 * 05 declined, 06 terminal error, 07 never taken (the register cancels it), 08 slow, 09 create
 * answer lost, 7xx an AMEX card, 15 / 17 approved payments whose reversal is declined / never
 * taken (the register cancels it). `reversal` is the outcome of the reversal the register asks for.
 */
const CYCLE: { ending: number; status: string; method?: 'qr'; cancel?: true; reversal?: string }[] = [
  { ending: 0, status: 'approved', reversal: 'approved' },
  { ending: 100, status: 'approved', reversal: 'approved' },
  { ending: 200, status: 'approved' },
  { ending: 300, status: 'approved' },
  { ending: 400, status: 'approved' },
  { ending: 500, status: 'approved' },
  { ending: 600, status: 'approved' },
  // AMEX: PayStore reverses it through its Refunds.
  { ending: 750, status: 'approved', reversal: 'approved' },
  { ending: 760, status: 'approved' },
  { ending: 5, status: 'rejected' },
  { ending: 105, status: 'rejected' },
  { ending: 6, status: 'failed' },
  { ending: 106, status: 'failed' },
  { ending: 7, status: 'cancelled', cancel: true },
  { ending: 107, status: 'cancelled', cancel: true },
  { ending: 8, status: 'approved' },
  { ending: 9, status: 'approved' },
  { ending: 15, status: 'approved', reversal: 'rejected' },
  { ending: 17, status: 'approved', reversal: 'cancelled' },
  { ending: 200, status: 'approved', method: 'qr' },
];
const CYCLES = 19;
const TERMINALS = 4;
/** Unreferenced AMEX refunds, by their index mod 7: 05 declined, 07 never taken (cancelled), else approved. */
const REFUNDS = 21;
const refundOutcome = (j: number) => (j % 7 === 5 ? 'rejected' : j % 7 === 6 ? 'cancelled' : 'approved');
const PAYMENTS = CYCLES * CYCLE.length;
const REVERSALS = CYCLES * CYCLE.filter((c) => c.reversal).length;
const OPERATIONS = PAYMENTS + REVERSALS + REFUNDS + TERMINALS;
/** Event types the accounting journal books. */
const MOVEMENTS = ['payment.approved', 'reversal.approved', 'refund.approved'];
const WEBHOOK_PATH = '/every-event';

interface OutboxRow {
  id: string;
  type: string;
  subject: string;
  position: string | null;
}

describe('three independent consumers under 500 mixed operations', () => {
  let ws: WebhookSystem;

  beforeAll(async () => {
    ws = await startWebhookSystem();
    await ws.sys.startReversals();
    await ws.sys.startSettlements();
  });
  afterAll(async () => ws.stop());

  it('each see every event, none missing, and duplicates change nothing', async () => {
    expect(OPERATIONS).toBe(500);
    const { sys, gw } = ws;
    const stream = String(sys.config.EVENT_STREAM_KEY);
    const reg = await registerFor(sys, gw, TERMINALS);

    // The webhook receiver processes each event once, by its Webhook-Id (the event id), and
    // acknowledges a duplicate without processing it again.
    const hook = await ws.subscribe(reg, WEBHOOK_PATH);
    const processed = new Map<string, Received>();
    const duplicates: Received[] = [];
    ws.receiver.answer(WEBHOOK_PATH, (d) => {
      if (!d.verified.ok || d.webhookId !== d.event.id) return 400;
      if (processed.has(d.webhookId)) duplicates.push(d);
      else processed.set(d.webhookId, d);
      return 200;
    });

    const sse = await listen(gw, reg.apiKey, '?after=0');
    const accounting = await createAccountingApp({
      databaseUrl: sys.db.url,
      schema: `acct_${randomBytes(3).toString('hex')}`,
      redisUrl: sys.redis.url,
      stream,
      logLevels: false,
      transport: { blockMs: 200 },
    });
    sys.onStop(() => accounting.close());
    // What accounting's handlers made of every event they were given: booked, or a duplicate.
    const bookings: { eventId: string; outcome: string }[] = [];
    const book = accounting.journal.book.bind(accounting.journal);
    const bookSettlement = accounting.journal.bookSettlement.bind(accounting.journal);
    jest.spyOn(accounting.journal, 'book').mockImplementation(async (entry: JournalEntryDraft) => {
      const outcome = await book(entry);
      bookings.push({ eventId: entry.eventId, outcome });
      return outcome;
    });
    jest.spyOn(accounting.journal, 'bookSettlement').mockImplementation(async (settlement: SettlementDraft) => {
      const outcome = await bookSettlement(settlement);
      bookings.push({ eventId: settlement.eventId, outcome });
      return outcome;
    });

    let replay: Awaited<ReturnType<typeof listen>> | null = null;
    try {
      const command = async (path: string, body?: unknown): Promise<Answer<View>> => {
        const res = await gw.call<View>('POST', path, {
          key: reg.apiKey,
          body,
          headers: { 'idempotency-key': `k-${randomBytes(8).toString('hex')}` },
        });
        if (res.status !== 200 && res.status !== 202) throw new Error(`${path} answered ${res.status}: ${JSON.stringify(res.body)}`);
        return res;
      };
      const read = async (path: string) => (await gw.call<View>('GET', path, { key: reg.apiKey })).body;
      /** The final status each operation must end in. */
      const planned = new Map<string, { type: Kind; status: string }>();

      // Payments, refunds, cancels and reversals, interleaved, 24 registers at a time.
      const tasks: (() => Promise<void>)[] = [];
      let refunds = 0;
      for (let k = 0; k < PAYMENTS; k++) {
        const plan = CYCLE[k % CYCLE.length];
        const terminalId = reg.terminals[k % TERMINALS];
        tasks.push(async () => {
          const amount = 100_000 + k * 1000 + plan.ending;
          const paid = await command('/v1/payments', { amount, currency: 'ARS', terminalIds: [terminalId], ...(plan.method ? { method: plan.method } : {}) });
          const id = paid.body.id;
          planned.set(id, { type: 'payment', status: plan.status });
          if (plan.cancel) await command(`/v1/payments/${id}/cancel`);
          if (!plan.reversal) return;
          const payment = await waitFor(
            async () => {
              const p = await read(`/v1/payments/${id}`);
              return p.status === 'approved' ? p : undefined;
            },
            { timeoutMs: 60_000, intervalMs: 250, what: `payment ${id} to be approved before its reversal` },
          );
          const reversal = await command('/v1/reversals', { paymentId: payment.id });
          planned.set(reversal.body.id, { type: 'reversal', status: plan.reversal });
          if (plan.reversal === 'cancelled') await command(`/v1/reversals/${reversal.body.id}/cancel`);
        });
        if (k % 18 === 9) {
          const j = refunds++;
          tasks.push(async () => {
            const outcome = refundOutcome(j);
            const ending = outcome === 'rejected' ? 5 : outcome === 'cancelled' ? 7 : 0;
            const refund = await command('/v1/refunds', { terminalIds: [reg.terminals[j % TERMINALS]], amount: 50_000 + j * 1000 + ending, currency: 'ARS' });
            planned.set(refund.body.id, { type: 'refund', status: outcome });
            if (outcome === 'cancelled') await command(`/v1/refunds/${refund.body.id}/cancel`);
          });
        }
      }
      expect(tasks).toHaveLength(PAYMENTS + REFUNDS);
      let next = 0;
      await Promise.all(
        Array.from({ length: 24 }, async () => {
          while (next < tasks.length) await tasks[next++]();
        }),
      );

      const openOperations = async () => {
        const [row] = (await sys.db.dataSource.query(
          `SELECT count(*)::int AS open FROM operations WHERE merchant_id = $1 AND status NOT IN ('approved','rejected','cancelled','expired','failed')`,
          [reg.merchantId],
        )) as { open: number }[];
        return row.open;
      };
      await waitFor(async () => ((await openOperations()) === 0 ? true : undefined), {
        timeoutMs: 180_000,
        intervalMs: 500,
        what: 'every payment, reversal and refund to be final',
      });

      // Each terminal closes its batch once its day is over.
      for (const terminalId of reg.terminals) {
        const settlement = await command('/v1/settlements', { terminalId });
        planned.set(settlement.body.id, { type: 'settlement', status: 'approved' });
      }
      await waitFor(async () => ((await openOperations()) === 0 ? true : undefined), { timeoutMs: 60_000, intervalMs: 250, what: 'every settlement to be final' });

      // Every operation ended as planned, its events in lifecycle order in the outbox.
      expect(planned.size).toBe(OPERATIONS);
      const rows = (await sys.db.dataSource.query('SELECT id, type, status FROM operations WHERE merchant_id = $1', [reg.merchantId])) as {
        id: string;
        type: Kind;
        status: string;
      }[];
      expect(new Map(rows.map((r) => [r.id, { type: r.type, status: r.status }]))).toEqual(planned);
      await waitFor(
        async () => {
          const [row] = (await sys.db.dataSource.query('SELECT count(*)::int AS n FROM outbox WHERE merchant_id = $1 AND position IS NULL', [
            reg.merchantId,
          ])) as { n: number }[];
          return row.n === 0 ? true : undefined;
        },
        { timeoutMs: 30_000, what: 'every event to be published' },
      );
      const outbox = (await sys.db.dataSource.query('SELECT id, type, subject, position::text AS position FROM outbox WHERE merchant_id = $1 ORDER BY seq', [
        reg.merchantId,
      ])) as OutboxRow[];
      const bySubject = new Map<string, string[]>();
      for (const e of outbox) bySubject.set(e.subject, [...(bySubject.get(e.subject) ?? []), e.type]);
      expect(bySubject.size).toBe(OPERATIONS);
      for (const [id, { type, status }] of planned) expectLifecycle(bySubject.get(id) ?? [], type, status);
      const expected = new Set(outbox.map((e) => e.id));
      expect(expected.size).toBe(outbox.length);
      const kinds = new Set(outbox.map((e) => e.type));
      for (const type of [...MOVEMENTS, 'settlement.approved', 'payment.rejected', 'payment.failed', 'payment.cancelled', 'reversal.rejected', 'reversal.cancelled', 'refund.rejected', 'refund.cancelled']) {
        expect(kinds).toContain(type);
      }

      // The SSE client: every event once, in position order, each operation's in the outbox's order.
      await waitFor(() => (sse.events.length >= expected.size ? true : undefined), { timeoutMs: 60_000, what: 'every event on SSE' });
      expect(sse.events).toHaveLength(expected.size);
      expect(new Set(sse.events.map((e) => e.data.id))).toEqual(expected);
      const positions = sse.events.map((e) => Number(e.id));
      expect(positions).toEqual([...positions].sort((a, b) => a - b));
      const sseBySubject = new Map<string, string[]>();
      for (const e of sse.events) sseBySubject.set(e.data.subject, [...(sseBySubject.get(e.data.subject) ?? []), e.event]);
      expect(sseBySubject).toEqual(bySubject);

      // The webhook receiver: every event, each signature verified, processed once.
      await waitFor(() => ([...expected].every((id) => processed.has(id)) ? true : undefined), {
        timeoutMs: 120_000,
        intervalMs: 500,
        what: 'every event at the webhook receiver',
      });
      expect(new Set(processed.keys())).toEqual(expected);
      expect(ws.receiver.at(WEBHOOK_PATH).every((r) => r.verified.ok && r.status === 200)).toBe(true);
      const deliveryRows = async () =>
        (await sys.db.dataSource.query(
          `SELECT count(*)::int AS n, count(*) FILTER (WHERE status = 'succeeded')::int AS succeeded FROM webhook_deliveries WHERE subscription_id = $1`,
          [hook.id],
        )) as { n: number; succeeded: number }[];
      await waitFor(async () => ((await deliveryRows())[0].succeeded === expected.size ? true : undefined), {
        timeoutMs: 30_000,
        what: 'every delivery to be logged succeeded',
      });
      expect(await deliveryRows()).toEqual([{ n: expected.size, succeeded: expected.size }]);

      // Downstream accounting: it read and acknowledged every entry of the stream, dead-lettered
      // none, and booked exactly the outbox's approved payments, reversals, refunds and settlements.
      await groupDrained(sys.redis.client, stream, 'accounting', 60_000);
      expect(await sys.redis.client.xlen(`${stream}:dead`)).toBe(0);
      const movements = new Set(outbox.filter((e) => MOVEMENTS.includes(e.type)).map((e) => e.id));
      const settlements = outbox.filter((e) => e.type === 'settlement.approved');
      expect(settlements).toHaveLength(TERMINALS);
      const booked = await accounting.journal.entries({ merchantId: reg.merchantId });
      expect(booked).toHaveLength(movements.size);
      expect(new Set(booked.map((e) => e.eventId))).toEqual(movements);
      for (const s of settlements) {
        expect((await accounting.journal.settlement(s.subject))?.eventId).toBe(s.id);
        expect(await accounting.journal.reconcile(s.subject)).toMatchObject({ matches: true });
      }
      expect(bookings.filter((b) => b.outcome === 'booked').map((b) => b.eventId).sort()).toEqual([...movements, ...settlements.map((s) => s.id)].sort());

      // ── Duplicates ─────────────────────────────────────────────────────────────────────────────
      const journalBefore = JSON.stringify(await accounting.journal.entries({ merchantId: reg.merchantId }));
      const sseBefore = new Map(sse.events.map((e) => [e.data.id, e]));

      // 1. The stream delivers entries again (it is at least once): some of every type, every
      //    settlement among them, added to the stream once more.
      const entries = await sys.redis.client.xrange(stream, '-', '+');
      const seenTypes = new Map<string, number>();
      const again: { id: string; type: string }[] = [];
      for (const [, flat] of entries) {
        const fields: Record<string, string> = {};
        for (let i = 0; i + 1 < flat.length; i += 2) fields[flat[i]] = flat[i + 1];
        const n = seenTypes.get(fields.type) ?? 0;
        if (n >= 5) continue;
        seenTypes.set(fields.type, n + 1);
        again.push({ id: fields.id, type: fields.type });
        await sys.redis.client.xadd(stream, '*', ...flat);
      }
      expect(new Set(again.map((a) => a.type))).toEqual(kinds);
      await groupDrained(sys.redis.client, stream, 'accounting', 60_000);
      await groupDrained(sys.redis.client, stream, WEBHOOKS_GROUP, 60_000);
      // Accounting was given each booked one again and recognised it: nothing booked twice.
      const bookedAgain = again.filter((a) => MOVEMENTS.includes(a.type) || a.type === 'settlement.approved').map((a) => a.id);
      expect(bookedAgain.length).toBeGreaterThanOrEqual(MOVEMENTS.length * 5 + TERMINALS);
      const recognised = new Set(bookings.filter((b) => b.outcome === 'duplicate').map((b) => b.eventId));
      for (const id of bookedAgain) expect(recognised).toContain(id);
      expect(JSON.stringify(await accounting.journal.entries({ merchantId: reg.merchantId }))).toBe(journalBefore);
      for (const s of settlements) expect((await accounting.journal.settlement(s.subject))?.eventId).toBe(s.id);
      // The webhooks fan-out made no second delivery of an event it had seen.
      expect(await deliveryRows()).toEqual([{ n: expected.size, succeeded: expected.size }]);

      // 2. Webhook deliveries sent again by hand: the receiver gets each duplicate, with the same
      //    Webhook-Id and a valid signature, and recognises it.
      const log = await ws.deliveries(reg, hook.id);
      const resend = [log[0], log[7], log[31], log[99], log[150]];
      const duplicatesBefore = duplicates.length;
      for (const d of resend) {
        const res = await gw.call<{ status: string }>('POST', `/v1/webhooks/${hook.id}/deliveries/${d.id}/redeliver`, { key: reg.apiKey });
        expect(res.status).toBe(202);
      }
      await waitFor(
        () => (resend.every((d) => duplicates.slice(duplicatesBefore).some((r) => r.event.id === d.eventId)) ? true : undefined),
        { timeoutMs: 30_000, what: 'the redelivered events at the receiver' },
      );
      for (const d of resend) {
        const duplicate = duplicates.slice(duplicatesBefore).find((r) => r.event.id === d.eventId);
        expect(duplicate).toMatchObject({ webhookId: d.eventId, verified: { ok: true }, status: 200 });
        expect(duplicate?.body).toBe(processed.get(d.eventId)?.body);
      }
      expect(new Set(processed.keys())).toEqual(expected);

      // 3. The SSE client reconnects with an older Last-Event-ID: the stream replays what came
      //    after it, every event already known, each at the same position with the same data.
      const from = sse.events[sse.events.length - 150];
      replay = await listen(gw, reg.apiKey, '', from.id);
      const replaying = replay;
      await waitFor(() => (replaying.events.length >= 149 ? true : undefined), { timeoutMs: 30_000, what: 'the SSE replay' });
      expect(replaying.events.map((e) => e.data.id)).toEqual(sse.events.slice(-149).map((e) => e.data.id));
      // The client keeps its view by event id: applying the replay leaves it as it was.
      const view = new Map<string, SseEvent>(sseBefore);
      for (const e of replaying.events) view.set(e.data.id, e);
      expect(view).toEqual(sseBefore);
      expect(sse.events).toHaveLength(expected.size);
    } finally {
      await replay?.close();
      await sse.close();
    }
  }, 400_000);
});
