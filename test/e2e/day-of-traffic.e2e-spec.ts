// A day at a store with three terminals: payments with every outcome, reversals (one through
// Refunds for AMEX, one declined, one cancelled), unreferenced refunds; then each terminal closes
// its batch. What the cash register heard on the event stream must add up to each settlement's
// totals, per terminal and per card brand, to the unit.
import { randomBytes } from 'node:crypto';
import { waitFor } from '@app/testing';
import { Answer, listen, Register, registerFor, SseEvent, startGatewayFor, StartedGateway } from '../support/e2e';
import { startSystem, System } from '../support/system';

type View = Record<string, unknown> & { id: string; status: string };

interface Sums {
  count: number;
  amount: number;
}
interface BrandTotals {
  brand: string;
  payments: Sums;
  reversals: Sums;
  refunds: Sums;
}

const FINAL = new Set(['approved', 'rejected', 'cancelled', 'expired', 'failed']);

/**
 * Totals per brand of the approved events taken by `terminalId`, in the sections of the closing
 * receipt: an AMEX payment is given back through Refunds, so its reversal is a refund there.
 */
function totalsFromEvents(events: readonly SseEvent[], terminalId: string): BrandTotals[] {
  const byBrand = new Map<string, BrandTotals>();
  for (const event of events) {
    const [type, status] = event.event.split('.');
    const op = event.data.data as { terminalId: string; amount: number; card: { brand: string } | null; qrCodeId: string | null };
    if (status !== 'approved' || op.terminalId !== terminalId || !['payment', 'reversal', 'refund'].includes(type)) continue;
    const brand = op.card?.brand ?? (op.qrCodeId ? 'qr' : 'unknown');
    let totals = byBrand.get(brand);
    if (!totals) {
      totals = { brand, payments: { count: 0, amount: 0 }, reversals: { count: 0, amount: 0 }, refunds: { count: 0, amount: 0 } };
      byBrand.set(brand, totals);
    }
    const section = type === 'payment' ? totals.payments : type === 'refund' || brand === 'amex' ? totals.refunds : totals.reversals;
    section.count += 1;
    section.amount += op.amount;
  }
  return [...byBrand.values()].sort((a, b) => a.brand.localeCompare(b.brand));
}

describe('a day of traffic on three terminals, then one settlement per terminal', () => {
  let sys: System;
  let gw: StartedGateway;
  let reg: Register;
  let sse: Awaited<ReturnType<typeof listen>>;

  beforeAll(async () => {
    sys = await startSystem({ sandbox: { slowMs: 800 } });
    await sys.startReversals();
    await sys.startSettlements();
    gw = await startGatewayFor(sys);
    reg = await registerFor(sys, gw, 3);
    sse = await listen(gw, reg.apiKey);
  });
  afterAll(async () => {
    await sse.close();
    await sys.stop();
  });

  const command = (path: string, body?: unknown, wait?: number): Promise<Answer<View>> =>
    gw.call<View>('POST', path, {
      key: reg.apiKey,
      body,
      headers: { 'idempotency-key': `k-${randomBytes(8).toString('hex')}`, ...(wait ? { prefer: `wait=${wait}` } : {}) },
    });

  const read = async (path: string) => (await gw.call<View>('GET', path, { key: reg.apiKey })).body;

  const final = (path: string) =>
    waitFor(
      async () => {
        const op = await read(path);
        return FINAL.has(op.status) ? op : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 100, what: `${path} to be final` },
    );

  it('settles each terminal with totals that reconcile exactly with the approved events it streamed', async () => {
    const [t1, t2, t3] = reg.terminals;
    // Amount endings drive the sandbox: 05 declined, 06 terminal error, 07 never taken, 08 slow,
    // 15/17 approved payments whose reversal is declined / never taken; last three digits 7xx: AMEX.
    const plan: { amount: number; terminalIds: string[]; method?: 'qr' }[] = [
      ...[101000, 102300, 103450, 104999, 105200, 106800, 107100].map((amount, i) => ({ amount, terminalIds: [reg.terminals[i % 3]] })),
      ...[120750, 131712, 142799, 153700].map((amount, i) => ({ amount, terminalIds: [reg.terminals[(i + 1) % 3]] })),
      ...[108005, 109005, 110006].map((amount, i) => ({ amount, terminalIds: [reg.terminals[(i + 2) % 3]] })),
      { amount: 111008, terminalIds: [t1] },
      { amount: 112008, terminalIds: [t2] },
      { amount: 113015, terminalIds: [t3] },
      { amount: 114017, terminalIds: [t1] },
      { amount: 115007, terminalIds: [t2] },
      { amount: 116007, terminalIds: [t3] },
      { amount: 25000, terminalIds: [t1], method: 'qr' },
      { amount: 26500, terminalIds: [t2], method: 'qr' },
      ...[117200, 118300, 119400].map((amount) => ({ amount, terminalIds: reg.terminals })),
      ...[121100, 122200, 123300, 124400, 125500].map((amount, i) => ({ amount, terminalIds: [reg.terminals[(i + 2) % 3]] })),
    ];
    expect(plan).toHaveLength(30);
    const created = await Promise.all(plan.map((p) => reg.pay(p)));
    expect(created.map((c) => c.status)).toEqual(Array(30).fill(202));
    const payments = created.map((c) => String(c.body.id));

    // Intents nobody takes (07) are cancelled by the register.
    const untaken = payments.filter((_, i) => plan[i].amount % 100 === 7);
    for (const id of untaken) {
      await waitFor(async () => ((await read(`/v1/payments/${id}`)).status === 'pending' ? true : undefined), { what: `${id} pending` });
      expect((await command(`/v1/payments/${id}/cancel`)).status).toBe(202);
    }
    const outcomes = new Map<string, View>();
    for (const id of payments) outcomes.set(id, await final(`/v1/payments/${id}`));
    const approved = payments.filter((id) => outcomes.get(id)?.status === 'approved');
    expect(approved).toHaveLength(25);
    expect(payments.filter((id) => outcomes.get(id)?.status === 'rejected')).toHaveLength(2);
    expect(payments.filter((id) => outcomes.get(id)?.status === 'failed')).toHaveLength(1);
    expect(untaken.map((id) => outcomes.get(id)?.status)).toEqual(['cancelled', 'cancelled']);

    // Reversals: Visa (approved), AMEX through Refunds (approved), declined (15), untaken (17, cancelled).
    const byAmount = (amount: number) => payments[plan.findIndex((p) => p.amount === amount)];
    const reversals = await Promise.all([101000, 131712, 113015, 114017, 117200].map((a) => command('/v1/reversals', { paymentId: byAmount(a) })));
    expect(reversals.map((r) => r.status)).toEqual(Array(5).fill(202));
    const untakenReversal = reversals[3].body.id;
    await waitFor(async () => ((await read(`/v1/reversals/${untakenReversal}`)).status === 'pending' ? true : undefined), {
      what: 'the untaken reversal to be offered',
    });
    expect((await command(`/v1/reversals/${untakenReversal}/cancel`)).status).toBe(202);
    // Unreferenced AMEX refunds: two approved, one declined (05).
    const refunds = await Promise.all(
      [
        { terminalIds: [t1], amount: 33300 },
        { terminalIds: [t3], amount: 44400 },
        { terminalIds: [t2], amount: 55505 },
      ].map((r) => command('/v1/refunds', { ...r, currency: 'ARS' })),
    );
    expect(refunds.map((r) => r.status)).toEqual(Array(3).fill(202));
    const reversalOutcomes = await Promise.all(reversals.map((r) => final(`/v1/reversals/${r.body.id}`)));
    expect(reversalOutcomes.map((r) => r.status)).toEqual(['approved', 'approved', 'rejected', 'cancelled', 'approved']);
    const refundOutcomes = await Promise.all(refunds.map((r) => final(`/v1/refunds/${r.body.id}`)));
    expect(refundOutcomes.map((r) => r.status)).toEqual(['approved', 'approved', 'rejected']);

    // Every final status has reached the stream before the batches close.
    const everything = [...outcomes.values(), ...reversalOutcomes, ...refundOutcomes];
    for (const op of everything) {
      const type = `${String(op.type)}.${op.status}`;
      await waitFor(() => (sse.of(op.id).includes(type) ? true : undefined), { what: `${type} of ${op.id} on the stream` });
    }

    const settlements = await Promise.all(reg.terminals.map((terminalId) => command('/v1/settlements', { terminalId })));
    expect(settlements.map((s) => s.status)).toEqual(Array(3).fill(202));

    let counted = 0;
    for (const [i, terminalId] of reg.terminals.entries()) {
      const settlement = await final(`/v1/settlements/${settlements[i].body.id}`);
      expect(settlement).toMatchObject({ status: 'approved', terminalId, batchNumber: '1', via: null });
      // The provider's closing receipt, as it printed it.
      expect(settlement.receipt).toContain('CIERRE DE LOTE 1');
      const expected = totalsFromEvents(sse.events, terminalId);
      expect(expected.length).toBeGreaterThan(0);
      expect(settlement.totals).toEqual(expected);
      await waitFor(() => (sse.of(settlement.id).includes('settlement.approved') ? true : undefined), { what: 'settlement.approved' });
      const streamed = sse.events.find((e) => e.data.subject === settlement.id && e.event === 'settlement.approved');
      expect(streamed?.data.data.totals).toEqual(expected);
      for (const brand of expected) counted += brand.payments.count + brand.reversals.count + brand.refunds.count;
    }
    // 25 approved payments, 3 approved reversals and 2 approved refunds, each counted once.
    expect(counted).toBe(30);
    const brands = new Set(reg.terminals.flatMap((t) => totalsFromEvents(sse.events, t).map((b) => b.brand)));
    expect([...brands].sort()).toEqual(['amex', 'qr', 'visa']);
  });
});
