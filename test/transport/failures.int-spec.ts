// The Redis Streams transport on real Redis when things go wrong: failing handlers retried, poison
// and malformed messages dead-lettered without stopping the loop, redrive, a lost group.
import { waitFor } from '@app/testing';
import { redriveDeadLetters, UnrecoverableEventError } from '@app/transport';
import { sleep, TransportHarness } from './transport.harness';

describe('Redis Streams transport: failures', () => {
  let h: TransportHarness;

  beforeAll(async () => {
    h = await TransportHarness.create();
  });
  afterAll(async () => h.close());

  it('delivers a failing event again until its handler succeeds, then acknowledges it', async () => {
    const stream = h.stream();
    const deliveries: number[] = [];
    await h.server({ stream, group: 'g', maxDeliveries: 5 }, {
      'payment.approved': (_d, ctx) => {
        deliveries.push(ctx.getDeliveryCount());
        if (deliveries.length < 3) throw new Error('database is down');
      },
    });
    await h.publish(stream, h.event('payment.approved', 'pay_1'));
    await h.drained(stream, 'g');
    expect(deliveries).toEqual([1, 2, 3]);
    expect(await h.redis.client.exists(`${stream}:dead`)).toBe(0);
  });

  it('waits longer before each new delivery of a failing event', async () => {
    const stream = h.stream();
    const at: number[] = [];
    await h.server({ stream, group: 'g', retryDelayMs: 100, maxDeliveries: 5 }, {
      'payment.approved': () => {
        at.push(Date.now());
        if (at.length < 4) throw new Error('not yet');
      },
    });
    await h.publish(stream, h.event('payment.approved', 'pay_1'));
    await h.drained(stream, 'g');
    const gaps = at.slice(1).map((t, i) => t - at[i]);
    // 100, 200, 400 ms: the backoff doubles.
    expect(gaps[0]).toBeGreaterThanOrEqual(90);
    expect(gaps[1]).toBeGreaterThanOrEqual(190);
    expect(gaps[2]).toBeGreaterThanOrEqual(390);
  });

  it('dead-letters an event that fails maxDeliveries times, with its fields, the error and the group, and goes on', async () => {
    const stream = h.stream();
    const poison = h.event('payment.approved', 'pay_poison');
    const fine = h.event('payment.approved', 'pay_fine');
    let attempts = 0;
    const handled: string[] = [];
    await h.server({ stream, group: 'accounting', consumer: 'c1', maxDeliveries: 3 }, {
      'payment.approved': (_d, ctx) => {
        if (ctx.getEvent().subject === 'pay_poison') {
          attempts++;
          throw new Error('cannot book this');
        }
        handled.push(ctx.getEvent().id);
      },
    });
    const [poisonId] = await h.publishAll(stream, [poison, fine]);
    await h.drained(stream, 'accounting');
    expect(attempts).toBe(3);
    expect(handled).toEqual([fine.id]);
    const dead = await h.deadLetters(`${stream}:dead`);
    expect(dead).toEqual([
      expect.objectContaining({
        id: poison.id,
        type: 'payment.approved',
        subject: 'pay_poison',
        event: JSON.stringify(poison),
        error: 'cannot book this',
        group: 'accounting',
        consumer: 'c1',
        sourceStream: stream,
        sourceId: poisonId,
        deliveries: '3',
      }),
    ]);
  });

  it('holds back the later events of a failing event’s subject, not those of other subjects', async () => {
    const stream = h.stream();
    const order: string[] = [];
    let failures = 0;
    await h.server({ stream, group: 'g', retryDelayMs: 300 }, {
      'payment.*': (_d, ctx) => {
        const e = ctx.getEvent();
        if (e.type === 'payment.pending' && e.subject === 'pay_a' && failures++ === 0) throw new Error('once');
        order.push(`${e.subject} ${e.type}`);
      },
    });
    await h.publishAll(stream, [
      h.event('payment.pending', 'pay_a'),
      h.event('payment.approved', 'pay_a'),
      h.event('payment.pending', 'pay_b'),
      h.event('payment.approved', 'pay_b'),
    ]);
    await h.drained(stream, 'g');
    expect(order).toEqual(['pay_b payment.pending', 'pay_b payment.approved', 'pay_a payment.pending', 'pay_a payment.approved']);
  });

  it('dead-letters malformed messages at once without calling a handler, and goes on', async () => {
    const stream = h.stream();
    const handled: string[] = [];
    await h.server({ stream, group: 'g' }, { 'payment.approved': (_d, ctx) => void handled.push(ctx.getEvent().id) });
    const good = h.event('payment.approved', 'pay_ok');
    await h.redis.client.xadd(stream, '*', 'type', 'payment.approved', 'id', 'evt_x', 'event', '{not json');
    await h.redis.client.xadd(stream, '*', 'type', 'payment.approved', 'id', 'evt_y', 'event', JSON.stringify({ id: 'evt_y', type: 'payment.approved' }));
    await h.redis.client.xadd(stream, '*', 'hello', 'world');
    await h.publish(stream, good);
    await h.drained(stream, 'g');
    expect(handled).toEqual([good.id]);
    const dead = await h.deadLetters(`${stream}:dead`);
    expect(dead.map((d) => [d.id ?? d.hello, d.deliveries])).toEqual([
      ['evt_x', '1'],
      ['evt_y', '1'],
      ['world', '1'],
    ]);
    expect(dead[0].error).toMatch(/not JSON/);
    expect(dead[1].error).toMatch(/not a CloudEvent/);
    expect(dead[2].error).toMatch(/malformed message/);
  });

  it('dead-letters at once an event whose handler throws UnrecoverableEventError', async () => {
    const stream = h.stream();
    let attempts = 0;
    await h.server({ stream, group: 'g', maxDeliveries: 5 }, {
      'payment.approved': () => {
        attempts++;
        throw new UnrecoverableEventError('amount missing');
      },
    });
    await h.publish(stream, h.event('payment.approved', 'pay_1'));
    await h.drained(stream, 'g');
    expect(attempts).toBe(1);
    expect((await h.deadLetters(`${stream}:dead`)).map((d) => d.error)).toEqual(['amount missing']);
  });

  it('redrives a dead letter onto its stream, where the fixed consumer handles it', async () => {
    const stream = h.stream();
    let broken = true;
    const handled: string[] = [];
    await h.server({ stream, group: 'g', maxDeliveries: 1 }, {
      'payment.approved': (_d, ctx) => {
        if (broken) throw new Error('bug');
        handled.push(ctx.getEvent().id);
      },
    });
    const event = h.event('payment.approved', 'pay_1');
    await h.publish(stream, event);
    await waitFor(async () => ((await h.redis.client.xlen(`${stream}:dead`)) === 1 ? true : undefined));
    broken = false;
    const added = await redriveDeadLetters(h.redis.client, { deadLetterStream: `${stream}:dead`, group: 'g' });
    expect(added).toHaveLength(1);
    await h.drained(stream, 'g');
    expect(handled).toEqual([event.id]);
    expect(await h.redis.client.xlen(`${stream}:dead`)).toBe(0);
    const [[, flat]] = await h.redis.client.xrange(stream, added[0], added[0]);
    expect(flat).not.toContain('error');
  });

  it('goes on after its Redis connections are cut, with what was published meanwhile', async () => {
    const stream = h.stream();
    const handled: string[] = [];
    await h.server({ stream, group: 'g', consumer: 'cut' }, { 'payment.approved': (_d, ctx) => void handled.push(ctx.getEvent().id) });
    const before = h.event('payment.approved', 'pay_1');
    await h.publish(stream, before);
    await h.drained(stream, 'g');
    const clients = String(await h.redis.client.client('LIST'))
      .split('\n')
      .filter((line) => line.includes(' name=g:cut:'));
    expect(clients).toHaveLength(2);
    for (const line of clients) await h.redis.client.client('KILL', 'ID', /\bid=(\d+)/.exec(line)?.[1] ?? '');
    const after = h.event('payment.approved', 'pay_2');
    await h.publish(stream, after);
    await h.drained(stream, 'g');
    expect(handled).toEqual([before.id, after.id]);
  });

  it('makes its group again when the stream disappears (a Redis flush) and goes on with what comes next', async () => {
    const stream = h.stream();
    const handled: string[] = [];
    await h.server({ stream, group: 'g', blockMs: 100 }, { 'payment.approved': (_d, ctx) => void handled.push(ctx.getEvent().id) });
    const before = h.event('payment.approved', 'pay_1');
    await h.publish(stream, before);
    await h.drained(stream, 'g');
    await h.redis.client.del(stream);
    await sleep(500);
    const after = h.event('payment.approved', 'pay_2');
    await h.publish(stream, after);
    await h.drained(stream, 'g');
    expect(handled).toEqual([before.id, after.id]);
  });
});
