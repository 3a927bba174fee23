// The transport inside a real Nest microservice: @EventPattern handlers with @Payload and @Ctx,
// handler errors as Nest hands them over (with and without EventErrorFilter), and the client.
import { Controller, INestMicroservice, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { firstValueFrom } from 'rxjs';
import { EventErrorFilter, RedisStreamsClient, RedisStreamsContext, RedisStreamsServer, UnrecoverableEventError } from '@app/transport';
import { TransportHarness } from './transport.harness';

const seen: { data: unknown; eventId: string; type: string }[] = [];

@Controller()
class PaymentsListener {
  @EventPattern('payment.approved')
  approved(@Payload() data: Record<string, unknown>, @Ctx() ctx: RedisStreamsContext): void {
    if (data.amount === 13) throw new Error('unlucky amount');
    if (data.amount === 0) throw new UnrecoverableEventError('no amount');
    seen.push({ data, eventId: ctx.getEvent().id, type: ctx.getEvent().type });
  }

  @EventPattern('payment.requested')
  async requested(@Payload() data: Record<string, unknown>, @Ctx() ctx: RedisStreamsContext): Promise<void> {
    seen.push({ data, eventId: ctx.getEvent().id, type: ctx.getEvent().type });
  }
}

@Module({ controllers: [PaymentsListener] })
class ListenerModule {}

describe('Redis Streams transport in a Nest microservice', () => {
  let h: TransportHarness;
  const apps: INestMicroservice[] = [];

  beforeAll(async () => {
    h = await TransportHarness.create();
  });
  afterAll(async () => {
    for (const app of apps) await app.close();
    await h.close();
  });
  beforeEach(() => {
    seen.length = 0;
  });

  async function start(stream: string, withFilter: boolean): Promise<INestMicroservice> {
    const strategy = new RedisStreamsServer({ url: h.redis.url, stream, group: 'nest', blockMs: 200, retryDelayMs: 20, maxDeliveries: 2 });
    const app = await NestFactory.createMicroservice(ListenerModule, { strategy, logger: false });
    if (withFilter) app.useGlobalFilters(new EventErrorFilter());
    await app.listen();
    apps.push(app);
    return app;
  }

  it('hands @EventPattern handlers the event’s data as payload and the context', async () => {
    const stream = h.stream();
    await start(stream, true);
    const event = h.event('payment.approved', 'pay_1', { amount: 500 });
    await h.publish(stream, event);
    await h.drained(stream, 'nest');
    expect(seen).toEqual([{ data: event.data, eventId: event.id, type: 'payment.approved' }]);
  });

  // Nest's default filter hides an unknown error's text; an RpcException's survives it.
  it.each([
    ['with EventErrorFilter', true, 'unlucky amount'],
    ['behind Nest’s default filter', false, 'Internal server error'],
  ])('retries, dead-letters and honours UnrecoverableEventError %s', async (_how, withFilter, unknownError) => {
    const stream = h.stream();
    await start(stream, withFilter);
    await h.publishAll(stream, [h.event('payment.approved', 'pay_13', { amount: 13 }), h.event('payment.approved', 'pay_0', { amount: 0 })]);
    await h.drained(stream, 'nest');
    const dead = await h.deadLetters(`${stream}:dead`);
    expect(dead.map((d) => [d.subject, d.error, d.deliveries]).sort()).toEqual([
      ['pay_0', 'no amount', '1'],
      ['pay_13', unknownError, '2'],
    ]);
  });

  it('consumes what RedisStreamsClient emits, and refuses request/response', async () => {
    const stream = h.stream();
    await start(stream, true);
    const client = new RedisStreamsClient({ url: h.redis.url, stream, source: 'urn:store:test' });
    try {
      const id = await firstValueFrom(client.emit('payment.requested', { id: 'pay_9', amount: 900 }));
      expect(id).toMatch(/^\d+-\d+$/);
      await h.drained(stream, 'nest');
      expect(seen).toEqual([{ data: { id: 'pay_9', amount: 900 }, eventId: expect.stringMatching(/^evt_/), type: 'payment.requested' }]);
      const [[, flat]] = await h.redis.client.xrange(stream, id, id);
      expect(flat.filter((_, i) => i % 2 === 0)).toEqual(['type', 'id', 'subject', 'event']);
      await expect(firstValueFrom(client.send('payment.requested', { id: 'x' }))).rejects.toThrow(/does not support request\/response/);
    } finally {
      await client.close();
    }
  });
});
