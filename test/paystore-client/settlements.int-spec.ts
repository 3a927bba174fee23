// Contract: batch close (cierre de lote) through PaystoreClient against the sandbox: one call per
// terminal, the batch it closed, the next batch number, reads and lists.
import { classifySettlementStatus, isOutcomeUnknown, PaystoreClient, PaystoreErrorCode, SettlementEnvelope } from '@app/paystore-client';
import { CUIT, eventually, Harness, paystoreFailure, reference, SETTLEMENTS_PATH, startHarness } from './sandbox.harness';

const TERMINAL = '38015001';
const OTHER = '38015002';
const MANUAL = '38015003';
const LOST = '38015004';

let h: Harness;
let client: PaystoreClient;

beforeAll(async () => {
  h = await startHarness({ takeDelayMs: 40 });
  await h.control.registerTerminal(TERMINAL);
  await h.control.registerTerminal(OTHER);
  await h.control.registerTerminal(MANUAL, { mode: 'manual' });
  await h.control.registerTerminal(LOST);
  client = h.client();
});

afterAll(() => h.close());

async function approvedPayment(amount: string): Promise<string | null | undefined> {
  const created = await client.createPayment(CUIT, { payment_amount: amount, ecr_transaction_id: reference('set'), terminals_list: [{ terminal_id: TERMINAL }] });
  const done = await eventually(() => client.getPayment(CUIT, created.payment_data.payment_id), (p) => p.payment_data.payment_status === 'CONFIRMED');
  return done.payment_data.batch_number;
}

function settled(id: string): Promise<SettlementEnvelope> {
  return eventually(() => client.getSettlement(CUIT, id), (s) => ['CONFIRMED', 'DECLINED', 'ERROR'].includes(s.settlements_data.settlement_status));
}

describe('settlements against the sandbox', () => {
  it('closes the open batch of one terminal and starts the next number', async () => {
    const batch = await approvedPayment('6000');
    await approvedPayment('6100');
    expect(batch).toMatch(/^\d+$/);

    const created = await client.createSettlement(CUIT, TERMINAL, true);
    expect(created.settlements_data).toMatchObject({ settlement_status: 'SETTLEMENT_REQUEST', terminal_id: TERMINAL, print_receipt: true });
    const done = await settled(created.settlements_data.settlement_id);
    expect(classifySettlementStatus(done.settlements_data.settlement_status)).toBe('approved');
    expect(done.settlements_data.batch_number).toBe(batch);
    expect(done.settlements_data.merchant_receipt_detail).toEqual(expect.any(String));

    const next = await approvedPayment('6200');
    expect(Number(next)).toBe(Number(batch) + 1);
  });

  it('sends print_receipt=false as asked', async () => {
    const created = await client.createSettlement(CUIT, OTHER, false);
    expect(created.settlements_data.print_receipt).toBe(false);
    const [request] = (await h.control.requests({ method: 'POST', path: '/terminal_settlements/settlements' })).slice(-1);
    expect(request?.query).toMatchObject({ terminal_id: OTHER, print_receipt: 'false', subnet_acquirer_id: '1', cuit_cuil: CUIT });
    await settled(created.settlements_data.settlement_id);
  });

  it('waits on a manual terminal until someone takes it there', async () => {
    const created = await client.createSettlement(CUIT, MANUAL, true);
    const id = created.settlements_data.settlement_id;
    expect((await client.getSettlement(CUIT, id)).settlements_data.settlement_status).toBe('SETTLEMENT_REQUEST');
    expect((await h.control.approve(MANUAL, id)).status).toBe(200);
    expect(classifySettlementStatus((await settled(id)).settlements_data.settlement_status)).toBe('approved');
  });

  it('lists settlements by terminal and status, with pages', async () => {
    const from = new Date();
    const a = await client.createSettlement(CUIT, TERMINAL, false);
    await settled(a.settlements_data.settlement_id);
    const b = await client.createSettlement(CUIT, TERMINAL, false);
    await settled(b.settlements_data.settlement_id);

    const byTerminal = await client.listSettlements(CUIT, { terminalId: TERMINAL, statuses: ['CONFIRMED'], from });
    expect(byTerminal.settlements.map((s) => s.settlements_data.settlement_id)).toEqual([
      a.settlements_data.settlement_id,
      b.settlements_data.settlement_id,
    ]);
    expect(byTerminal.total).toBe(2);
    const page2 = await client.listSettlements(CUIT, { terminalId: TERMINAL, from, page: 2, pageSize: 1 });
    expect(page2).toMatchObject({ page: 2, pageSize: 1, total: 2 });
    expect(page2.settlements[0]?.settlements_data.settlement_id).toBe(b.settlements_data.settlement_id);
    const elsewhere = await client.listSettlements(CUIT, { terminalId: OTHER, from });
    expect(elsewhere.settlements).toEqual([]);
  });

  it('a lost create answer is TIMEOUT with an unknown outcome, never sent again; the settlement is found in the terminal’s list', async () => {
    const impatient = h.client({ createTimeoutMs: 300 });
    const from = new Date();
    // The sandbox holds the answer past the client's patience, then handles the request anyway.
    await h.control.addFault({ match: { method: 'POST', path: SETTLEMENTS_PATH }, latencyMs: 900 });
    try {
      const started = Date.now();
      const err = await paystoreFailure(impatient.createSettlement(CUIT, LOST, true));
      expect(Date.now() - started).toBeLessThan(900);
      expect(err).toMatchObject({ code: PaystoreErrorCode.Timeout, outcome: 'unknown', operation: 'settlement.create' });
      expect(isOutcomeUnknown(err)).toBe(true);
    } finally {
      await h.control.clearFaults();
    }
    const listed = await eventually(() => impatient.listSettlements(CUIT, { terminalId: LOST, from }), (l) => l.total > 0);
    expect(listed.settlements).toHaveLength(1);
    const done = await settled(listed.settlements[0]?.settlements_data.settlement_id as string);
    expect(classifySettlementStatus(done.settlements_data.settlement_status)).toBe('approved');
    const creates = (await h.control.requests({ method: 'POST', path: SETTLEMENTS_PATH })).filter((r) => r.query.terminal_id === LOST);
    expect(creates).toHaveLength(1);
  });

  it('answers 400 for an unknown terminal and 404 for an unknown settlement', async () => {
    const bad = await paystoreFailure(client.createSettlement(CUIT, '38000000', true));
    expect(bad).toMatchObject({ code: PaystoreErrorCode.BadRequest, outcome: 'not_applied', operation: 'settlement.create' });
    const missing = await paystoreFailure(client.getSettlement(CUIT, '00000000-0000-4000-8000-000000000000'));
    expect(missing).toMatchObject({ code: PaystoreErrorCode.NotFound, outcome: 'not_applied' });
  });
});
