import type { RunningSandbox } from '../../apps/sandbox/src/sandbox.app';
import { PAYMENTS, withSandbox, type PaymentEnvelope, type SandboxHttp } from './sandbox-http';

const OPEN_INTENTS = 10_000;
const CONCURRENCY = 50;

describe('sandbox with many open intents', () => {
  let sandbox: RunningSandbox;
  let http: SandboxHttp;
  const terminals = ['38090001', '38090002', '38090003'];

  beforeAll(async () => {
    ({ sandbox, http } = await withSandbox({ takeDelayMs: 0 }));
    for (const terminal of terminals) await http.terminal(terminal, undefined, { mode: 'manual' });
  });
  afterAll(() => sandbox.close());

  it('keeps a get and a search by reference quick with 10,000 open intents', async () => {
    const ids: string[] = [];
    const refs: string[] = [];
    let next = 0;
    const started = Date.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < OPEN_INTENTS) {
          const n = next;
          next += 1;
          const body = http.paymentBody('1500', terminals, { ecr_transaction_id: `scale-${n}` });
          const created = await http.api<PaymentEnvelope>('POST', PAYMENTS, { body, subnet: false });
          if (created.status !== 200) throw new Error(`create ${n}: ${created.status}`);
          ids[n] = created.body.payment_data.payment_id;
          refs[n] = `scale-${n}`;
        }
      }),
    );
    console.log(`created ${OPEN_INTENTS} open intents in ${Date.now() - started} ms`);

    const probe = OPEN_INTENTS / 2;
    let t = performance.now();
    const got = await http.getPayment(ids[probe]);
    console.log(`get one of ${OPEN_INTENTS} open intents: ${(performance.now() - t).toFixed(1)} ms`);
    expect(got.payment_data.payment_status).toBe('PAYMENT_REQUEST');

    t = performance.now();
    const found = await http.api<{ payments: PaymentEnvelope[]; total: number }>('POST', `${PAYMENTS}/searches`, { body: { ecr_transaction_id: refs[probe] } });
    console.log(`search by ecr_transaction_id among ${OPEN_INTENTS} open intents: ${(performance.now() - t).toFixed(1)} ms`);
    expect(found.body.total).toBe(1);
    expect(found.body.payments[0].payment_data.payment_id).toBe(ids[probe]);

    t = performance.now();
    const page = await http.api<{ payments: PaymentEnvelope[]; total: number }>('POST', `${PAYMENTS}/searches`, { body: { page: 20, page_size: 200 } });
    console.log(`search page 20 of 200 among ${OPEN_INTENTS}: ${(performance.now() - t).toFixed(1)} ms`);
    expect(page.body.total).toBe(OPEN_INTENTS);
    expect(page.body.payments).toHaveLength(200);

    t = performance.now();
    const terminal = await http.control<{ data: unknown[] }>('GET', `/sandbox/terminals/${terminals[0]}/intents`);
    console.log(`terminal list of ${OPEN_INTENTS} open intents: ${(performance.now() - t).toFixed(1)} ms`);
    expect(terminal.body.data).toHaveLength(OPEN_INTENTS);
  }, 120_000);
});
