// The Redis Streams transport on real Redis: who gets which event, when it is acknowledged, where a
// restarted or a new group starts, and the order of one subject's events.
import { waitFor } from '@app/testing';
import { RedisStreamsContext } from '@app/transport';
import { gate, sleep, TransportHarness } from './transport.harness';

describe('Redis Streams transport: delivery', () => {
  let h: TransportHarness;

  beforeAll(async () => {
    h = await TransportHarness.create();
  });
  afterAll(async () => h.close());

  it('hands each event’s data and context to the handler of its type, once, and acknowledges it', async () => {
    const stream = h.stream();
    const events = [h.event('payment.approved', 'pay_a', { amount: 100 }), h.event('payment.approved', 'pay_b', { amount: 200 })];
    const ids = await h.publishAll(stream, events);
    const seen: { data: Record<string, unknown>; messageId: string; eventId: string; deliveries: number; group: string; position: string }[] = [];
    await h.server({ stream, group: 'g' }, {
      'payment.approved': (data, ctx: RedisStreamsContext) => {
        seen.push({
          data,
          messageId: ctx.getMessageId(),
          eventId: ctx.getEvent().id,
          deliveries: ctx.getDeliveryCount(),
          group: ctx.getGroup(),
          position: ctx.getFields().position,
        });
      },
    });
    await h.drained(stream, 'g');
    expect(seen).toEqual([
      { data: events[0].data, messageId: ids[0], eventId: events[0].id, deliveries: 1, group: 'g', position: expect.any(String) },
      { data: events[1].data, messageId: ids[1], eventId: events[1].id, deliveries: 1, group: 'g', position: expect.any(String) },
    ]);
    await sleep(300);
    expect(seen).toHaveLength(2);
  });

  it('gives every event to each of two groups', async () => {
    const stream = h.stream();
    const events = Array.from({ length: 20 }, (_, i) => h.event('payment.approved', `pay_${i}`));
    await h.publishAll(stream, events);
    const got: Record<string, string[]> = { accounting: [], loyalty: [] };
    for (const group of ['accounting', 'loyalty']) {
      await h.server({ stream, group }, { 'payment.approved': (_d, ctx) => void got[group].push(ctx.getEvent().id) });
    }
    await h.drained(stream, 'accounting');
    await h.drained(stream, 'loyalty');
    expect(got.accounting).toEqual(events.map((e) => e.id));
    expect(got.loyalty).toEqual(events.map((e) => e.id));
  });

  it('shares one group’s events between its consumers, each event handled by one of them', async () => {
    const stream = h.stream();
    const byConsumer: Record<string, string[]> = { c1: [], c2: [] };
    for (const consumer of ['c1', 'c2']) {
      await h.server({ stream, group: 'g', consumer, batchSize: 2 }, {
        'payment.approved': async (_d, ctx) => {
          byConsumer[consumer].push(ctx.getEvent().id);
          await sleep(5);
        },
      });
    }
    const events = Array.from({ length: 40 }, (_, i) => h.event('payment.approved', `pay_${i}`));
    await h.publishAll(stream, events);
    await h.drained(stream, 'g');
    const all = [...byConsumer.c1, ...byConsumer.c2];
    expect(all.sort()).toEqual(events.map((e) => e.id).sort());
    expect(byConsumer.c1.length).toBeGreaterThan(0);
    expect(byConsumer.c2.length).toBeGreaterThan(0);
  });

  it('acknowledges an event only once its handler has resolved', async () => {
    const stream = h.stream();
    const hold = gate();
    let started = false;
    await h.server({ stream, group: 'g' }, {
      'payment.approved': async () => {
        started = true;
        await hold.promise;
      },
    });
    const [id] = await h.publishAll(stream, [h.event('payment.approved', 'pay_1')]);
    await waitFor(() => (started ? true : undefined));
    await sleep(200);
    expect((await h.pending(stream, 'g')).map((p) => p.id)).toEqual([id]);
    hold.open();
    await h.drained(stream, 'g');
  });

  it('acknowledges events no handler wants, without dead-lettering them', async () => {
    const stream = h.stream();
    const handled: string[] = [];
    await h.server({ stream, group: 'g' }, { 'settlement.approved': (_d, ctx) => void handled.push(ctx.getEvent().type) });
    await h.publishAll(stream, [h.event('payment.pending', 'pay_1'), h.event('settlement.approved', 'set_1'), h.event('payment.approved', 'pay_1')]);
    await h.drained(stream, 'g');
    expect(handled).toEqual(['settlement.approved']);
    expect(await h.redis.client.exists(`${stream}:dead`)).toBe(0);
  });

  it('reaches every wildcard handler an event matches, besides its exact one', async () => {
    const stream = h.stream();
    const calls: string[] = [];
    await h.server({ stream, group: 'g' }, {
      'payment.approved': () => void calls.push('exact'),
      'payment.*': (_d, ctx) => void calls.push(`payment.* ${ctx.getEvent().type}`),
      '*.approved': (_d, ctx) => void calls.push(`*.approved ${ctx.getEvent().type}`),
    });
    await h.publishAll(stream, [h.event('payment.approved', 'pay_1'), h.event('payment.rejected', 'pay_2'), h.event('refund.approved', 'ref_1')]);
    await h.drained(stream, 'g');
    expect(calls).toEqual(['exact', 'payment.* payment.approved', '*.approved payment.approved', 'payment.* payment.rejected', '*.approved refund.approved']);
  });

  it('starts a new group at the end of the stream when asked to, at its beginning by default', async () => {
    const stream = h.stream();
    const before = h.event('payment.approved', 'pay_old');
    await h.publish(stream, before);
    const fromNew: string[] = [];
    const fromStart: string[] = [];
    await h.server({ stream, group: 'new', startFrom: 'new' }, { 'payment.approved': (_d, ctx) => void fromNew.push(ctx.getEvent().id) });
    await h.server({ stream, group: 'all' }, { 'payment.approved': (_d, ctx) => void fromStart.push(ctx.getEvent().id) });
    const after = h.event('payment.approved', 'pay_new');
    await h.publish(stream, after);
    await h.drained(stream, 'new');
    await h.drained(stream, 'all');
    expect(fromNew).toEqual([after.id]);
    expect(fromStart).toEqual([before.id, after.id]);
  });

  it('resumes after a restart where it stopped: what was published meanwhile arrives, nothing acknowledged comes again', async () => {
    const stream = h.stream();
    const seen: string[] = [];
    const handlers = { 'payment.approved': (_d: unknown, ctx: RedisStreamsContext) => void seen.push(ctx.getEvent().id) };
    const first = Array.from({ length: 5 }, (_, i) => h.event('payment.approved', `pay_a${i}`));
    const server = await h.server({ stream, group: 'g', consumer: 'c1' }, handlers);
    await h.publishAll(stream, first);
    await h.drained(stream, 'g');
    await server.close();

    const meanwhile = Array.from({ length: 5 }, (_, i) => h.event('payment.approved', `pay_b${i}`));
    await h.publishAll(stream, meanwhile);
    await sleep(300);
    expect(seen).toEqual(first.map((e) => e.id));

    // Another name, as after a redeploy: the group's position is what carries over.
    await h.server({ stream, group: 'g', consumer: 'c2' }, handlers);
    await h.drained(stream, 'g');
    expect(seen).toEqual([...first, ...meanwhile].map((e) => e.id));
  });

  it('closes gracefully: the handler in flight finishes and is acknowledged, nothing else starts', async () => {
    const stream = h.stream();
    const hold = gate();
    const started: string[] = [];
    const finished: string[] = [];
    const server = await h.server({ stream, group: 'g', consumer: 'c1', blockMs: 5000 }, {
      'payment.approved': async (_d, ctx) => {
        started.push(ctx.getEvent().subject);
        await hold.promise;
        finished.push(ctx.getEvent().subject);
      },
    });
    const [first] = await h.publishAll(stream, [h.event('payment.approved', 'pay_1'), h.event('payment.approved', 'pay_2')]);
    await waitFor(() => (started.length === 1 ? true : undefined));
    const closing = server.close();
    await sleep(100);
    hold.open();
    const t0 = Date.now();
    await closing;
    // The blocked read was released, not waited out.
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(finished).toEqual(['pay_1']);
    expect(started).toEqual(['pay_1']);
    const pending = await h.pending(stream, 'g');
    expect(pending.map((p) => p.id)).not.toContain(first);
    expect(pending.map((p) => p.consumer)).toEqual(['c1']);
  });

  it('handles one subject’s events in stream order while other subjects run alongside', async () => {
    const stream = h.stream();
    const subjects = ['pay_a', 'pay_b', 'pay_c', 'pay_d', 'pay_e'];
    const events = Array.from({ length: 50 }, (_, i) => h.event('payment.approved', subjects[i % subjects.length], { n: i }));
    await h.publishAll(stream, events);
    const order = new Map<string, number[]>();
    let running = 0;
    let overlap = 0;
    let twiceAtOnce = 0;
    const inFlight = new Set<string>();
    await h.server({ stream, group: 'g', concurrency: 4, batchSize: 10 }, {
      'payment.approved': async (data, ctx) => {
        const subject = ctx.getEvent().subject;
        if (inFlight.has(subject)) twiceAtOnce++;
        inFlight.add(subject);
        running++;
        overlap = Math.max(overlap, running);
        await sleep(Math.floor(Math.random() * 15));
        order.set(subject, [...(order.get(subject) ?? []), data.n as number]);
        running--;
        inFlight.delete(subject);
      },
    });
    await h.drained(stream, 'g');
    for (const subject of subjects) {
      const want = events.filter((e) => e.subject === subject).map((e) => e.data.n);
      expect(order.get(subject)).toEqual(want);
    }
    expect(twiceAtOnce).toBe(0);
    expect(overlap).toBeGreaterThan(1);
  });
});
