// Postgres out of reach (here: the pool's only connection held elsewhere) is a 503 with
// Retry-After, never a 500; the same command sent again with its key then goes through once.
import { randomUUID } from 'node:crypto';
import type { OperationView } from '@app/contracts';
import { DataSource } from 'typeorm';
import { Gateway, startGateway } from './gateway.harness';

describe('gateway with its database out of reach', () => {
  let gw: Gateway;
  let merchant: { id: string; apiKey: string };
  let terminal: string;

  beforeAll(async () => {
    gw = await startGateway({ DATABASE_POOL_SIZE: 1 });
    merchant = await gw.createMerchant();
    terminal = await gw.registerTerminal(merchant.id);
  });
  afterAll(async () => gw?.close());

  it('answers 503 SERVICE.UNAVAILABLE with Retry-After, and the retry with the same key makes one payment', async () => {
    const key = randomUUID();
    const pay = () =>
      gw.request<OperationView & { code?: string }>('POST', '/v1/payments', {
        key: merchant.apiKey,
        body: { terminalIds: [terminal], amount: 10000, currency: 'ARS' },
        headers: { 'idempotency-key': key },
      });
    const held = gw.app.get(DataSource).createQueryRunner();
    await held.connect();
    const before = await gw.counts();
    let answer;
    try {
      answer = await pay();
    } finally {
      await held.release();
    }
    expect(answer.status).toBe(503);
    expect(answer.headers.get('retry-after')).toBe('1');
    expect(answer.body.code).toBe('SERVICE.UNAVAILABLE');
    expect(await gw.counts()).toEqual(before);

    const retried = await pay();
    expect(retried.status).toBe(202);
    const again = await pay();
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body.id).toBe(retried.body.id);
  });
});
