// The sandbox holding 10,000 open intents: every one is held and readable, and a get, a search by
// ecr_transaction_id, a cancel and the list paging each answer exactly the right intents among
// them. How long each took is printed for information only: speed is measured by the bench
// (scripts/bench), never asserted by a test.
import type { RunningSandbox } from '../../apps/sandbox/src/sandbox.app';
import { PAYMENTS, sleep, withSandbox, type PaymentEnvelope, type SandboxHttp } from './sandbox-http';

const OPEN_INTENTS = 10_000;
const CONCURRENCY = 50;
const PAGE_SIZE = 200;

interface SearchPage {
  payments: PaymentEnvelope[];
  page: number;
  page_size: number;
  total: number;
}

interface TerminalIntent {
  id: string;
  status: string;
  ecrTransactionId: string | null;
  takenBy: string | null;
}

/** Intent n's reference and amount (whole pesos, so no amount rule about the answer applies). */
const refOf = (n: number) => `scale-${n}`;
const amountOf = (n: number) => String((1_000 + n) * 100);

describe('sandbox holding 10,000 open intents', () => {
  let sandbox: RunningSandbox;
  let http: SandboxHttp;
  const terminals = ['38090001', '38090002', '38090003'];
  /** payment_id of intent n. */
  const ids: string[] = [];
  const timings: string[] = [];
  const probes = [0, 1, OPEN_INTENTS / 2, 7_321, OPEN_INTENTS - 1];

  async function timed<T>(what: string, work: () => Promise<T>): Promise<T> {
    const started = performance.now();
    const result = await work();
    timings.push(`${what}: ${(performance.now() - started).toFixed(1)} ms`);
    return result;
  }

  async function search(body: Record<string, unknown>): Promise<SearchPage> {
    const result = await http.api<SearchPage>('POST', `${PAYMENTS}/searches`, { body });
    if (result.status !== 200) throw new Error(`search ${JSON.stringify(body)}: ${result.status} ${JSON.stringify(result.body)}`);
    return result.body;
  }

  async function intentsOn(terminal: string): Promise<TerminalIntent[]> {
    return (await http.control<{ data: TerminalIntent[] }>('GET', `/sandbox/terminals/${terminal}/intents`)).body.data;
  }

  /** What a search or get answers of an intent: its id, reference, amount and status. */
  const seen = (envelope: PaymentEnvelope) => ({
    id: envelope.payment_data.payment_id,
    ref: envelope.payment_request_data.ecr_transaction_id,
    amount: envelope.payment_request_data.payment_amount,
    status: envelope.payment_data.payment_status,
  });
  /** What intent n must look like. */
  const intent = (n: number, status = 'PAYMENT_REQUEST') => ({ id: ids[n], ref: refOf(n), amount: amountOf(n), status });
  const expectIntent = (envelope: PaymentEnvelope, n: number, status?: string) => expect(seen(envelope)).toEqual(intent(n, status));

  beforeAll(async () => {
    ({ sandbox, http } = await withSandbox({ takeDelayMs: 0 }));
    // Manual terminals: nothing is taken, so every intent stays open.
    for (const terminal of terminals) await http.terminal(terminal, undefined, { mode: 'manual' });
    let next = 0;
    await timed(`create ${OPEN_INTENTS} open intents (${CONCURRENCY} at a time)`, () =>
      Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (next < OPEN_INTENTS) {
            const n = next;
            next += 1;
            const body = http.paymentBody(amountOf(n), terminals, { ecr_transaction_id: refOf(n) });
            const created = await http.api<PaymentEnvelope>('POST', PAYMENTS, { body, subnet: false });
            if (created.status !== 200) throw new Error(`create ${n}: ${created.status}`);
            ids[n] = created.body.payment_data.payment_id;
          }
        }),
      ),
    );
  }, 300_000);

  afterAll(async () => {
    // Information only, never asserted: the bench measures speed.
    console.log(`sandbox with ${OPEN_INTENTS} open intents (timings for information):\n  ${timings.join('\n  ')}`);
    await sandbox.close();
  });

  it('created 10,000 distinct intents', () => {
    expect(ids.filter((id) => typeof id === 'string')).toHaveLength(OPEN_INTENTS);
    expect(new Set(ids).size).toBe(OPEN_INTENTS);
  });

  it('pages through all of them exactly once, oldest first, each still open with its own reference and amount', async () => {
    const pages = Math.ceil(OPEN_INTENTS / PAGE_SIZE);
    const listed: PaymentEnvelope[] = [];
    await timed(`list all ${OPEN_INTENTS} in ${pages} pages of ${PAGE_SIZE}`, async () => {
      for (let page = 1; page <= pages; page += 1) {
        const answer = await search({ page, page_size: PAGE_SIZE });
        expect({ page: answer.page, page_size: answer.page_size, total: answer.total, count: answer.payments.length }).toEqual({
          page,
          page_size: PAGE_SIZE,
          total: OPEN_INTENTS,
          count: PAGE_SIZE,
        });
        listed.push(...answer.payments);
      }
    });
    const nOf = new Map(ids.map((id, n) => [id, n]));
    expect(new Set(listed.map((p) => p.payment_data.payment_id)).size).toBe(OPEN_INTENTS);
    const wrong = listed.map(seen).filter((got) => {
      const n = nOf.get(got.id);
      return n === undefined || JSON.stringify(got) !== JSON.stringify(intent(n));
    });
    expect(wrong.slice(0, 5)).toEqual([]);
    const dates = listed.map((p) => Date.parse(String(p.payment_data.payment_request_date)));
    expect(dates.findIndex((date, i) => Number.isNaN(date) || (i > 0 && date < dates[i - 1]))).toBe(-1);

    // Past the end: empty, same total. A size that does not divide the total: a short last page.
    expect(await search({ page: pages + 1, page_size: PAGE_SIZE })).toMatchObject({ payments: [], total: OPEN_INTENTS });
    const lastOf150 = await search({ page: Math.ceil(OPEN_INTENTS / 150), page_size: 150 });
    expect(lastOf150.total).toBe(OPEN_INTENTS);
    expect(lastOf150.payments.map((p) => p.payment_data.payment_id)).toEqual(listed.slice(-(OPEN_INTENTS % 150)).map((p) => p.payment_data.payment_id));
    // A page in the middle is the same slice of the whole list whatever the page size.
    const middle = await search({ page: 3, page_size: 50 });
    expect(middle.payments.map((p) => p.payment_data.payment_id)).toEqual(listed.slice(100, 150).map((p) => p.payment_data.payment_id));
  }, 60_000);

  it('shows all of them, untaken, on each terminal they were sent to', async () => {
    for (const terminal of terminals) {
      const shown = await timed(`terminal ${terminal} list of ${OPEN_INTENTS}`, () => intentsOn(terminal));
      expect(shown).toHaveLength(OPEN_INTENTS);
      expect(new Set(shown.map((i) => i.id))).toEqual(new Set(ids));
      expect(shown.every((i) => i.status === 'PAYMENT_REQUEST' && i.takenBy === null)).toBe(true);
    }
  }, 60_000);

  it('answers a get of one among them with that intent', async () => {
    for (const n of probes) expectIntent(await timed(`get intent ${n}`, () => http.getPayment(ids[n])), n);
  });

  it('answers a search by ecr_transaction_id with that intent only', async () => {
    for (const n of probes) {
      const found = await timed(`search by ecr_transaction_id ${refOf(n)}`, () => search({ ecr_transaction_id: refOf(n) }));
      expect(found.total).toBe(1);
      expect(found.payments).toHaveLength(1);
      expectIntent(found.payments[0], n);
    }
    expect(await search({ ecr_transaction_id: 'scale-none' })).toMatchObject({ payments: [], total: 0 });
  });

  it('cancels one among them, and only that one', async () => {
    const n = 6_543;
    const cancelled = await timed(`cancel intent ${n}`, () => http.api<PaymentEnvelope>('PUT', `${PAYMENTS}/${ids[n]}/cancellations`));
    expect(cancelled.status).toBe(200);
    expectIntent(cancelled.body, n, 'UNDO_REQUEST');
    await sleep(150); // the sandbox's undoMs (100 ms)
    expectIntent(await http.getPayment(ids[n]), n, 'UNDONE');
    for (const neighbour of [n - 1, n + 1]) expectIntent(await http.getPayment(ids[neighbour]), neighbour);

    const undone = await search({ payment_status: ['UNDO_REQUEST', 'UNDONE'], page_size: PAGE_SIZE });
    expect(undone.total).toBe(1);
    expectIntent(undone.payments[0], n, 'UNDONE');
    expect((await search({ payment_status: 'PAYMENT_REQUEST', page_size: PAGE_SIZE })).total).toBe(OPEN_INTENTS - 1);
    expect((await search({})).total).toBe(OPEN_INTENTS);
    for (const terminal of terminals) {
      const shown = await intentsOn(terminal);
      expect(shown).toHaveLength(OPEN_INTENTS - 1);
      expect(shown.map((i) => i.id)).not.toContain(ids[n]);
    }
  }, 60_000);
});
