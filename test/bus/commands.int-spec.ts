// Commands published on the bus end exactly like the same commands over HTTP: same validation,
// same idempotency (one key space), same outcomes, answered once on the reply stream; the API key
// they carry is left nowhere.
import type { OperationView } from '@app/contracts';
import { waitFor } from '@app/testing';
import { Answer, Register, registerFor } from '../support/e2e';
import { startSystem, System } from '../support/system';
import { Bus, comparable, everythingIn, httpProblem, newKey, problemParts, startBus } from './bus.harness';

describe('commands over the bus', () => {
  let sys: System;
  let bus: Bus;
  let reg: Register;

  beforeAll(async () => {
    sys = await startSystem();
    await sys.startReversals();
    await sys.startSettlements();
    bus = await startBus(sys);
    reg = await registerFor(sys, bus.gw);
  });
  afterAll(async () => {
    await sys?.stop();
  });

  const http = (path: string, body: unknown, idempotencyKey: string, key = reg.apiKey): Promise<Answer> =>
    bus.gw.call('POST', path, { key, body, headers: { 'idempotency-key': idempotencyKey } });
  const view = async (path: string): Promise<OperationView> => (await bus.gw.call<OperationView>('GET', path, { key: reg.apiKey })).body;
  const final = (path: string) =>
    waitFor(
      async () => {
        const op = await view(path);
        return ['approved', 'rejected', 'cancelled', 'expired', 'failed'].includes(op.status) ? op : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 100, what: `${path} to be final` },
    );
  const counts = async () =>
    (
      (await sys.db.dataSource.query(
        // Not the outbox: earlier operations still in flight add their events to it.
        'SELECT (SELECT count(*) FROM operations)::int AS operations, (SELECT count(*) FROM idempotency_keys)::int AS keys',
      )) as { operations: number; keys: number }[]
    )[0];
  const payment = (amount: number, extra: Record<string, unknown> = {}) => ({
    terminalIds: [reg.terminals[0]],
    amount,
    currency: 'ARS',
    reference: 'caja-7',
    ...extra,
  });

  it.each([
    ['approved', 150_000],
    ['rejected', 150_005],
  ])('a payment published on the bus ends %s exactly like the same payment over HTTP', async (outcome, amount) => {
    const body = payment(amount, { installments: 3, plan: 'ahora_3', description: 'Yerba 1kg' });
    const overHttp = await http('/v1/payments', body, newKey());
    expect(overHttp.status).toBe(202);
    const reply = await bus.send('payment.create', { apiKey: reg.apiKey, body });

    expect(reply).toMatchObject({ status: 'accepted', command: 'payment.create', merchantId: reg.merchantId, operationId: reply.operation?.id });
    expect(comparable(reply.operation as OperationView)).toEqual(comparable(overHttp.body));

    const [httpFinal, busFinal] = await Promise.all([final(`/v1/payments/${String(overHttp.body.id)}`), final(`/v1/payments/${String(reply.operationId)}`)]);
    expect(busFinal.status).toBe(outcome);
    expect(comparable(busFinal)).toEqual(comparable(httpFinal));
    expect(await sys.events(busFinal.id)).toEqual(await sys.events(httpFinal.id));
  });

  it('answers a replay of the same key and body with the same operation, and refuses the key with another body', async () => {
    const idempotencyKey = newKey();
    const first = await bus.send('payment.create', { apiKey: reg.apiKey, idempotencyKey, body: payment(20_000) });
    const before = await counts();

    const again = await bus.send('payment.create', { apiKey: reg.apiKey, idempotencyKey, body: payment(20_000) });
    expect(again).toMatchObject({ status: 'replayed', operationId: first.operationId });
    expect(again.operation?.id).toBe(first.operationId);

    const other = await bus.send('payment.create', { apiKey: reg.apiKey, idempotencyKey, body: payment(30_000) });
    expect(other.status).toBe('rejected');
    expect(other.operationId).toBeUndefined();
    expect(other.problem).toMatchObject({ status: 409, code: 'IDEMPOTENCY.KEY_REUSED' });
    expect(await counts()).toEqual(before);
  });

  it('shares one key space with HTTP: a key used over HTTP replays on the bus, and the other way round', async () => {
    const httpFirst = newKey();
    const created = await http('/v1/payments', payment(21_000), httpFirst);
    const replayed = await bus.send('payment.create', { apiKey: reg.apiKey, idempotencyKey: httpFirst, body: payment(21_000) });
    expect(replayed).toMatchObject({ status: 'replayed', operationId: created.body.id });

    const busFirst = newKey();
    const accepted = await bus.send('payment.create', { apiKey: reg.apiKey, idempotencyKey: busFirst, body: payment(22_000) });
    const overHttp = await http('/v1/payments', payment(22_000), busFirst);
    expect(overHttp.headers.get('idempotent-replayed')).toBe('true');
    expect(overHttp.body.id).toBe(accepted.operationId);

    const reused = await http('/v1/payments', payment(23_000), busFirst);
    expect(reused.status).toBe(409);
  });

  it.each([
    ['an amount that is not an integer and an unknown field', { ...{ amount: 10.5, colour: 'red' } }],
    ['a missing currency', { currency: undefined }],
    ['an unregistered terminal', { terminalIds: ['99999999'] }],
  ])('refuses %s with the problem HTTP answers, writing nothing', async (_what, change) => {
    const body = { ...payment(10_000), ...change };
    const before = await counts();
    const overHttp = await http('/v1/payments', body, newKey());
    const reply = await bus.send('payment.create', { apiKey: reg.apiKey, body });

    expect(overHttp.status).toBeGreaterThanOrEqual(400);
    expect(reply.status).toBe('rejected');
    expect(problemParts(reply.problem)).toEqual(httpProblem(overHttp));
    expect(await counts()).toEqual(before);
  });

  it('refuses a bad body with REQUEST.VALIDATION_FAILED naming each field as HTTP does', async () => {
    const reply = await bus.send('payment.create', { apiKey: reg.apiKey, body: { ...payment(-5), currency: 'ars', print: { copies: 'both', colour: 'red' } } });
    expect(reply.problem).toMatchObject({ status: 400, code: 'REQUEST.VALIDATION_FAILED' });
    expect(reply.problem?.errors.map((e) => e.field).sort()).toEqual(['amount', 'currency', 'print.colour']);
  });

  it.each([
    ['no idempotency key', { idempotencyKey: undefined }, 'IDEMPOTENCY.KEY_MISSING'],
    ['an idempotency key that is not printable ASCII', { idempotencyKey: 'clave-ñ' }, 'IDEMPOTENCY.KEY_INVALID'],
    ['an envelope field nobody knows', { extra: { priority: 'high' } }, 'REQUEST.VALIDATION_FAILED'],
  ])('refuses a command with %s, writing nothing', async (_what, options, code) => {
    const before = await counts();
    const reply = await bus.send('payment.create', { apiKey: reg.apiKey, body: payment(10_000), ...options });
    expect(reply).toMatchObject({ status: 'rejected', merchantId: reg.merchantId, problem: { status: 400, code } });
    expect(await counts()).toEqual(before);
  });

  it('refuses a command whose name does not match its message type', async () => {
    const reply = await bus.send('payment.cancel', { apiKey: reg.apiKey, operationId: 'pay_x', extra: { command: 'payment.create', body: payment(10_000) } });
    expect(reply.problem).toMatchObject({ code: 'REQUEST.VALIDATION_FAILED', errors: [{ field: 'command' }] });
  });

  it('refuses unknown, revoked and admin keys as HTTP does, writing nothing', async () => {
    const issued = await bus.gw.call<{ id: string; apiKey: string }>('POST', `/v1/admin/merchants/${reg.merchantId}/api-keys`, { key: bus.gw.adminKey });
    const revoked = await bus.gw.call('DELETE', `/v1/admin/merchants/${reg.merchantId}/api-keys/${issued.body.id}`, { key: bus.gw.adminKey });
    expect(revoked.status).toBeLessThan(300);
    const before = await counts();

    for (const [apiKey, status, code] of [
      [undefined, 401, 'AUTH.UNAUTHORIZED'],
      ['ecr_not-a-key-of-anyone-at-all-0000000000000000', 401, 'AUTH.UNAUTHORIZED'],
      [issued.body.apiKey, 401, 'AUTH.UNAUTHORIZED'],
      [bus.gw.adminKey, 403, 'AUTH.FORBIDDEN'],
    ] as const) {
      const reply = await bus.send('payment.create', { apiKey, body: payment(10_000) });
      expect(reply).toMatchObject({ status: 'rejected', merchantId: null, problem: { status, code } });
      const overHttp = await http('/v1/payments', payment(10_000), newKey(), apiKey ?? '');
      expect(problemParts(reply.problem)).toEqual(httpProblem(overHttp));
    }
    expect(await counts()).toEqual(before);
  });

  it('cancels a payment over the bus; it ends cancelled', async () => {
    // 07: the terminal never takes it, so it waits to be cancelled.
    const created = await bus.send('payment.create', { apiKey: reg.apiKey, body: payment(150_007) });
    await sys.reached(String(created.operationId), 'pending');

    const cancel = await bus.send('payment.cancel', { apiKey: reg.apiKey, operationId: created.operationId });
    expect(cancel).toMatchObject({ status: 'accepted', operationId: created.operationId, operation: { status: 'cancelling' } });
    expect((await final(`/v1/payments/${String(created.operationId)}`)).status).toBe('cancelled');
    expect(await sys.events(String(created.operationId))).toEqual(['payment.accepted', 'payment.pending', 'payment.cancelling', 'payment.cancelled']);

    const tooLate = await bus.send('payment.cancel', { apiKey: reg.apiKey, operationId: created.operationId });
    expect(tooLate).toMatchObject({ status: 'accepted', operation: { status: 'cancelled' } });
    const unknown = await bus.send('payment.cancel', { apiKey: reg.apiKey, operationId: 'pay_nobody' });
    expect(unknown.problem).toMatchObject({ status: 404, code: 'PAYMENT.NOT_FOUND' });
  });

  it('refuses to confirm a payment that waits for no confirmation, as HTTP does', async () => {
    const created = await bus.send('payment.create', { apiKey: reg.apiKey, body: payment(150_000) });
    const reply = await bus.send('payment.confirm', { apiKey: reg.apiKey, operationId: created.operationId });
    const overHttp = await http(`/v1/payments/${String(created.operationId)}/confirm`, undefined, newKey());
    expect(reply.problem).toMatchObject({ status: 409, code: 'PAYMENT.NOT_CONFIRMABLE' });
    expect(problemParts(reply.problem)).toEqual(httpProblem(overHttp));
  });

  it('reverses a payment, refunds and settles the terminal over the bus; each ends approved', async () => {
    const paid = await bus.send('payment.create', { apiKey: reg.apiKey, body: payment(40_000) });
    expect((await final(`/v1/payments/${String(paid.operationId)}`)).status).toBe('approved');

    const reversal = await bus.send('reversal.create', { apiKey: reg.apiKey, body: { paymentId: paid.operationId } });
    expect(reversal).toMatchObject({ status: 'accepted', operation: { type: 'reversal', paymentId: paid.operationId, amount: 40_000 } });
    expect((await final(`/v1/reversals/${String(reversal.operationId)}`)).status).toBe('approved');
    expect((await view(`/v1/payments/${String(paid.operationId)}`)).reversalId).toBe(reversal.operationId);
    const twice = await bus.send('reversal.create', { apiKey: reg.apiKey, body: { paymentId: paid.operationId } });
    expect(twice.problem).toMatchObject({ status: 409, code: 'PAYMENT.ALREADY_REVERSED' });

    const refund = await bus.send('refund.create', { apiKey: reg.apiKey, body: { terminalIds: [reg.terminals[0]], amount: 5_000, currency: 'ARS' } });
    expect(refund).toMatchObject({ status: 'accepted', operation: { type: 'refund', amount: 5_000 } });
    expect((await final(`/v1/refunds/${String(refund.operationId)}`)).status).toBe('approved');

    const settlement = await bus.send('settlement.create', { apiKey: reg.apiKey, body: { terminalId: reg.terminals[0] } });
    expect(settlement).toMatchObject({ status: 'accepted', operation: { type: 'settlement', terminalId: reg.terminals[0] } });
    expect((await final(`/v1/settlements/${String(settlement.operationId)}`)).status).toBe('approved');
  });

  it('cancels a reversal and a refund over the bus', async () => {
    const paid = await bus.send('payment.create', { apiKey: reg.apiKey, body: payment(41_000) });
    await final(`/v1/payments/${String(paid.operationId)}`);
    // 17: the reversal is never taken; 07: nor is the refund.
    const never = await bus.send('payment.create', { apiKey: reg.apiKey, body: payment(41_017) });
    await final(`/v1/payments/${String(never.operationId)}`);
    const reversal = await bus.send('reversal.create', { apiKey: reg.apiKey, body: { paymentId: never.operationId } });
    const refund = await bus.send('refund.create', { apiKey: reg.apiKey, body: { terminalIds: [reg.terminals[0]], amount: 5_007, currency: 'ARS' } });

    const cancels = await Promise.all([
      bus.send('reversal.cancel', { apiKey: reg.apiKey, operationId: reversal.operationId }),
      bus.send('refund.cancel', { apiKey: reg.apiKey, operationId: refund.operationId }),
    ]);
    expect(cancels.map((c) => c.status)).toEqual(['accepted', 'accepted']);
    expect((await final(`/v1/reversals/${String(reversal.operationId)}`)).status).toBe('cancelled');
    expect((await final(`/v1/refunds/${String(refund.operationId)}`)).status).toBe('cancelled');
  });

  it('answers every command exactly once, under the command id it was given or its stream id', async () => {
    const given = await bus.publish('payment.create', { apiKey: reg.apiKey, body: payment(10_000), commandId: 'caja-7/venta-123' });
    expect((await bus.reply(given)).status).toBe('accepted');
    const before = (await bus.replies()).length;
    await bus.publish('payment.create', { apiKey: reg.apiKey, body: payment(10_000), extra: { commandId: undefined } });
    const [untagged] = await waitFor(async () => {
      const all = await bus.replies();
      return all.length > before ? all.slice(before) : undefined;
    });
    expect(untagged.reply.commandId).toMatch(/^\d+-\d+$/);
    expect(untagged.type).toBe('command.accepted');

    const all = (await bus.replies()).map((r) => r.reply.commandId);
    expect(new Set(all).size).toBe(all.length);
  });

  it('leaves the API key nowhere: not in replies, not in the command stream, not in Redis or the rows', async () => {
    const secretRef = reg.apiKey.slice(4, 40);
    await Promise.all([
      bus.send('payment.create', { apiKey: reg.apiKey, body: payment(10_000) }),
      bus.send('payment.create', { apiKey: reg.apiKey, body: payment(-1) }),
      bus.send('payment.cancel', { apiKey: reg.apiKey, operationId: 'pay_nobody' }),
    ]);
    await waitFor(async () => ((await sys.redis.client.xlen(bus.commandStream)) === 0 ? true : undefined), { what: 'the command stream to empty' });
    const redis = await everythingIn(sys);
    expect(redis).toContain(bus.replyStream);
    expect(redis).not.toContain(secretRef);
    const [rows] = (await sys.db.dataSource.query(
      `SELECT (SELECT count(*) FROM operations o WHERE row_to_json(o)::text LIKE $1)::int
            + (SELECT count(*) FROM outbox x WHERE row_to_json(x)::text LIKE $1)::int
            + (SELECT count(*) FROM idempotency_keys k WHERE row_to_json(k)::text LIKE $1)::int AS n`,
      [`%${secretRef}%`],
    )) as { n: number }[];
    expect(rows.n).toBe(0);
  });
});
