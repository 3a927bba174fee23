import type { RunningSandbox } from '../../apps/sandbox/src/sandbox.app';
import { CUIT, PAYMENTS, withSandbox, type ErrorBody, type SandboxHttp } from './sandbox-http';

interface LoggedRequest {
  at: string;
  method: string;
  path: string;
  query: Record<string, unknown>;
  body: unknown;
  status: number | null;
}

interface FaultView {
  id: string;
  errorRate: number;
  status: number;
}

const T1 = '38080001';

describe('sandbox control: faults, request log, reset', () => {
  let sandbox: RunningSandbox;
  let http: SandboxHttp;

  beforeAll(async () => {
    ({ sandbox, http } = await withSandbox({ takeDelayMs: 10, terminals: [{ terminalId: T1, cuit: CUIT }] }));
  });
  afterAll(() => sandbox.close());
  afterEach(async () => {
    await http.control('DELETE', '/sandbox/faults');
  });

  async function logged(filter = ''): Promise<LoggedRequest[]> {
    return (await http.control<{ data: LoggedRequest[] }>('GET', `/sandbox/requests${filter}`)).body.data;
  }

  async function paymentsFor(ecr: string): Promise<number> {
    return (await http.api<{ total: number }>('POST', `${PAYMENTS}/searches`, { body: { ecr_transaction_id: ecr } })).body.total;
  }

  it('fails every matching create with 503 at errorRate 1, creating nothing, until the faults are cleared', async () => {
    await http.fetchToken();
    const fault = await http.control<{ data: FaultView }>('POST', '/sandbox/faults', { match: { method: 'POST', path: PAYMENTS }, errorRate: 1 });
    expect(fault.status).toBe(200);
    expect(fault.body.data).toMatchObject({ id: expect.any(String), errorRate: 1, status: 503 });

    const body = http.paymentBody('1500', [T1]);
    const ecr = (body.payment_request_data as { ecr_transaction_id: string }).ecr_transaction_id;
    const failed = await http.api<ErrorBody>('POST', PAYMENTS, { body, subnet: false });
    expect(failed.status).toBe(503);
    expect(failed.body.errors[0]).toMatchObject({ status: '503', code: 'SERVICE_UNAVAILABLE' });
    expect((await http.control('DELETE', '/sandbox/faults')).status).toBe(200);
    expect(await paymentsFor(ecr)).toBe(0);
    expect((await http.control<{ data: unknown[] }>('GET', '/sandbox/faults')).body.data).toEqual([]);
    const ok = await http.api('POST', PAYMENTS, { body, subnet: false });
    expect(ok.status).toBe(200);
    expect(await paymentsFor(ecr)).toBe(1);
  });

  it('answers the configured status and fails the given share of requests, deterministically', async () => {
    await http.control('POST', '/sandbox/faults', { match: { path: '/health/liveness' }, errorRate: 0.5, status: 500 });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i += 1) statuses.push((await http.api('GET', '/v1/paystore_terminals/terminal_payments/health/liveness', { cuit: null, subnet: false })).status);
    expect(statuses).toEqual([200, 500, 200, 500]);
  });

  it('delays with latencyMs and then handles the request', async () => {
    await http.control('POST', '/sandbox/faults', { match: { path: '/health/liveness' }, latencyMs: 200 });
    const started = Date.now();
    const result = await http.api('GET', '/v1/paystore_terminals/terminal_payments/health/liveness', { cuit: null, subnet: false });
    expect(result.status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
  });

  it('drops the connection when asked, and creates nothing', async () => {
    await http.fetchToken();
    await http.control('POST', '/sandbox/faults', { match: { method: 'POST', path: PAYMENTS }, dropConnection: true });
    const body = http.paymentBody('1500', [T1]);
    const ecr = (body.payment_request_data as { ecr_transaction_id: string }).ecr_transaction_id;
    await expect(http.api('POST', PAYMENTS, { body, subnet: false })).rejects.toThrow();
    await http.control('DELETE', '/sandbox/faults');
    expect(await paymentsFor(ecr)).toBe(0);
  });

  it('expires a fault after forSeconds', async () => {
    await http.control('POST', '/sandbox/faults', { match: { path: '/health/liveness' }, forSeconds: 0.2 });
    const path = '/v1/paystore_terminals/terminal_payments/health/liveness';
    expect((await http.api('GET', path, { cuit: null, subnet: false })).status).toBe(503);
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect((await http.api('GET', path, { cuit: null, subnet: false })).status).toBe(200);
  });

  it('never faults the sandbox routes themselves', async () => {
    await http.control('POST', '/sandbox/faults', {});
    expect((await http.control('GET', '/sandbox/terminals')).status).toBe(200);
  });

  it('rejects a malformed fault', async () => {
    expect((await http.control('POST', '/sandbox/faults', { errorRate: 2 })).status).toBe(400);
    expect((await http.control('POST', '/sandbox/faults', { status: 200 })).status).toBe(400);
  });

  it('logs provider requests oldest first with path, query, body and status, and filters them', async () => {
    const body = http.paymentBody('1500', [T1]);
    const ecr = (body.payment_request_data as { ecr_transaction_id: string }).ecr_transaction_id;
    const created = await http.api<{ payment_data: { payment_id: string } }>('POST', PAYMENTS, { body, subnet: false });
    await http.api('GET', `${PAYMENTS}/${created.body.payment_data.payment_id}`);
    await http.control('GET', '/sandbox/terminals');

    const all = await logged();
    expect(all.every((entry) => !entry.path.startsWith('/sandbox'))).toBe(true);
    const times = all.map((entry) => Date.parse(entry.at));
    expect([...times].sort((a, b) => a - b)).toEqual(times);

    const creates = (await logged(`?method=post&path=${encodeURIComponent(PAYMENTS)}`)).filter((entry) => JSON.stringify(entry.body).includes(ecr));
    expect(creates).toEqual([{ at: expect.any(String), method: 'POST', path: PAYMENTS, query: { cuit_cuil: CUIT }, body, status: 200 }]);
    const get = await logged(`?path=${created.body.payment_data.payment_id}`);
    expect(get).toEqual([expect.objectContaining({ method: 'GET', query: { cuit_cuil: CUIT, subnet_acquirer_id: '1' }, body: null, status: 200 })]);
  });

  it('logs rejected requests with their status, and failed faults too', async () => {
    await http.api('GET', `${PAYMENTS}/x`, { cuit: null });
    const last = (await logged()).at(-1);
    expect(last).toMatchObject({ method: 'GET', path: `${PAYMENTS}/x`, status: 400 });
  });

  it('forgets intents, faults, tokens and the log on reset; configured terminals come back', async () => {
    await http.terminal('38080002');
    const created = await http.createPayment('1500', [T1]);
    await http.control('POST', '/sandbox/faults', { match: { path: '/nothing' } });
    const reset = await http.control('POST', '/sandbox/reset', {});
    expect(reset.status).toBe(200);

    expect(await logged()).toEqual([]);
    expect((await http.control<{ data: unknown[] }>('GET', '/sandbox/faults')).body.data).toEqual([]);
    const terminals = (await http.control<{ data: Array<{ terminalId: string }> }>('GET', '/sandbox/terminals')).body.data.map((t) => t.terminalId);
    expect(terminals).toEqual([T1]);
    // The old token is forgotten too: a client has to fetch a new one.
    expect((await http.api('GET', `${PAYMENTS}/${created.body.payment_data.payment_id}`)).status).toBe(401);
    await http.fetchToken();
    expect((await http.api('GET', `${PAYMENTS}/${created.body.payment_data.payment_id}`)).status).toBe(404);
  });
});

describe('sandbox request log limit', () => {
  let sandbox: RunningSandbox;
  let http: SandboxHttp;

  beforeAll(async () => {
    ({ sandbox, http } = await withSandbox({ requestLogLimit: 3 }));
  });
  afterAll(() => sandbox.close());

  it('keeps only the newest entries beyond SANDBOX_REQUEST_LOG_LIMIT', async () => {
    for (let i = 1; i <= 5; i += 1) await http.raw('GET', `/v1/unknown/${i}`);
    const entries = (await http.control<{ data: LoggedRequest[] }>('GET', '/sandbox/requests')).body.data;
    expect(entries.map((e) => e.path)).toEqual(['/v1/unknown/3', '/v1/unknown/4', '/v1/unknown/5']);
  });
});
