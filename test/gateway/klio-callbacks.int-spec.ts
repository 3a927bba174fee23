// Klio's task callbacks are hints: a known, unfinished Klio operation's job is brought forward;
// anything else is ignored with the same 204, and nothing is written.
import { randomUUID } from 'node:crypto';
import { OperationView, QueueName } from '@app/contracts';
import { createQueue } from '@app/jobs';
import type { Queue } from 'bullmq';
import { Gateway, startGateway } from './gateway.harness';

describe('Klio callbacks', () => {
  let gw: Gateway;
  let queue: Queue;
  let merchant: { id: string; apiKey: string };
  const token = `cb-${randomUUID()}`;
  const terminal = `klio-${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    gw = await startGateway({ KLIO_CALLBACK_TOKEN: token });
    queue = createQueue(QueueName.Payments, gw.redis.client, gw.redis.prefix);
    merchant = await gw.createMerchant();
    await gw.request('PUT', `/v1/admin/merchants/${merchant.id}/terminals/${terminal}`, {
      key: gw.adminKey,
      body: { provider: 'klio', deviceId: `dev-${randomUUID().slice(0, 8)}` },
    });
  });
  afterAll(async () => {
    await queue.close();
    await gw.close();
  });

  const callback = (body: unknown, query = `?token=${token}`) =>
    gw.request<{ code?: string }>('POST', `/v1/providers/klio/callbacks${query}`, { key: null, body });

  async function klioPayment(): Promise<string> {
    const res = await gw.request<OperationView>('POST', '/v1/payments', {
      key: merchant.apiKey,
      body: { terminalIds: [terminal], amount: 10000, currency: 'ARS' },
      headers: { 'idempotency-key': randomUUID() },
    });
    expect(res.status).toBe(202);
    return res.body.id;
  }

  it('brings the job of the task’s operation forward', async () => {
    const id = await klioPayment();
    // As if its next poll were a minute away.
    const job = await queue.getJob(id);
    if (!job) throw new Error('the payment has no job');
    await job.remove();
    await queue.add(job.name, job.data, { jobId: id, delay: 60_000 });
    expect(await (await queue.getJob(id))?.getState()).toBe('delayed');

    const res = await callback({ originID: id, taskId: 't-1', status: 'Completed', cardPaymentaData: { status: 'APPROVED' } });
    expect(res.status).toBe(204);
    expect(await (await queue.getJob(id))?.getState()).toBe('waiting');
  });

  it('answers 204 for unknown ids and lists of tasks, writing nothing', async () => {
    const before = await gw.counts();
    expect((await callback([{ originID: 'pay_unknown' }, { originID: 'pay_other', extra: { nested: true } }])).status).toBe(204);
    expect(await gw.counts()).toEqual(before);
  });

  it('answers 401 without the configured token, and 400 for a body without originID', async () => {
    const id = await klioPayment();
    expect((await callback({ originID: id }, '')).status).toBe(401);
    expect((await callback({ originID: id }, '?token=wrong')).status).toBe(401);
    const bad = await callback({ taskId: 'x' });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('REQUEST.VALIDATION_FAILED');
  });
});
