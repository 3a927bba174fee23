// The Redis Streams transport on real Redis when a consumer dies holding messages: a live consumer
// of the group takes them over once they are idle long enough, a live slow one keeps its own, and a
// consumer back under the same name takes its own back at once.
import { waitFor } from '@app/testing';
import { gate, sleep, TransportHarness } from './transport.harness';

describe('Redis Streams transport: dead consumers', () => {
  let h: TransportHarness;

  beforeAll(async () => {
    h = await TransportHarness.create();
  });
  afterAll(async () => h.close());

  /** What a consumer that read messages and died before acknowledging them leaves behind. */
  async function readAndDie(stream: string, group: string, consumer: string, count: number): Promise<string[]> {
    await h.redis.client.xgroup('CREATE', stream, group, '0', 'MKSTREAM').catch(() => undefined);
    const reply = (await h.redis.client.xreadgroup('GROUP', group, consumer, 'COUNT', count, 'STREAMS', stream, '>')) as [string, [string, string[]][]][];
    return reply[0][1].map(([id]) => id);
  }

  it('takes over the messages a dead consumer left pending once they are idle for claimIdleMs, and handles them', async () => {
    const stream = h.stream();
    const events = Array.from({ length: 4 }, (_, i) => h.event('payment.approved', `pay_${i}`));
    await h.publishAll(stream, events);
    const orphaned = await readAndDie(stream, 'g', 'ghost', 3);
    expect(orphaned).toHaveLength(3);

    const handled: { id: string; deliveries: number; at: number }[] = [];
    const t0 = Date.now();
    await h.server({ stream, group: 'g', consumer: 'live', claimIdleMs: 600 }, {
      'payment.approved': (_d, ctx) => void handled.push({ id: ctx.getEvent().id, deliveries: ctx.getDeliveryCount(), at: Date.now() - t0 }),
    });
    await h.drained(stream, 'g');
    expect(handled.map((x) => x.id).sort()).toEqual(events.map((e) => e.id).sort());
    const takenOver = handled.filter((x) => x.id !== events[3].id);
    // Taken over: a second delivery, and not before the ghost's messages were idle long enough.
    expect(takenOver.map((x) => x.deliveries)).toEqual([2, 2, 2]);
    expect(Math.min(...takenOver.map((x) => x.at))).toBeGreaterThanOrEqual(400);
    expect(handled.find((x) => x.id === events[3].id)?.deliveries).toBe(1);
  });

  it('keeps the message of a live consumer whose handler runs longer than claimIdleMs', async () => {
    const stream = h.stream();
    const calls: string[] = [];
    await h.server({ stream, group: 'g', consumer: 'slow', claimIdleMs: 300 }, {
      'payment.approved': async () => {
        calls.push('slow');
        await sleep(1200);
      },
    });
    await h.publish(stream, h.event('payment.approved', 'pay_1'));
    await sleep(100);
    await h.server({ stream, group: 'g', consumer: 'other', claimIdleMs: 300 }, { 'payment.approved': () => void calls.push('other') });
    await h.drained(stream, 'g');
    expect(calls).toEqual(['slow']);
  });

  it('gives a consumer back under the same name its own pending messages at once, without waiting claimIdleMs', async () => {
    const stream = h.stream();
    const events = Array.from({ length: 3 }, (_, i) => h.event('payment.approved', `pay_${i}`));
    await h.publishAll(stream, events);
    await readAndDie(stream, 'g', 'accounting-0', 3);
    const handled: { id: string; deliveries: number }[] = [];
    const t0 = Date.now();
    await h.server({ stream, group: 'g', consumer: 'accounting-0', claimIdleMs: 60_000 }, {
      'payment.approved': (_d, ctx) => void handled.push({ id: ctx.getEvent().id, deliveries: ctx.getDeliveryCount() }),
    });
    await h.drained(stream, 'g');
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(handled).toEqual(events.map((e) => ({ id: e.id, deliveries: 2 })));
  });

  it('hands what it read and did not handle back on a graceful close: the group takes it over at its next look, not claimIdleMs later', async () => {
    const stream = h.stream();
    const hold = gate();
    const byConsumer: Record<string, string[]> = { leaving: [], staying: [] };
    const leaving = await h.server({ stream, group: 'g', consumer: 'leaving', claimIdleMs: 6000 }, {
      'payment.approved': async (_d, ctx) => {
        byConsumer.leaving.push(ctx.getEvent().subject);
        await hold.promise;
      },
    });
    await h.publishAll(stream, ['pay_1', 'pay_2', 'pay_3'].map((s) => h.event('payment.approved', s)));
    await waitFor(async () => ((await h.pending(stream, 'g')).length === 3 ? true : undefined));
    const closing = leaving.close();
    hold.open();
    await closing;
    const t0 = Date.now();
    // claimIdleMs 6000: it looks for idle messages every 3 s.
    await h.server({ stream, group: 'g', consumer: 'staying', claimIdleMs: 6000 }, {
      'payment.approved': (_d, ctx) => void byConsumer.staying.push(ctx.getEvent().subject),
    });
    await h.drained(stream, 'g');
    expect(Date.now() - t0).toBeLessThan(4500);
    expect(byConsumer).toEqual({ leaving: ['pay_1'], staying: ['pay_2', 'pay_3'] });
  });

  it('dead-letters without handling it a message its consumers kept dying on (delivered more than maxDeliveries times)', async () => {
    const stream = h.stream();
    const killer = h.event('payment.approved', 'pay_killer');
    const [id] = await h.publishAll(stream, [killer]);
    await readAndDie(stream, 'g', 'ghost-1', 1);
    // Two more consumers took it over and died too.
    for (const ghost of ['ghost-2', 'ghost-3']) await h.redis.client.xclaim(stream, 'g', ghost, 0, id);
    let called = 0;
    await h.server({ stream, group: 'g', consumer: 'live', claimIdleMs: 300, maxDeliveries: 3 }, { 'payment.approved': () => void called++ });
    await h.drained(stream, 'g');
    expect(called).toBe(0);
    const [dead] = await h.deadLetters(`${stream}:dead`);
    expect(dead).toMatchObject({ id: killer.id, deliveries: '4', error: 'not acknowledged after 3 deliveries' });
  });
});
