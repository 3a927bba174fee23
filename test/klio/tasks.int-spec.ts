// Contract: the Klio client against the sandbox — auth, payments by magic amounts, QR, look-ups
// by originID, cancel, multi-task requests, the device list and callbacks.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KlioErrorCode, KlioTask } from '@app/klio-client';
import {
  cardPayment,
  DEVICE,
  DEVICE_2,
  eventually,
  klioFailure,
  KlioHarness,
  origin,
  qrPayment,
  startKlioHarness,
  TASKS_PATH,
} from './klio.harness';

let h: KlioHarness;

beforeAll(async () => {
  h = await startKlioHarness();
});

afterAll(() => h.close());

beforeEach(() => h.control.reset());

const final = (t: KlioTask) => ['Completed', 'Failed', 'Canceled'].includes(t.status);

describe('auth', () => {
  it('sends the bare token and gets one token for many calls', async () => {
    const client = h.client();
    await client.listDevices();
    await client.listDevices();
    const log = await h.control.requests();
    expect(log.filter((r) => r.path === '/external/auth-api/token')).toHaveLength(1);
    expect(log.filter((r) => r.path.endsWith('/get-pos-devices'))).toHaveLength(2);
  });

  it('wrong credentials fail as not sent, without leaking the secret', async () => {
    const client = h.client({ clientSecret: 'a-wrong-secret-value' });
    const err = await klioFailure(client.listDevices());
    expect(err).toMatchObject({ code: KlioErrorCode.Unauthorized, outcome: 'not_sent', httpStatus: 401 });
    expect(JSON.stringify(err.toJSON())).not.toContain('a-wrong-secret-value');
  });

  it('re-authenticates once on a 401 and replays the call', async () => {
    const client = h.client();
    await client.listDevices();
    // Forget every token on the sandbox side: the cached one is now stale.
    await h.control.reset();
    const devices = await client.listDevices();
    expect(devices.length).toBeGreaterThan(0);
    const log = await h.control.requests();
    expect(log.map((r) => `${r.status} ${r.path}`)).toEqual([
      '401 /external/posdevice-api/get-pos-devices',
      '200 /external/auth-api/token',
      '200 /external/posdevice-api/get-pos-devices',
    ]);
  });
});

describe('payments', () => {
  it('an approved card payment completes with card, authorization and ticket', async () => {
    const client = h.client();
    const created = await client.submitTask(DEVICE, cardPayment(1500));
    expect(created).toMatchObject({ originID: expect.any(String), status: 'Created', paymentaData: null });
    const done = await eventually(() => client.getTask(created.taskId), final);
    expect(done.status).toBe('Completed');
    expect(done.paymentaData?.cardPaymentaData).toMatchObject({
      status: 'APPROVED',
      cardBrand: 'VISA',
      lastFourDigits: expect.stringMatching(/^\d{4}$/),
      authorizationCode: expect.stringMatching(/^\d{6}$/),
      ticketNumber: expect.any(String),
      terminalId: '71000001',
    });
  });

  it('amount ending in 05 is rejected by the issuer', async () => {
    const client = h.client();
    const created = await client.submitTask(DEVICE, cardPayment(15.05));
    const done = await eventually(() => client.getTask(created.taskId), final);
    expect(done.status).toBe('Completed');
    expect(done.paymentaData?.cardPaymentaData).toMatchObject({ status: 'REJECTED', message: 'DENEGADA', authorizationCode: null });
  });

  it('amount ending in 06 fails on the device', async () => {
    const client = h.client();
    const created = await client.submitTask(DEVICE, cardPayment(15.06));
    const done = await eventually(() => client.getTask(created.taskId), final);
    expect(done).toMatchObject({ status: 'Failed', paymentaData: null });
  });

  it('amount ending in 10 answers 503 and creates nothing', async () => {
    const client = h.client();
    const task = cardPayment(15.1);
    const err = await klioFailure(client.submitTask(DEVICE, task));
    expect(err).toMatchObject({ code: KlioErrorCode.Unavailable, outcome: 'not_applied', httpStatus: 503 });
    expect(await client.findTasksByOriginId(task.originID)).toEqual([]);
  });

  it('a QR payment is collected from a wallet', async () => {
    const client = h.client();
    const created = await client.submitTask(DEVICE, qrPayment(2000));
    const done = await eventually(() => client.getTask(created.taskId), final);
    expect(done.status).toBe('Completed');
    expect(done.paymentaData?.qrPaymentaData).toMatchObject({ status: 'COLLECTED', qrId: expect.stringMatching(/^QR\d+$/) });
    expect(done.paymentaData?.cardPaymentaData ?? null).toBeNull();
  });

  it('a QR that is never paid (05) expires', async () => {
    const client = h.client();
    const created = await client.submitTask(DEVICE, qrPayment(20.05));
    const done = await eventually(() => client.getTask(created.taskId), final);
    expect(done.paymentaData?.qrPaymentaData?.status).toBe('EXPIRED');
  });

  it('is found by originID', async () => {
    const client = h.client();
    const task = cardPayment(1500);
    const created = await client.submitTask(DEVICE, task);
    const found = await client.findTaskByOriginId(task.originID);
    expect(found?.taskId).toBe(created.taskId);
    expect(await client.findTaskByOriginId(origin('nobody'))).toBeNull();
  });

  it('a reused originID is a conflict', async () => {
    const client = h.client();
    const task = cardPayment(1500);
    await client.submitTask(DEVICE, task);
    const err = await klioFailure(client.submitTask(DEVICE, task));
    expect(err).toMatchObject({ code: KlioErrorCode.Conflict, outcome: 'conflict', providerCode: 'DUPLICATE_ORIGIN_ID' });
  });

  it('the sandbox refuses what breaks the wire contract', async () => {
    const client = h.client();
    const unknownDevice = await klioFailure(client.submitTask('NOPE-DEVICE', cardPayment(10)));
    expect(unknownDevice).toMatchObject({ code: KlioErrorCode.BadRequest, outcome: 'rejected', providerCode: 'DEVICE_NOT_FOUND' });

    const res = await fetch(`${h.sandbox.url}${TASKS_PATH}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: await token() },
      body: JSON.stringify({ target: { deviceId: DEVICE }, tasks: [{ payment: { ...cardPayment(10), originalAmount: { amount: -1, currency: 'USD' } } }] }),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: 'VALIDATION_ERROR', message: expect.stringContaining('originalAmount.amount') });
  });

  it('a body that is not JSON, or a token with a scheme, is refused', async () => {
    const bare = await token();
    const broken = await fetch(`${h.sandbox.url}${TASKS_PATH}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: bare }, body: '{"target":' });
    expect(broken.status).toBe(400);
    const bearer = await fetch(`${h.sandbox.url}${TASKS_PATH}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${bare}` },
      body: JSON.stringify({ target: { deviceId: DEVICE }, tasks: [{ payment: cardPayment(10) }] }),
    });
    expect(bearer.status).toBe(401);
    expect(await bearer.json()).toMatchObject({ code: 'INVALID_TOKEN' });
  });
});

async function token(): Promise<string> {
  const res = await fetch(`${h.sandbox.url}/external/auth-api/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ clientId: 'klio-contract', clientSecret: 'klio-contract-secret-0123' }),
  });
  return ((await res.json()) as { accessToken: string }).accessToken;
}

describe('cancel', () => {
  it('cancels a task no device took (07), then a processed one is a conflict', async () => {
    const client = h.client();
    const waiting = await client.submitTask(DEVICE, cardPayment(15.07));
    const cancelled = await client.cancelTask(waiting.taskId);
    expect(cancelled.status).toBe('Canceled');

    const paid = await client.submitTask(DEVICE, cardPayment(1500));
    await eventually(() => client.getTask(paid.taskId), final);
    const err = await klioFailure(client.cancelTask(paid.taskId));
    expect(err).toMatchObject({ code: KlioErrorCode.Conflict, outcome: 'conflict', httpStatus: 409 });
  });

  it('an unknown task is not found', async () => {
    const err = await klioFailure(h.client().getTask('999999'));
    expect(err).toMatchObject({ code: KlioErrorCode.NotFound, outcome: 'rejected' });
  });
});

describe('several tasks in one request', () => {
  it('runs them in executionOrder on the device', async () => {
    const client = h.client();
    const first = cardPayment(100, origin('second'), { executionOrder: 2 });
    const second = cardPayment(200, origin('first'), { executionOrder: 1 });
    const tasks = await client.submitTasks({ target: { deviceId: DEVICE_2 }, tasks: [{ payment: first }, { payment: second }] });
    expect(tasks.map((t) => t.executionOrder)).toEqual([1, 2]);
    const done = await Promise.all(tasks.map((t) => eventually(() => client.getTask(t.taskId), final)));
    const completedAt = done.map((t) => t.statusDate ?? '');
    expect(done.every((t) => t.status === 'Completed')).toBe(true);
    expect(completedAt[0] <= completedAt[1]).toBe(true);
  });

  it('the client refuses several tasks without distinct executionOrder, unsent', async () => {
    const client = h.client();
    const err = await klioFailure(
      client.submitTasks({ target: { deviceId: DEVICE }, tasks: [{ payment: cardPayment(1) }, { payment: cardPayment(2) }].map((t) => ({ payment: { ...t.payment, executionOrder: 1 } })) }),
    );
    expect(err).toMatchObject({ code: KlioErrorCode.Invalid, outcome: 'rejected' });
    expect(await h.control.requests({ path: TASKS_PATH })).toEqual([]);
  });

  it('the sandbox also refuses them', async () => {
    const res = await fetch(`${h.sandbox.url}${TASKS_PATH}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: await token() },
      body: JSON.stringify({ target: { deviceId: DEVICE }, tasks: [{ payment: qrPayment(1) }, { payment: qrPayment(2) }] }),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toContain('executionOrder');
  });
});

describe('devices', () => {
  it('lists the account devices, typed', async () => {
    const client = h.client();
    await h.control.addDevice({ deviceId: 'ADDED-DEVICE-1', mode: 'DEFAULT', terminalId: '71000099' });
    const devices = await client.listDevices();
    expect(devices.map((d) => d.deviceId)).toEqual([DEVICE, DEVICE_2, 'ADDED-DEVICE-1']);
    expect(devices[0]).toMatchObject({ deviceName: 'Caja 1', terminalId: '71000001', deviceMode: 'UNATTENDED', serialNumber: expect.any(String) });
    expect(devices[2]?.deviceMode).toBe('DEFAULT');
  });

  it('a DEFAULT-mode device waits for the person at the POS', async () => {
    const client = h.client();
    const { deviceId } = await h.control.addDevice({ mode: 'DEFAULT' });
    const created = await client.submitTask(deviceId, cardPayment(1500));
    await new Promise((r) => setTimeout(r, 100));
    expect((await client.getTask(created.taskId)).status).toBe('Created');
    const page = await (await fetch(`${h.sandbox.url}/sandbox/pos`)).text();
    expect(page).toContain(`data-testid="klio-approve-${created.taskId}"`);
    await h.control.approve(created.taskId);
    expect((await client.getTask(created.taskId)).paymentaData?.cardPaymentaData?.status).toBe('APPROVED');
  });

  it('the person at a device can cancel a task it has not finished, and only that', async () => {
    const client = h.client();
    const { deviceId } = await h.control.addDevice({ mode: 'DEFAULT' });
    const created = await client.submitTask(deviceId, cardPayment(1500));
    const page = await (await fetch(`${h.sandbox.url}/sandbox/pos`)).text();
    expect(page).toContain(`data-testid="klio-cancel-${created.taskId}"`);
    await h.control.post(`/sandbox/klio/tasks/${created.taskId}/cancel`, {});
    const task = await client.getTask(created.taskId);
    expect(task).toMatchObject({ status: 'Canceled', paymentaData: null });
    await expect(h.control.post(`/sandbox/klio/tasks/${created.taskId}/cancel`, {})).rejects.toThrow(/409/);
    await expect(h.control.approve(created.taskId)).rejects.toThrow(/409/);

    const approved = await client.submitTask(deviceId, cardPayment(1600));
    await h.control.approve(approved.taskId);
    await expect(h.control.post(`/sandbox/klio/tasks/${approved.taskId}/cancel`, {})).rejects.toThrow(/409/);
    expect((await client.getTask(approved.taskId)).status).toBe('Completed');
  });
});

describe('callbacks', () => {
  let server: Server;
  const received: Array<{ status: string; originID: string }> = [];

  beforeAll(async () => {
    server = createServer((req: IncomingMessage, res) => {
      let body = '';
      req.on('data', (chunk) => (body += String(chunk)));
      req.on('end', () => {
        received.push(JSON.parse(body) as { status: string; originID: string });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('posts the task to its callbackURL at each status change', async () => {
    const client = h.client();
    const { port } = server.address() as AddressInfo;
    const task = cardPayment(1500, origin('cb'), { callbackURL: `http://127.0.0.1:${port}/klio/callback` });
    await client.submitTask(DEVICE, task);
    await eventually(async () => received.filter((r) => r.originID === task.originID).map((r) => r.status), (s) => s.includes('Completed'));
    expect(received.filter((r) => r.originID === task.originID).map((r) => r.status)).toEqual(['Created', 'InProgress', 'Processed', 'Completed']);
  });

  it('an unreachable callbackURL does not disturb the task', async () => {
    const client = h.client();
    const created = await client.submitTask(DEVICE, cardPayment(1500, origin('cb'), { callbackURL: 'http://127.0.0.1:1/nowhere' }));
    expect((await eventually(() => client.getTask(created.taskId), final)).status).toBe('Completed');
  });
});
