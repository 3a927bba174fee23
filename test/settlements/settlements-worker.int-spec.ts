// The settlements worker against real Postgres, Redis and the sandbox over HTTP: a batch close
// after a day of mixed traffic on one terminal, totals checked against the sandbox's own closing
// receipt, the next close counting only what came after, operations still landing in a closed
// batch, a lost create answer and a declined close.
import type { BrandTotals } from '@app/persistence';
import { waitFor } from '@app/testing';
import { Merchant, startSystem, System } from '../support/system';

const SETTLEMENTS_PATH = '/terminal_settlements/settlements';

async function providerIdOf(sys: System, id: string): Promise<string> {
  return waitFor(async () => (await sys.repo.findById(id))?.providerId ?? undefined, { what: `${id} to reach the provider` });
}

const BRAND_OF_RECEIPT: Readonly<Record<string, string>> = { VISA: 'visa', MASTERCARD: 'mastercard', 'AMERICAN EXPRESS': 'amex' };
const SECTION_OF_RECEIPT = { COMPRAS: 'payments', ANULACIONES: 'reversals', DEVOLUCIONES: 'refunds' } as const;

/** The per-brand lines of the sandbox's closing receipt ("  VISA COMPRAS 2      $ 2.300,00"), as totals. */
function receiptTotals(receipt: string): BrandTotals[] {
  const byBrand = new Map<string, BrandTotals>();
  for (const line of receipt.split('\n')) {
    const m = /^\s+(.+?) (COMPRAS|ANULACIONES|DEVOLUCIONES) (\d+)\s+\$ ([\d.]+),(\d{2})$/.exec(line);
    if (!m || m[1].startsWith('TOTAL')) continue;
    const brand = BRAND_OF_RECEIPT[m[1]] ?? m[1];
    const totals = byBrand.get(brand) ?? {
      brand,
      payments: { count: 0, amount: 0 },
      reversals: { count: 0, amount: 0 },
      refunds: { count: 0, amount: 0 },
    };
    byBrand.set(brand, totals);
    totals[SECTION_OF_RECEIPT[m[2] as keyof typeof SECTION_OF_RECEIPT]] = {
      count: Number(m[3]),
      amount: Number(m[4].replace(/\./g, '')) * 100 + Number(m[5]),
    };
  }
  return [...byBrand.values()].sort((a, b) => a.brand.localeCompare(b.brand));
}

function brandTotals(brand: string, sections: Partial<Omit<BrandTotals, 'brand'>>): BrandTotals {
  const none = { count: 0, amount: 0 };
  return { brand, payments: none, reversals: none, refunds: none, ...sections };
}

describe('settlements worker', () => {
  let sys: System;

  beforeAll(async () => {
    sys = await startSystem();
    await sys.startReversals();
    await sys.startSettlements();
  });
  afterAll(async () => sys.stop());

  const finalStatus = (id: string) => sys.finalStatus(id);

  async function approved(id: Promise<string>): Promise<string> {
    const resolved = await id;
    expect(await finalStatus(resolved)).toBe('approved');
    return resolved;
  }

  it('closes the batch after mixed traffic: the sandbox’s batch number and exact totals per brand, then only what came after', async () => {
    const m: Merchant = await sys.merchant();
    const visa = await approved(sys.payment(m, 100000));
    await approved(sys.payment(m, 120750)); // AMEX by its 7xx ending
    const visaToReverse = await approved(sys.payment(m, 130000));
    const amexToReverse = await approved(sys.payment(m, 130760));
    await approved(sys.reversal(visaToReverse));
    await approved(sys.reversal(amexToReverse));
    await approved(sys.refund(m, 50000));
    expect(await finalStatus(await sys.payment(m, 150005))).toBe('rejected');
    // Still offered to the terminal during the close: it finishes (if ever) in a later batch.
    const untaken = await sys.payment(m, 150007, { expiresInMs: 60_000 });
    await sys.reached(untaken, 'pending');

    const first = await sys.settlement(m);
    expect(await finalStatus(first)).toBe('approved');
    const closed = await sys.repo.findById(first);
    const batch = (await sys.repo.findById(visa))?.result.batchNumber;
    expect(batch).toMatch(/^\d+$/);
    expect(closed?.result.batchNumber).toBe(batch);
    expect(closed?.terminalId).toBe(m.terminals[0]);
    expect(closed?.totals).toEqual([
      brandTotals('amex', { payments: { count: 2, amount: 120750 + 130760 }, refunds: { count: 2, amount: 130760 + 50000 } }),
      brandTotals('visa', { payments: { count: 2, amount: 100000 + 130000 }, reversals: { count: 1, amount: 130000 } }),
    ]);
    // The provider's own closing receipt says the same.
    expect(closed?.result.receipt).toContain(`CIERRE DE LOTE ${batch}`);
    expect(receiptTotals(closed?.result.receipt ?? '')).toEqual(closed?.totals);

    const events = await sys.events(first);
    expect(events[0]).toBe('settlement.accepted');
    expect(events.at(-1)).toBe('settlement.approved');
    const [approvedEvent] = (await sys.db.dataSource.query(
      `SELECT event FROM outbox WHERE subject = $1 AND type = 'settlement.approved'`,
      [first],
    )) as { event: { data: { batchNumber: string; totals: BrandTotals[] } } }[];
    expect(approvedEvent.event.data).toMatchObject({ batchNumber: batch, totals: closed?.totals });

    const later = await approved(sys.payment(m, 140000));
    const second = await sys.settlement(m);
    expect(await finalStatus(second)).toBe('approved');
    const next = await sys.repo.findById(second);
    expect(next?.result.batchNumber).toBe(String(Number(batch) + 1));
    expect((await sys.repo.findById(later))?.result.batchNumber).toBe(next?.result.batchNumber);
    expect(next?.totals).toEqual([brandTotals('visa', { payments: { count: 1, amount: 140000 } })]);
    expect(receiptTotals(next?.result.receipt ?? '')).toEqual(next?.totals);
  });

  it('adopts the settlement a lost create answer left at the provider: one close, approved', async () => {
    const m = await sys.merchant();
    await approved(sys.payment(m, 110000));
    // Handled after the client gave up waiting (its timeout is 1.5 s): created, answer lost.
    const { data: fault } = await sys.sandboxCall<{ data: { id: string } }>('POST', '/sandbox/faults', {
      match: { method: 'POST', path: SETTLEMENTS_PATH },
      latencyMs: 2500,
    });
    const id = await sys.settlement(m);
    const mine = async () =>
      (await sys.providerRequests(SETTLEMENTS_PATH, 'POST')).filter(
        (r) => (r as unknown as { query: Record<string, string> }).query.terminal_id === m.terminals[0],
      );
    await waitFor(async () => ((await mine()).length === 1 ? true : undefined), { what: 'the settlement create' });
    await sys.sandboxCall('DELETE', `/sandbox/faults/${fault.id}`);

    expect(await finalStatus(id)).toBe('approved');
    expect(await mine()).toHaveLength(1);
    expect(await sys.events(id)).toContain('settlement.unknown');
    expect((await sys.repo.findById(id))?.totals).toEqual([brandTotals('visa', { payments: { count: 1, amount: 110000 } })]);
  });
});

// Pauses the payments queue, so it runs on its own system.
describe('settlements worker, with operations still landing in the closed batch', () => {
  let sys: System;

  beforeAll(async () => {
    sys = await startSystem();
    await sys.startSettlements();
  });
  afterAll(async () => sys.stop());

  it('waits for an operation the terminal finished before the close to be recorded, then counts it', async () => {
    const m = await sys.merchant(1, 'manual');
    const terminal = m.terminals[0];
    const paymentId = await sys.payment(m, 110000);
    const paymentProviderId = await providerIdOf(sys, paymentId);
    // The payments worker takes no more jobs; the cashier approves at the terminal meanwhile.
    await sys.queue('payment').pause();
    await sys.sandboxCall('POST', `/sandbox/terminals/${terminal}/approve`, { paymentId: paymentProviderId });

    const id = await sys.settlement(m);
    const settlementProviderId = await providerIdOf(sys, id);
    await sys.sandboxCall('POST', `/sandbox/terminals/${terminal}/approve`, { paymentId: settlementProviderId });
    await waitFor(async () => ((await sys.repo.findById(id))?.result.providerStatus === 'CONFIRMED' ? true : undefined), {
      what: 'the worker to see the close',
    });
    // Closed at the provider, held here: the payment in the closed batch is not recorded yet.
    await new Promise((r) => setTimeout(r, 600));
    expect(await sys.status(id)).toBe('in_progress');
    expect(await sys.status(paymentId)).toBe('pending');

    await sys.queue('payment').resume();
    expect(await sys.finalStatus(paymentId)).toBe('approved');
    expect(await sys.finalStatus(id)).toBe('approved');
    const settlement = await sys.repo.findById(id);
    expect((await sys.repo.findById(paymentId))?.result.batchNumber).toBe(settlement?.result.batchNumber);
    expect(settlement?.totals).toEqual([brandTotals('visa', { payments: { count: 1, amount: 110000 } })]);
  });

  it('rejects a close the person at the terminal declines, with SETTLEMENT.DECLINED', async () => {
    const m = await sys.merchant(1, 'manual');
    const id = await sys.settlement(m);
    const providerId = await providerIdOf(sys, id);
    await sys.sandboxCall('POST', `/sandbox/terminals/${m.terminals[0]}/decline`, { paymentId: providerId });
    expect(await sys.finalStatus(id)).toBe('rejected');
    const settlement = await sys.repo.findById(id);
    expect(settlement?.result.failure?.code).toBe('SETTLEMENT.DECLINED');
    expect(settlement?.totals).toBeNull();
    expect((await sys.events(id)).at(-1)).toBe('settlement.rejected');
  });
});
