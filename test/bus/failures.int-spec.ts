// Bus commands when the gateway cannot carry them out: Postgres refusing connections is an outage,
// not an answer. The transport delivers the command again; after its last delivery the command is
// answered `rejected` 503 and dead-lettered, and the dead letter holds no API key.
import { baseDatabaseUrl, waitFor } from '@app/testing';
import { redriveDeadLetters } from '@app/transport';
import { DataSource } from 'typeorm';
import { Register, registerFor } from '../support/e2e';
import { startSystem, System } from '../support/system';
import { Bus, newKey, startBus } from './bus.harness';

describe('bus commands during an outage', () => {
  let sys: System;
  let bus: Bus;
  let reg: Register;
  let admin: DataSource;

  beforeAll(async () => {
    sys = await startSystem({ payments: false });
    bus = await startBus(sys);
    reg = await registerFor(sys, bus.gw);
    const url = new URL(baseDatabaseUrl());
    url.pathname = '/postgres';
    admin = new DataSource({ type: 'postgres', url: url.toString() });
    await admin.initialize();
  });
  afterAll(async () => {
    await allowConnections();
    await admin?.destroy();
    await sys?.stop();
  });

  /** Postgres refuses the test database: every connection is cut and no new one is let in. */
  async function refuseConnections(): Promise<void> {
    await admin.query(`ALTER DATABASE "${sys.db.name}" ALLOW_CONNECTIONS false`);
    await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [sys.db.name]);
  }
  async function allowConnections(): Promise<void> {
    if (admin?.isInitialized) await admin.query(`ALTER DATABASE "${sys.db.name}" ALLOW_CONNECTIONS true`);
  }
  const deliveries = async (): Promise<number> => {
    const pending = (await sys.redis.client.xpending(bus.commandStream, 'gateway-commands', '-', '+', 10)) as [string, string, number, number][];
    return Math.max(0, ...pending.map((p) => p[3]));
  };
  const payment = (extra: Record<string, unknown> = {}) => ({ terminalIds: [reg.terminals[0]], amount: 10_000, currency: 'ARS', ...extra });

  it('delivers a command again while Postgres is down, and carries it out once when it is back', async () => {
    await refuseConnections();
    let commandId: string;
    try {
      commandId = await bus.publish('payment.create', { apiKey: reg.apiKey, body: payment() });
      await waitFor(async () => ((await deliveries()) >= 2 ? true : undefined), { what: 'a second delivery' });
      expect((await bus.replies()).filter((r) => r.reply.commandId === commandId)).toEqual([]);
    } finally {
      await allowConnections();
    }
    const reply = await bus.reply(commandId, 20_000);
    expect(reply).toMatchObject({ status: 'accepted', operation: { status: 'accepted', amount: 10_000 } });
    const [row] = (await sys.db.dataSource.query('SELECT count(*)::int AS n FROM operations WHERE id = $1', [reply.operationId])) as { n: number }[];
    expect(row.n).toBe(1);
    expect((await bus.replies()).filter((r) => r.reply.commandId === commandId)).toHaveLength(1);
    expect(await bus.deadLetters()).toEqual([]);
  });

  it('answers a command that failed on every delivery rejected SERVICE.UNAVAILABLE and dead-letters it without its API key', async () => {
    const idempotencyKey = newKey();
    await refuseConnections();
    let commandId: string;
    try {
      // The key also where no key belongs: a copy of it must go as well.
      commandId = await bus.publish('payment.create', { apiKey: reg.apiKey, idempotencyKey, body: payment({ description: `clave ${reg.apiKey}` }) });
      const reply = await bus.reply(commandId, 40_000);
      expect(reply).toMatchObject({ status: 'rejected', merchantId: null, problem: { status: 503, code: 'SERVICE.UNAVAILABLE' } });
      await waitFor(async () => ((await bus.deadLetters()).length === 1 ? true : undefined), { what: 'the dead letter' });
    } finally {
      await allowConnections();
    }
    const [dead] = await bus.deadLetters();
    expect(dead.info).toMatchObject({ group: 'gateway-commands', deliveries: '5', sourceStream: bus.commandStream });
    // The handler's own error, not the "Internal server error" Nest's default filter would leave.
    expect(dead.info.error).not.toMatch(/internal server error/i);
    expect(dead.info.error).toMatch(/unavailable|connect|ECONNREFUSED|timeout/i);
    expect(JSON.stringify(dead)).not.toContain(reg.apiKey.slice(4, 20));
    const event = JSON.parse(dead.original.event) as { data: Record<string, unknown> };
    expect(event.data).toMatchObject({ command: 'payment.create', idempotencyKey, commandId, apiKeyHint: reg.apiKey.slice(-4) });
    expect(event.data.apiKey).toBeUndefined();
    expect(await sys.redis.client.xlen(bus.commandStream)).toBe(0);

    // Put back as it is, it has no key to act with: its sender must publish it again.
    await redriveDeadLetters(sys.redis.client, { deadLetterStream: bus.deadLetterStream });
    const again = await waitFor(async () => (await bus.replies()).filter((r) => r.reply.commandId === commandId)[1]?.reply);
    expect(again.problem).toMatchObject({ status: 401, code: 'AUTH.UNAUTHORIZED' });
    const republished = await bus.send('payment.create', { apiKey: reg.apiKey, idempotencyKey, body: payment({ description: `clave ${reg.apiKey}` }) });
    expect(republished.status).toBe('accepted');
  });

  it.each([
    ['event that is not JSON', (key: string) => `{"data":{"apiKey":"${key}"`],
    ['event that is no CloudEvent', (key: string) => JSON.stringify({ type: 'command.payment.create', data: { apiKey: key } })],
  ])('dead-letters an entry whose %s at once, without the key it carried', async (_what, event) => {
    const before = (await bus.deadLetters()).length;
    await sys.redis.client.xadd(bus.commandStream, '*', 'type', 'command.payment.create', 'id', 'evt_broken', 'event', event(reg.apiKey));
    const dead = await waitFor(async () => (await bus.deadLetters())[before]);
    expect(dead.info.error).toMatch(/malformed/);
    expect(JSON.stringify(dead)).not.toContain(reg.apiKey.slice(4, 20));
    expect(await sys.redis.client.xlen(bus.commandStream)).toBe(0);
  });
});
