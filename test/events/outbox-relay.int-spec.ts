import { Writable } from 'node:stream';
import { Registry } from 'prom-client';
import type { Queue } from 'bullmq';
import { createTestDatabase, createTestRedis, TestDatabase, TestRedis, waitFor } from '@app/testing';
import { OutboxRelay } from '@app/events';
import { OperationEntity, OperationsRepository } from '@app/persistence';
import { createLogger, newId } from '@app/common';
import { WorkerMetrics } from '@app/workers';

describe('OutboxRelay', () => {
  let db: TestDatabase;
  let redis: TestRedis;
  let repo: OperationsRepository;

  beforeAll(async () => {
    db = await createTestDatabase();
    redis = await createTestRedis();
    repo = new OperationsRepository(db.dataSource);
    await db.dataSource.query(`INSERT INTO merchants (id, name, cuit) VALUES ('mer_1', 'Kiosco', '30-71234567-8')`);
  });
  afterAll(async () => {
    await redis.close();
    await db.drop();
  });

  async function payments(count: number): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      const op = db.dataSource.getRepository(OperationEntity).create({
        id: newId('pay'),
        type: 'payment',
        status: 'accepted',
        merchantId: 'mer_1',
        provider: 'paystore',
        terminalIds: ['38011128'],
        amount: 1000 + i,
        currency: 'ARS',
        request: {},
        result: {},
      });
      await db.dataSource.transaction((m) => repo.insert(m, op));
      ids.push(op.id);
    }
    return ids;
  }

  async function positions(): Promise<number[]> {
    const rows: { position: string }[] = await db.dataSource.query(
      'SELECT position FROM outbox WHERE position IS NOT NULL ORDER BY position',
    );
    return rows.map((r) => Number(r.position));
  }

  it('numbers events gaplessly and puts each on the stream once, even with three relays racing', async () => {
    const ids = await payments(60);
    for (const id of ids.slice(0, 30)) await repo.transition(id, 'pending', { providerId: `p-${id}` });
    const relays = [1, 2, 3].map(() => new OutboxRelay(db.dataSource, redis.client, { streamKey: redis.streamKey, batchSize: 7 }));
    await Promise.all(relays.map((r) => r.drain()));
    await Promise.all(relays.map((r) => r.drain()));

    const pos = await positions();
    expect(pos).toEqual(Array.from({ length: 90 }, (_, i) => i + 1));
    const entries = await redis.client.xrange(redis.streamKey, '-', '+');
    expect(entries).toHaveLength(90);
    const streamed = entries.map(([, fields]) => Number(fields[fields.indexOf('position') + 1]));
    expect(streamed).toEqual(pos);
    const [unpublished] = await db.dataSource.query('SELECT count(*)::int AS n FROM outbox WHERE published_at IS NULL');
    expect(unpublished.n).toBe(0);
  });

  it('keeps each operation’s events in the order they were written', async () => {
    const [id] = await payments(1);
    await repo.transition(id, 'pending');
    await repo.transition(id, 'in_progress');
    await repo.transition(id, 'approved');
    await new OutboxRelay(db.dataSource, redis.client, { streamKey: redis.streamKey }).drain();
    const rows: { type: string }[] = await db.dataSource.query(
      'SELECT type FROM outbox WHERE subject = $1 ORDER BY position',
      [id],
    );
    expect(rows.map((r) => r.type)).toEqual(['payment.accepted', 'payment.pending', 'payment.in_progress', 'payment.approved']);
  });

  it('numbers events while Redis is unreachable and streams them once it is back', async () => {
    const [id] = await payments(1);
    const Redis = (await import('ioredis')).default;
    const dead = new Redis('redis://127.0.0.1:1', { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    const relay = new OutboxRelay(db.dataSource, dead, { streamKey: redis.streamKey });
    await expect(relay.drain()).rejects.toThrow();
    const [row] = await db.dataSource.query('SELECT position, published_at FROM outbox WHERE subject = $1', [id]);
    expect(row.position).not.toBeNull();
    expect(row.published_at).toBeNull();
    dead.disconnect();

    await new OutboxRelay(db.dataSource, redis.client, { streamKey: redis.streamKey }).drain();
    const [after] = await db.dataSource.query('SELECT published_at FROM outbox WHERE subject = $1', [id]);
    expect(after.published_at).not.toBeNull();
  });

  it('publishes on notification without waiting for its poll', async () => {
    const relay = new OutboxRelay(db.dataSource, redis.client, { streamKey: redis.streamKey, pollMs: 60_000 });
    await relay.start();
    try {
      const before = await redis.client.xlen(redis.streamKey);
      await payments(1);
      await waitFor(async () => ((await redis.client.xlen(redis.streamKey)) > before ? true : undefined), {
        timeoutMs: 5000,
        what: 'the event on the stream',
      });
    } finally {
      await relay.stop();
    }
  });

  it('publishes again what the stream held when Redis lost it, so a group that had not read it still gets it', async () => {
    const relay = new OutboxRelay(db.dataSource, redis.client, { streamKey: redis.streamKey });
    await payments(3);
    await relay.drain();
    expect(await relay.drain()).toEqual({ numbered: 0, streamed: 0 });
    const published = await positions();

    // Everything in Redis is lost (a FLUSHALL): the stream, its groups and the relay's marker.
    await redis.flush();
    await payments(1);
    await relay.drain();
    const entries = await redis.client.xrange(redis.streamKey, '-', '+');
    const streamed = entries.map(([, fields]) => Number(fields[fields.indexOf('position') + 1]));
    expect(new Set(streamed)).toEqual(new Set(await positions()));
    expect(streamed).toHaveLength(published.length + 1);
    // Once is enough: the next passes publish nothing again.
    expect(await relay.drain()).toEqual({ numbered: 0, streamed: 0 });
    expect(await redis.client.xlen(redis.streamKey)).toBe(published.length + 1);
  });

  it('logs one line per event it puts on the stream, with the event id, its type and the operation', async () => {
    const lines: Record<string, unknown>[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) lines.push(JSON.parse(line) as Record<string, unknown>);
        done();
      },
    });
    const logger = createLogger('relay-test', 'info', { destination: sink });
    const relay = new OutboxRelay(db.dataSource, redis.client, { streamKey: redis.streamKey, logger });
    await relay.drain();
    const [id] = await payments(1);
    await repo.transition(id, 'pending');
    await relay.drain();

    const events: { id: string; type: string; position: string }[] = await db.dataSource.query(
      'SELECT id, type, position FROM outbox WHERE subject = $1 ORDER BY position',
      [id],
    );
    expect(events.map((e) => e.type)).toEqual(['payment.accepted', 'payment.pending']);
    const published = lines.filter((l) => l.msg === 'event published');
    expect(published).toEqual(
      events.map((e) => expect.objectContaining({ level: 30, eventId: e.id, type: e.type, operationId: id, position: Number(e.position) })),
    );
    // Nothing is logged again for events already on the stream.
    await relay.drain();
    expect(lines.filter((l) => l.msg === 'event published')).toHaveLength(events.length);
  });

  it('exports how many events wait in the outbox and how long the oldest has waited', async () => {
    const relay = new OutboxRelay(db.dataSource, redis.client, { streamKey: redis.streamKey });
    await relay.drain();
    const metrics = new WorkerMetrics(new Registry());
    const queue = { name: 'payments', getJobCounts: async () => ({}) } as unknown as Queue;
    metrics.watch(queue, db.dataSource);
    const gauge = async (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(await metrics.registry.metrics())?.[1]);

    expect(await gauge('ecr_outbox_unpublished_events')).toBe(0);
    expect(await gauge('ecr_outbox_oldest_unpublished_seconds')).toBe(0);

    const [older, newer] = await payments(2);
    await db.dataSource.query(`UPDATE outbox SET created_at = now() - interval '90 seconds' WHERE subject = $1`, [older]);
    await db.dataSource.query(`UPDATE outbox SET created_at = now() - interval '5 seconds' WHERE subject = $1`, [newer]);
    expect(await gauge('ecr_outbox_unpublished_events')).toBe(2);
    const age = await gauge('ecr_outbox_oldest_unpublished_seconds');
    expect(age).toBeGreaterThanOrEqual(90);
    expect(age).toBeLessThan(120);

    await relay.drain();
    expect(await gauge('ecr_outbox_unpublished_events')).toBe(0);
    expect(await gauge('ecr_outbox_oldest_unpublished_seconds')).toBe(0);
  });
});
