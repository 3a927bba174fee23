// Commands over the bus refuse what Postgres cannot store as HTTP does: a NUL character or an
// unpaired surrogate in the body or the operation id is a rejected command (400
// REQUEST.VALIDATION_FAILED naming the field), never an internal error, and writes nothing.
import { Bus, startBus } from '../bus/bus.harness';
import { registerFor, Register } from '../support/e2e';
import { startSystem, System } from '../support/system';

describe('bus commands with unstorable strings', () => {
  let sys: System;
  let bus: Bus;
  let reg: Register;

  beforeAll(async () => {
    sys = await startSystem({ payments: false });
    bus = await startBus(sys);
    sys.onStop(() => bus.close());
    reg = await registerFor(sys, bus.gw);
  });
  afterAll(async () => sys.stop());

  const counts = async () =>
    (await sys.db.dataSource.query(
      `SELECT (SELECT count(*) FROM operations)::int AS operations, (SELECT count(*) FROM idempotency_keys)::int AS keys,
              (SELECT count(*) FROM outbox)::int AS outbox`,
    )) as unknown[];

  it.each([
    ['a NUL in the reference', { reference: 'ticket\u00001' }, 'reference'],
    ['an unpaired surrogate in the description', { description: 'caja \ud800' }, 'description'],
  ])('rejects %s', async (_what, extra, field) => {
    const before = await counts();
    const reply = await bus.send('payment.create', {
      apiKey: reg.apiKey,
      body: { terminalIds: [reg.terminals[0]], amount: 150000, currency: 'ARS', ...extra },
    });
    expect(reply).toMatchObject({ status: 'rejected', problem: { status: 400, code: 'REQUEST.VALIDATION_FAILED' } });
    expect(reply.problem?.errors.map((e) => e.field)).toEqual([field]);
    expect(await counts()).toEqual(before);
  });

  it('rejects a NUL in the operation id', async () => {
    const reply = await bus.send('payment.cancel', { apiKey: reg.apiKey, operationId: 'pay_1\u0000' });
    expect(reply).toMatchObject({ status: 'rejected', problem: { status: 400, code: 'REQUEST.VALIDATION_FAILED' } });
    expect(reply.problem?.errors.map((e) => e.field)).toEqual(['operationId']);
  });
});
