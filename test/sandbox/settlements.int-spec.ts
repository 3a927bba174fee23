import type { RunningSandbox } from '../../apps/sandbox/src/sandbox.app';
import { ecrId, isFinal, REFUNDS, REVERSALS, SETTLEMENTS, sleep, SUBNET, withSandbox, type ErrorBody, type SandboxHttp, type SettlementEnvelope } from './sandbox-http';

const T1 = '38070001';
const T2 = '38070002';

describe('sandbox settlements', () => {
  let sandbox: RunningSandbox;
  let http: SandboxHttp;

  beforeAll(async () => {
    ({ sandbox, http } = await withSandbox({ takeDelayMs: 15 }));
    await http.terminal(T1);
    await http.terminal(T2, undefined, { mode: 'manual' });
  });
  afterAll(() => sandbox.close());

  function settle(terminalId: string, query: Record<string, string> = {}) {
    return http.api<SettlementEnvelope & ErrorBody>('POST', SETTLEMENTS, { query: { terminal_id: terminalId, print_receipt: 'true', ...query } });
  }

  async function waitSettlement(id: string): Promise<SettlementEnvelope['settlements_data']> {
    const deadline = Date.now() + 3_000;
    for (;;) {
      const data = (await http.api<SettlementEnvelope>('GET', `${SETTLEMENTS}/${id}`)).body.settlements_data;
      if (['CONFIRMED', 'DECLINED', 'ERROR'].includes(data.settlement_status) || Date.now() > deadline) return data;
      await sleep(20);
    }
  }

  async function pay(amount: string, extra: Record<string, unknown> = {}): Promise<string> {
    const created = await http.createPayment(amount, [T1], extra);
    return (await http.waitPayment(created.body.payment_data.payment_id, isFinal)).payment_id;
  }

  it('closes the batch with per-brand totals, and the next payment lands in the next batch', async () => {
    await pay('1000');
    await pay('2000');
    await pay('3000', { card_brand_product: 'MC' });
    await pay('4005'); // declined: not in the batch
    const reversed = await pay('500');
    await http.api('POST', REVERSALS, {
      subnet: false,
      body: { reversal_request_data: { subnet_acquirer_id: SUBNET, payment_id: reversed, ecr_transaction_id: ecrId(), terminals_list: [{ terminal_id: T1 }] } },
    });
    const refund = await http.api<{ refund_data: { refund_id: string } }>('POST', REFUNDS, {
      subnet: false,
      body: { subnet_acquirer_id: SUBNET, refund_amount: '1200', ecr_transaction_id: ecrId(), terminals_list: [{ terminal_id: T1 }], card_brand_product: 'AM' },
    });
    expect(refund.status).toBe(200);
    await sleep(100);

    const created = await settle(T1);
    expect(created.status).toBe(200);
    expect(created.body.settlements_data).toMatchObject({ settlement_status: 'SETTLEMENT_REQUEST', terminal_id: T1, print_receipt: true });
    const done = await waitSettlement(created.body.settlements_data.settlement_id);
    expect(done.settlement_status).toBe('CONFIRMED');
    expect(done.batch_number).toBe('1');
    const receipt = done.merchant_receipt_detail ?? '';
    expect(receipt).toContain('CIERRE DE LOTE 1');
    expect(receipt).toMatch(/VISA COMPRAS 3 +\$ 35,00/);
    expect(receipt).toMatch(/MASTERCARD COMPRAS 1 +\$ 30,00/);
    expect(receipt).toMatch(/VISA ANULACIONES 1 +\$ 5,00/);
    expect(receipt).toMatch(/AMERICAN EXPRESS DEVOLUCIONES 1 +\$ 12,00/);
    expect(receipt).toMatch(/NETO +\$ 48,00/);

    const next = await pay('1500');
    expect((await http.getPayment(next)).payment_data.batch_number).toBe('2');
    const terminals = await http.control<{ data: Array<{ terminalId: string; batchNumber: string }> }>('GET', '/sandbox/terminals');
    expect(terminals.body.data.find((t) => t.terminalId === T1)?.batchNumber).toBe('2');

    const second = await settle(T1);
    const secondDone = await waitSettlement(second.body.settlements_data.settlement_id);
    expect(secondDone.batch_number).toBe('2');
    expect(secondDone.merchant_receipt_detail).toMatch(/VISA COMPRAS 1 +\$ 15,00/);
  });

  it('waits on a manual terminal until a person closes the batch', async () => {
    const created = await settle(T2);
    await sleep(100);
    const id = created.body.settlements_data.settlement_id;
    expect((await http.api<SettlementEnvelope>('GET', `${SETTLEMENTS}/${id}`)).body.settlements_data.settlement_status).toBe('SETTLEMENT_REQUEST');
    const intents = await http.control<{ data: Array<{ id: string; kind: string }> }>('GET', `/sandbox/terminals/${T2}/intents`);
    expect(intents.body.data).toEqual([expect.objectContaining({ id, kind: 'settlement' })]);
    await http.control('POST', `/sandbox/terminals/${T2}/approve`, { paymentId: id });
    expect((await waitSettlement(id)).batch_number).toBe('1');
  });

  it('lists settlements per terminal and gets them by id', async () => {
    const list = await http.api<{ settlements: SettlementEnvelope[]; total: number }>('GET', SETTLEMENTS, { query: { terminal_id: T1 } });
    expect(list.body.total).toBe(2);
    expect(list.body.settlements.every((s) => s.settlements_data.terminal_id === T1)).toBe(true);
    expect((await http.api('GET', `${SETTLEMENTS}/nope`)).status).toBe(404);
  });

  it('answers 400 without a terminal_id, for a bad print_receipt, and for another CUIT\'s terminal', async () => {
    expect((await http.api('POST', SETTLEMENTS)).status).toBe(400);
    expect((await settle(T1, { print_receipt: 'yes' })).status).toBe(400);
    const unknown = await settle('38079999');
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors[0].code).toBe('TERMINAL_NOT_FOUND');
  });
});
