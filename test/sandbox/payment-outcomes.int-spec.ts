import type { RunningSandbox } from '../../apps/sandbox/src/sandbox.app';
import { isFinal, PAYMENTS, sleep, withSandbox, type PaymentEnvelope, type SandboxHttp } from './sandbox-http';

const T1 = '38030001';
const SLOW_MS = 400;

describe('sandbox payment outcomes by amount', () => {
  let sandbox: RunningSandbox;
  let http: SandboxHttp;

  beforeAll(async () => {
    ({ sandbox, http } = await withSandbox({ takeDelayMs: 20, slowMs: SLOW_MS }));
    await http.terminal(T1);
  });
  afterAll(() => sandbox.close());

  async function pay(amount: string, extra: Record<string, unknown> = {}): Promise<PaymentEnvelope> {
    const created = await http.createPayment(amount, [T1], extra);
    expect(created.status).toBe(200);
    expect(created.body.payment_data.payment_status).toBe('PAYMENT_REQUEST');
    return created.body;
  }

  it.each(['1500', '1501', '1502', '1503', '1504', '1511', '1599'])('approves %s as CONFIRMED with realistic card data', async (amount) => {
    const created = await pay(amount);
    const data = await http.waitPayment(created.payment_data.payment_id, isFinal);
    expect(data).toMatchObject({
      payment_status: 'CONFIRMED',
      terminal_id: T1,
      authorized_payment_amount: amount,
      card_brand: 'VISA',
      card_brand_product: 'VI',
      acquirer_id: 'PRISMA',
      card_type: 'CHIP',
      batch_number: '1',
      installments_number: 1,
    });
    expect(data.bin).toMatch(/^4\d{5}$/);
    expect(data.last_four_digits).toMatch(/^\d{4}$/);
    expect(data.authorization_code).toMatch(/^\w{6}$/);
    expect(data.transaction_receipt).toMatch(/^\d+$/);
    expect(data.client_receipt_detail).toContain(`**** ${data.last_four_digits}`);
    expect(data.merchant_receipt_detail).toContain('COPIA COMERCIO');
    // Never a full card number: no run of 13+ digits in the receipts or card fields.
    const { client_receipt_detail, merchant_receipt_detail, bin, last_four_digits, card_holder } = data;
    expect(JSON.stringify({ client_receipt_detail, merchant_receipt_detail, bin, last_four_digits, card_holder })).not.toMatch(/\d{13,19}/);
  });

  it('declines 05 with the acquirer message DENEGADA', async () => {
    const created = await pay('1505');
    const data = await http.waitPayment(created.payment_data.payment_id, isFinal);
    expect(data).toMatchObject({ payment_status: 'DECLINED', acquirer_additional_message: 'DENEGADA', authorization_code: null, authorized_payment_amount: null });
  });

  it('ends 06 in ERROR', async () => {
    const created = await pay('1506');
    const data = await http.waitPayment(created.payment_data.payment_id, isFinal);
    expect(data.payment_status).toBe('ERROR');
  });

  it('leaves 07 in PAYMENT_REQUEST: no terminal takes it', async () => {
    const created = await pay('1507');
    await sleep(200);
    const data = (await http.getPayment(created.payment_data.payment_id)).payment_data;
    expect(data).toMatchObject({ payment_status: 'PAYMENT_REQUEST', terminal_id: null });
  });

  it('keeps 08 in PROCESSING_PAYMENT for the slow time, then approves it', async () => {
    const created = await pay('1508');
    await sleep(100);
    const during = (await http.getPayment(created.payment_data.payment_id)).payment_data;
    expect(during).toMatchObject({ payment_status: 'PROCESSING_PAYMENT', terminal_id: T1 });
    const after = await http.waitPayment(created.payment_data.payment_id, isFinal, SLOW_MS + 2_000);
    expect(after.payment_status).toBe('CONFIRMED');
    expect(Date.parse(after.payment_status_date) - Date.parse(during.payment_status_date)).toBeGreaterThanOrEqual(SLOW_MS);
  });

  it('stores 09 but never answers the create; the intent is found by ecr_transaction_id', async () => {
    const body = http.paymentBody('1509', [T1]);
    const ecr = (body.payment_request_data as { ecr_transaction_id: string }).ecr_transaction_id;
    const token = await http.fetchToken();
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), 300);
    const started = Date.now();
    const outcome = await fetch(`${sandbox.url}${PAYMENTS}?cuit_cuil=30-71234567-8`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: abort.signal,
    }).then(
      () => 'answered',
      (error: Error) => error.name,
    );
    clearTimeout(timer);
    expect(outcome).toBe('AbortError');
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    const search = await http.api<{ payments: PaymentEnvelope[]; total: number }>('POST', `${PAYMENTS}/searches`, { body: { ecr_transaction_id: ecr } });
    expect(search.body.total).toBe(1);
    const data = await http.waitPayment(search.body.payments[0].payment_data.payment_id, isFinal);
    expect(data.payment_status).toBe('CONFIRMED');
    const log = await http.control<{ data: Array<{ method: string; path: string; status: number | null; body: unknown }> }>('GET', `/sandbox/requests?method=POST&path=${PAYMENTS}`);
    const creates = log.body.data.filter((entry) => entry.path === PAYMENTS && JSON.stringify(entry.body).includes(ecr));
    expect(creates).toHaveLength(1);
    expect(creates[0].status).toBeNull();
  });

  it('answers 10 with 503 and creates nothing', async () => {
    const body = http.paymentBody('1510', [T1]);
    const ecr = (body.payment_request_data as { ecr_transaction_id: string }).ecr_transaction_id;
    const result = await http.api('POST', PAYMENTS, { body, subnet: false });
    expect(result.status).toBe(503);
    expect((result.body as { errors: Array<{ status: string; code: string }> }).errors[0]).toMatchObject({ status: '503', code: 'SERVICE_UNAVAILABLE' });
    const search = await http.api<{ total: number }>('POST', `${PAYMENTS}/searches`, { body: { ecr_transaction_id: ecr } });
    expect(search.body.total).toBe(0);
  });

  it('charges AMEX when the request asks for AM', async () => {
    const created = await pay('1500', { card_brand_product: 'AM' });
    const data = await http.waitPayment(created.payment_data.payment_id, isFinal);
    expect(data).toMatchObject({ payment_status: 'CONFIRMED', card_brand_product: 'AM', card_brand: 'AMERICAN EXPRESS', acquirer_id: 'AMEX' });
    expect(data.bin).toMatch(/^3[47]\d{4}$/);
  });

  it('charges AMEX for amounts whose last three digits are 7xx', async () => {
    const created = await pay('1750');
    const data = await http.waitPayment(created.payment_data.payment_id, isFinal);
    expect(data).toMatchObject({ payment_status: 'CONFIRMED', card_brand_product: 'AM', acquirer_id: 'AMEX' });
  });

  it('charges Mastercard when the request asks for MC', async () => {
    const created = await pay('1500', { card_brand_product: 'MC' });
    const data = await http.waitPayment(created.payment_data.payment_id, isFinal);
    expect(data).toMatchObject({ card_brand_product: 'MC', card_brand: 'MASTERCARD' });
    expect(data.bin).toMatch(/^5\d{5}$/);
  });

  it('pays QR from a wallet: card_type QR_CODE, a qr_code_id and no card data', async () => {
    const created = await pay('2500', { terminal_operation_method: 'QR_CODE' });
    const data = await http.waitPayment(created.payment_data.payment_id, isFinal);
    expect(data).toMatchObject({ payment_status: 'CONFIRMED', card_type: 'QR_CODE', bin: null, last_four_digits: null, card_brand_product: null });
    expect(data.qr_code_id).toMatch(/^QR\d+$/);
    expect(data.card_brand).toEqual(expect.any(String));
    expect(data.qr_original_amount).toBe('2500');
  });

  it('echoes installments and the request data as sent', async () => {
    const created = await pay('3000', { installments_number: 6, payment_plan_id: 'PLAN-6' });
    expect(created.payment_request_data).toMatchObject({ installments_number: 6, payment_plan_id: 'PLAN-6', payment_amount: '3000' });
    const data = await http.waitPayment(created.payment_data.payment_id, isFinal);
    expect(data).toMatchObject({ installments_number: 6, payment_plan_id: 'PLAN-6' });
  });

  it('answers 404 for a payment id that does not exist or belongs to another CUIT', async () => {
    const created = await pay('1500');
    const missing = await http.api('GET', `${PAYMENTS}/no-such-id`);
    expect(missing.status).toBe(404);
    const foreign = await http.api('GET', `${PAYMENTS}/${created.payment_data.payment_id}`, { cuit: '30-99999999-1' });
    expect(foreign.status).toBe(404);
  });

  it('searches by status and date range, oldest first, with pages', async () => {
    const from = new Date().toISOString();
    await sleep(5);
    const a = await pay('4205');
    const b = await pay('4200');
    await http.waitPayment(a.payment_data.payment_id, isFinal);
    await http.waitPayment(b.payment_data.payment_id, isFinal);
    const page1 = await http.api<{ payments: PaymentEnvelope[]; total: number; page: number; page_size: number }>('POST', `${PAYMENTS}/searches`, {
      body: { date_from: from, page: 1, page_size: 1 },
    });
    expect(page1.body).toMatchObject({ total: 2, page: 1, page_size: 1 });
    expect(page1.body.payments[0].payment_data.payment_id).toBe(a.payment_data.payment_id);
    const page2 = await http.api<{ payments: PaymentEnvelope[] }>('POST', `${PAYMENTS}/searches`, { body: { date_from: from, page: 2, page_size: 1 } });
    expect(page2.body.payments[0].payment_data.payment_id).toBe(b.payment_data.payment_id);
    const declined = await http.api<{ payments: PaymentEnvelope[]; total: number }>('POST', `${PAYMENTS}/searches`, {
      body: { date_from: from, payment_status: ['DECLINED'] },
    });
    expect(declined.body.payments.map((p) => p.payment_data.payment_id)).toEqual([a.payment_data.payment_id]);
    const future = await http.api<{ total: number }>('POST', `${PAYMENTS}/searches`, { body: { date_from: new Date(Date.now() + 60_000).toISOString() } });
    expect(future.body.total).toBe(0);
  });
});
