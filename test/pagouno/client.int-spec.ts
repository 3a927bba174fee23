// Contract: the pagoUno client against the sandbox's pagoUno over real HTTP: charges and their
// atomicity, refusals (bad token, bad key, a token used twice), idempotency of a repeated
// reference, look-up of a charge whose answer was lost, and the breakers.
import { PagounoClient, PagounoErrorCode, PurchaseGroupRequest, toPurchaseGroupRequest } from '@app/pagouno-client';
import { CHARGE_PATH, Harness, pagounoFailure, purchase, reference, startHarness, TOKEN_PATH } from './pagouno.harness';

const PAN = '4545454545458745';

async function waitFor<T>(probe: () => Promise<T | null>, ms = 5000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const found = await probe();
    if (found !== null) return found;
    if (Date.now() > until) throw new Error('not found in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('pagoUno client against the sandbox', () => {
  let h: Harness;
  let client: PagounoClient;

  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());
  beforeEach(async () => {
    await h.clearFaults();
    client = h.client();
  });

  async function twoByTwo(ref: string, amounts = [1500, 2500, 1000, 3000]): Promise<PurchaseGroupRequest> {
    const [t1, t2] = [await h.tokenize(PAN), await h.tokenize('5401000000000004')];
    return toPurchaseGroupRequest(ref, {
      cards: [
        { token: t1, purchases: [purchase('MG-NORTE', amounts[0]), purchase('MG-SUR', amounts[1])] },
        { token: t2, purchases: [purchase('MG-NORTE', amounts[2]), purchase('MG-SUR', amounts[3], { plan: 'ahora_12', installments: 12 })] },
      ],
    });
  }

  it('charges a split of 2 cards × 2 merchants: four approved transactions, each with its own id', async () => {
    const ref = reference('split');
    const data = await client.charge(await twoByTwo(ref));
    expect(data.success).toBe(true);
    expect(data.request).toHaveLength(4);
    expect(data.response.map((t) => [t.success, t.transaction_amount, t.reversed])).toEqual([
      [true, 1500, false],
      [true, 2500, false],
      [true, 1000, false],
      [true, 3000, false],
    ]);
    expect(new Set(data.response.map((t) => t.id)).size).toBe(4);
    expect(data.response.map((t) => t.bin)).toEqual(['454545', '454545', '540100', '540100']);
    expect(data.response[3]).toMatchObject({ installments: 7, merchant_code_group: 'MG-SUR' });
    const one = await client.getTransaction(data.response[1].id);
    expect(one).toMatchObject({ id: data.response[1].id, success: true, external_reference: ref });
  });

  it('keeps card numbers out of its request log: BIN and last four only, no security code', async () => {
    await h.tokenize(PAN);
    const logged = JSON.stringify(await h.requests({ path: TOKEN_PATH }));
    expect(logged).not.toContain(PAN);
    expect(logged).not.toContain('"123"');
    expect(logged).toContain('454545******8745');
  });

  it('one declined purchase fails the whole group: the approved ones come back reversed', async () => {
    const data = await client.charge(await twoByTwo(reference('declined'), [1500, 2505, 1000, 3000]));
    expect(data.success).toBe(false);
    expect(data.response.map((t) => [t.success, t.reversed, t.message?.trim()])).toEqual([
      [true, true, 'APROBADA  (authno) Operación aprobada'],
      [false, false, 'DENEGADA'],
      [true, true, 'APROBADA  (authno) Operación aprobada'],
      [true, true, 'APROBADA  (authno) Operación aprobada'],
    ]);
    expect(await client.getTransaction(data.response[0].id)).toMatchObject({ reversed: true });
  });

  it('answers MONTO INVALIDO and TERMINAL_NOT_AVAILABLE as pagoUno does', async () => {
    const invalid = await client.charge(toPurchaseGroupRequest(reference('m'), { cards: [{ token: await h.tokenize(), purchases: [purchase('MG', 1006)] }] }));
    expect(invalid.response[0]).toMatchObject({ success: false, message: expect.stringMatching(/^MONTO INVALIDO/) });
    const noTerminal = await client.charge(toPurchaseGroupRequest(reference('t'), { cards: [{ token: await h.tokenize(), purchases: [purchase('MG', 1007)] }] }));
    expect(noTerminal).toMatchObject({ success: false, response: [], request: [{ id: '', result_code: -100, result_code_identifier: 'TERMINAL_NOT_AVAILABLE' }] });
  });

  it('refuses an unknown token with status 400 (rejected), and a token already used', async () => {
    const bad = toPurchaseGroupRequest(reference('bad'), { cards: [{ token: 'NOT-A-TOKEN', purchases: [purchase('MG', 1500)] }] });
    expect(await pagounoFailure(client.charge(bad))).toMatchObject({ code: PagounoErrorCode.BadRequest, outcome: 'rejected', status: 400 });

    const token = await h.tokenize();
    const first = await client.charge(toPurchaseGroupRequest(reference('once'), { cards: [{ token, purchases: [purchase('MG', 1500)] }] }));
    expect(first.success).toBe(true);
    const again = toPurchaseGroupRequest(reference('twice'), { cards: [{ token, purchases: [purchase('MG', 1500)] }] });
    expect(await pagounoFailure(client.charge(again))).toMatchObject({ code: PagounoErrorCode.BadRequest, status: 400 });
  });

  it('refuses a bad key with status 403, and never shows the key', async () => {
    const wrong = h.client({ privateKey: 'wrong-private-key-42' });
    const body = toPurchaseGroupRequest(reference('key'), { cards: [{ token: await h.tokenize(), purchases: [purchase('MG', 1500)] }] });
    const err = await pagounoFailure(wrong.charge(body));
    expect(err).toMatchObject({ code: PagounoErrorCode.Unauthorized, outcome: 'rejected', status: 403 });
    expect(err.message + JSON.stringify(err)).not.toContain('wrong-private-key-42');
    // The token was not spent: the right key charges it.
    expect((await client.charge(body)).success).toBe(true);
  });

  it('answers a repeated customer_transaction_identificator with the group it already created', async () => {
    const body = await twoByTwo(reference('repeat'));
    const first = await client.charge(body);
    const second = await client.charge(body);
    expect(second).toEqual(first);
    expect(await client.findGroup(body.customer_transaction_identificator)).toEqual(first);
  });

  it('finds by external reference a charge whose answer was lost, without sending it again', async () => {
    const quick = h.client({ timeoutMs: 300 });
    await h.addFault({ match: { path: CHARGE_PATH, method: 'POST' }, latencyMs: 1200 });
    const body = await twoByTwo(reference('lost'));
    const err = await pagounoFailure(quick.charge(body));
    expect(err).toMatchObject({ code: PagounoErrorCode.Timeout, outcome: 'unknown' });
    const found = await waitFor(() => client.findGroup(body.customer_transaction_identificator));
    expect(found.success).toBe(true);
    expect(found.external_reference).toBe(body.customer_transaction_identificator);
    const charges = (await h.requests({ path: CHARGE_PATH, method: 'POST' })).filter(
      (r) => (r.body as { customer_transaction_identificator?: string }).customer_transaction_identificator === body.customer_transaction_identificator,
    );
    expect(charges).toHaveLength(1);
  });

  it('finds a charge whose answer never came (amount ending in 09)', async () => {
    const quick = h.client({ timeoutMs: 300 });
    const ref = reference('held');
    const body = toPurchaseGroupRequest(ref, { cards: [{ token: await h.tokenize(), purchases: [purchase('MG', 1509)] }] });
    expect(await pagounoFailure(quick.charge(body))).toMatchObject({ outcome: 'unknown' });
    expect(await client.findGroup(ref)).toMatchObject({ success: true, external_reference: ref });
    expect(await client.findGroup(reference('never-charged'))).toBeNull();
  });

  it('opens the charge breaker on injected 5xx, not on refusals or declines, and leaves the reads alone', async () => {
    const c = h.client({ breaker: { volumeThreshold: 3 } });
    for (let i = 0; i < 4; i++) {
      const declined = toPurchaseGroupRequest(reference('d'), { cards: [{ token: await h.tokenize(), purchases: [purchase('MG', 1505)] }] });
      expect((await c.charge(declined)).success).toBe(false);
      await pagounoFailure(c.charge(toPurchaseGroupRequest(reference('b'), { cards: [{ token: 'UNKNOWN', purchases: [purchase('MG', 1500)] }] })));
    }
    expect(c.breakerStates().charge).toBe('closed');

    await h.addFault({ match: { path: '/pagouno/v1/Transaction/purchasegroup', method: 'POST' }, status: 500 });
    for (let i = 0; i < 10 && c.breakerStates().charge === 'closed'; i++) {
      const err = await pagounoFailure(c.charge(toPurchaseGroupRequest(reference('f'), { cards: [{ token: 'X', purchases: [purchase('MG', 1500)] }] })));
      expect(err).toMatchObject({ code: PagounoErrorCode.ServerError, outcome: 'unknown' });
    }
    expect(c.breakerStates()).toMatchObject({ charge: 'open', 'transaction.get': 'closed', 'group.find': 'closed', 'adjustment.create': 'closed' });
    const refused = await pagounoFailure(c.charge(toPurchaseGroupRequest(reference('o'), { cards: [{ token: 'X', purchases: [purchase('MG', 1500)] }] })));
    expect(refused).toMatchObject({ code: PagounoErrorCode.CircuitOpen, outcome: 'not_sent' });
    expect(await c.findGroup(reference('still-reads'))).toBeNull();
  });

  it('a fault on the /pagouno/ prefix leaves PayStore routes alone', async () => {
    await h.addFault({ match: { path: '/pagouno/' }, status: 503 });
    const err = await pagounoFailure(client.findGroup('x'));
    expect(err).toMatchObject({ code: PagounoErrorCode.Unavailable });
    const paystore = await fetch(`${h.url}/v1/oauth/accesstoken?grant_type=client_credentials`);
    expect(paystore.status).not.toBe(503);
  });

  it('forgets pagoUno\'s groups and tokens on POST /sandbox/reset', async () => {
    const token = await h.tokenize();
    const ref = reference('reset');
    await client.charge(toPurchaseGroupRequest(ref, { cards: [{ token: await h.tokenize(), purchases: [purchase('MG', 1500)] }] }));
    const res = await fetch(`${h.url}/sandbox/reset`, { method: 'POST' });
    expect(res.status).toBe(200);
    expect(await client.findGroup(ref)).toBeNull();
    const spent = toPurchaseGroupRequest(reference('after'), { cards: [{ token, purchases: [purchase('MG', 1500)] }] });
    expect(await pagounoFailure(client.charge(spent))).toMatchObject({ status: 400 });
  });
});
