// The accounting example end to end: the payments, reversals and settlements workers against the
// sandbox publish outcome events through the outbox relay; accounting, a separate Nest microservice
// on the Redis Streams transport with a database of its own, books them once each, agrees with the
// settlement's totals, and catches up after being down.
import { createTestDatabase, TestDatabase, waitFor } from '@app/testing';
import { AccountingApp, createAccountingApp, JournalEntryEntity } from '../../examples/accounting/src';
import { startSystem, System } from '../support/system';
import { groupDrained, groupInfo } from '../transport/transport.harness';

const GROUP = 'accounting';

describe('accounting on the event stream', () => {
  let sys: System;
  // Its own database (createTestDatabase also puts ecr-bridge's tables there; accounting only uses its `accounting` schema).
  let journalDb: TestDatabase;
  let accounting: AccountingApp | null = null;
  let stream: string;

  beforeAll(async () => {
    sys = await startSystem();
    await sys.startReversals();
    await sys.startSettlements();
    journalDb = await createTestDatabase();
    if (!sys.config.EVENT_STREAM_KEY) throw new Error('the system publishes to no stream');
    stream = sys.config.EVENT_STREAM_KEY;
    accounting = await startAccounting();
  });
  afterAll(async () => {
    await accounting?.close();
    await sys.stop();
    await journalDb.drop();
  });

  function startAccounting(): Promise<AccountingApp> {
    return createAccountingApp({
      databaseUrl: journalDb.url,
      redisUrl: sys.redis.url,
      stream,
      group: GROUP,
      transport: { blockMs: 200, claimIdleMs: 2000, retryDelayMs: 100 },
      logLevels: false,
    });
  }

  function journal(): AccountingApp {
    if (!accounting) throw new Error('accounting is not running');
    return accounting;
  }

  async function approved(id: Promise<string>): Promise<string> {
    const resolved = await id;
    expect(await sys.finalStatus(resolved)).toBe('approved');
    return resolved;
  }

  async function rejected(id: Promise<string>): Promise<string> {
    const resolved = await id;
    expect(await sys.finalStatus(resolved)).toBe('rejected');
    return resolved;
  }

  /** Waits until every event published so far is on the stream and accounting has acknowledged them all. */
  async function caughtUp(): Promise<void> {
    await waitFor(async () => {
      const [row] = (await sys.db.dataSource.query('SELECT count(*)::int AS n FROM outbox WHERE published_at IS NULL')) as { n: number }[];
      return row.n === 0 ? true : undefined;
    });
    await groupDrained(sys.redis.client, stream, GROUP, 30_000);
  }

  const view = (e: JournalEntryEntity) => ({ operationId: e.operationId, kind: e.kind, brand: e.brand, section: e.section, amount: e.amount });
  const byOperation = <T extends { operationId: string }>(rows: T[]) => [...rows].sort((a, b) => a.operationId.localeCompare(b.operationId));

  let merchantId: string;
  let terminalId: string;
  let settlementId: string;

  it('books exactly the approved payments, reversals and refunds, signed, and its totals per brand equal the settlement’s', async () => {
    const m = await sys.merchant();
    merchantId = m.id;
    terminalId = m.terminals[0];
    const visa = await approved(sys.payment(m, 100000));
    const amex = await approved(sys.payment(m, 120750)); // AMEX by its 7xx ending
    const visaBack = await approved(sys.payment(m, 130000));
    const amexBack = await approved(sys.payment(m, 130760));
    const declined = await rejected(sys.payment(m, 150005));
    const visaReversal = await approved(sys.reversal(visaBack));
    const amexReversal = await approved(sys.reversal(amexBack)); // through the provider's Refunds
    const refund = await approved(sys.refund(m, 50000));
    settlementId = await approved(sys.settlement(m));
    await caughtUp();

    const entries = await journal().journal.entries({ merchantId });
    expect(byOperation(entries.map(view))).toEqual(
      byOperation([
        { operationId: visa, kind: 'payment', brand: 'visa', section: 'payments', amount: 100000 },
        { operationId: amex, kind: 'payment', brand: 'amex', section: 'payments', amount: 120750 },
        { operationId: visaBack, kind: 'payment', brand: 'visa', section: 'payments', amount: 130000 },
        { operationId: amexBack, kind: 'payment', brand: 'amex', section: 'payments', amount: 130760 },
        { operationId: visaReversal, kind: 'reversal', brand: 'visa', section: 'reversals', amount: -130000 },
        { operationId: amexReversal, kind: 'reversal', brand: 'amex', section: 'refunds', amount: -130760 },
        { operationId: refund, kind: 'refund', brand: 'amex', section: 'refunds', amount: -50000 },
      ]),
    );
    expect(entries.map((e) => e.operationId)).not.toContain(declined);
    const batch = (await sys.repo.findById(visa))?.result.batchNumber;
    expect(batch).toMatch(/^\d+$/);
    expect(new Set(entries.map((e) => `${e.terminalId} ${e.batchNumber} ${e.currency}`))).toEqual(new Set([`${terminalId} ${batch} ARS`]));
    expect(entries.find((e) => e.operationId === visaReversal)?.paymentId).toBe(visaBack);

    const settlement = await sys.repo.findById(settlementId);
    expect(settlement?.totals?.length).toBeGreaterThan(0);
    const totals = await journal().journal.totals({ merchantId, terminalId, batchNumber: batch ?? undefined });
    expect(totals.brands).toEqual(settlement?.totals);
    expect(totals.net).toEqual({ ARS: 100000 + 120750 + 130000 + 130760 - 130000 - 130760 - 50000 });
    expect(await journal().journal.reconcile(settlementId)).toMatchObject({ batchNumber: batch, terminalId, matches: true });
  });

  it('books nothing new when events are delivered again, under their own id or another for the same operation', async () => {
    const before = await journal().journal.entries({ merchantId });
    expect(before.length).toBeGreaterThan(0);
    const published = await sys.redis.client.xrange(stream, '-', '+');
    const approvedOnes = published.filter(([, flat]) => flat[flat.indexOf('type') + 1]?.endsWith('.approved'));
    expect(approvedOnes.length).toBeGreaterThanOrEqual(before.length + 1);
    // The relay publishing the same events twice (a crash between XADD and its mark).
    for (const [, flat] of approvedOnes) await sys.redis.client.xadd(stream, '*', ...flat);
    // And one payment approval under a new event id: the same operation booked once all the same.
    const [, first] = approvedOnes.find(([, flat]) => flat[flat.indexOf('type') + 1] === 'payment.approved') ?? [];
    if (!first) throw new Error('no payment.approved on the stream');
    const fields = Object.fromEntries(first.flatMap((v, i) => (i % 2 === 0 ? [[v, first[i + 1]]] : [])));
    const event = { ...JSON.parse(fields.event), id: `${fields.id}_again` };
    await sys.redis.client.xadd(stream, '*', ...Object.entries({ ...fields, id: event.id, event: JSON.stringify(event) }).flat());
    await caughtUp();

    const after = await journal().journal.entries({ merchantId });
    expect(after.map((e) => e.id)).toEqual(before.map((e) => e.id));
    expect((await journal().journal.reconcile(settlementId))?.matches).toBe(true);
    expect(await sys.redis.client.xlen(`${stream}:dead`)).toBe(0);
  });

  it('catches up after being down with everything published meanwhile, booking each once', async () => {
    await journal().close();
    accounting = null;
    const m = await sys.merchant();
    const paid = await approved(sys.payment(m, 140000));
    await rejected(sys.payment(m, 150005));
    const reversal = await approved(sys.reversal(paid));
    const refund = await approved(sys.refund(m, 60000));
    const other = await approved(sys.payment(m, 110000));
    await waitFor(async () => (Number((await groupInfo(sys.redis.client, stream, GROUP))?.lag) > 0 ? true : undefined), {
      what: 'events published while accounting is down',
    });

    accounting = await startAccounting();
    await caughtUp();
    const entries = await journal().journal.entries({ merchantId: m.id });
    expect(byOperation(entries.map(view))).toEqual(
      byOperation([
        { operationId: paid, kind: 'payment', brand: 'visa', section: 'payments', amount: 140000 },
        { operationId: reversal, kind: 'reversal', brand: 'visa', section: 'reversals', amount: -140000 },
        { operationId: refund, kind: 'refund', brand: 'amex', section: 'refunds', amount: -60000 },
        { operationId: other, kind: 'payment', brand: 'visa', section: 'payments', amount: 110000 },
      ]),
    );
    expect((await journal().journal.totals({ merchantId: m.id })).net).toEqual({ ARS: 110000 - 60000 });
    // What was booked before the downtime is still booked once.
    expect((await journal().journal.entries({ merchantId })).length).toBe(7);
  });
});
