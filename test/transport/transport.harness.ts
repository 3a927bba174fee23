// Helpers for the transport's integration tests: a fresh stream per test, events published the way
// the outbox relay publishes them, servers started with plain handler functions, and what Redis says
// about a group.
import { CloudEvent } from '@app/contracts';
import { createTestRedis, TestRedis, waitFor } from '@app/testing';
import { RedisStreamsContext, RedisStreamsServer, RedisStreamsServerOptions } from '@app/transport';
import { Logger } from '@nestjs/common';
import type { MessageHandler } from '@nestjs/microservices';
import type Redis from 'ioredis';

// Dead letters and take-overs are what these tests provoke; their log lines would only be noise.
Logger.overrideLogger(false);

export type Handler = (data: Record<string, unknown>, ctx: RedisStreamsContext) => Promise<unknown> | unknown;

export class TransportHarness {
  private n = 0;
  private position = 0;
  private readonly servers: RedisStreamsServer[] = [];

  private constructor(readonly redis: TestRedis) {}

  static async create(): Promise<TransportHarness> {
    return new TransportHarness(await createTestRedis());
  }

  /** A stream key no other test uses. */
  stream(): string {
    return `${this.redis.prefix}:s${++this.n}`;
  }

  event(type: string, subject: string, data: Record<string, unknown> = {}): CloudEvent {
    return {
      specversion: '1.0',
      id: `evt_${subject}_${++this.position}_${Math.random().toString(36).slice(2, 8)}`,
      source: 'urn:ecr-bridge',
      type,
      time: new Date().toISOString(),
      subject,
      datacontenttype: 'application/json',
      data: { id: subject, ...data },
    };
  }

  /** XADDs the event with the relay's fields; answers the stream id. */
  async publish(stream: string, event: CloudEvent): Promise<string> {
    const id = await this.redis.client.xadd(
      stream,
      '*',
      'position',
      String(++this.position),
      'id',
      event.id,
      'type',
      event.type,
      'subject',
      event.subject,
      'merchantId',
      'mer_test',
      'event',
      JSON.stringify(event),
    );
    return String(id);
  }

  async publishAll(stream: string, events: CloudEvent[]): Promise<string[]> {
    const ids: string[] = [];
    for (const e of events) ids.push(await this.publish(stream, e));
    return ids;
  }

  /** A listening server (closed after the file) whose handlers are plain functions by pattern. */
  async server(options: Partial<RedisStreamsServerOptions> & { stream: string; group: string }, handlers: Record<string, Handler>): Promise<RedisStreamsServer> {
    const server = new RedisStreamsServer({ url: this.redis.url, blockMs: 200, claimIdleMs: 2000, retryDelayMs: 50, ...options });
    for (const [pattern, handler] of Object.entries(handlers)) {
      server.addHandler(pattern, ((data: Record<string, unknown>, ctx: RedisStreamsContext) => Promise.resolve(handler(data, ctx))) as MessageHandler, true);
    }
    await new Promise<void>((resolve, reject) => server.listen((err?: unknown) => (err ? reject(err) : resolve())));
    this.servers.push(server);
    return server;
  }

  /** Entries pending in the group, with their consumer and delivery count. */
  async pending(stream: string, group: string): Promise<{ id: string; consumer: string; deliveries: number }[]> {
    const rows = (await this.redis.client.xpending(stream, group, '-', '+', 1000)) as [string, string, number, number][];
    return rows.map(([id, consumer, , deliveries]) => ({ id, consumer, deliveries }));
  }

  async drained(stream: string, group: string): Promise<void> {
    await groupDrained(this.redis.client, stream, group);
  }

  async deadLetters(stream: string): Promise<Record<string, string>[]> {
    const entries = await this.redis.client.xrange(stream, '-', '+');
    return entries.map(([, flat]) => {
      const fields: Record<string, string> = {};
      for (let i = 0; i < flat.length; i += 2) fields[flat[i]] = flat[i + 1];
      return fields;
    });
  }

  async close(): Promise<void> {
    for (const s of this.servers) await s.close();
    await this.redis.close();
  }
}

/** What Redis says of a consumer group: `pending`, `lag`, `last-delivered-id`, … */
export async function groupInfo(redis: Redis, stream: string, group: string): Promise<Record<string, unknown> | undefined> {
  const groups = (await redis.xinfo('GROUPS', stream)) as unknown[][];
  return groups.map(toRecord).find((r) => r.name === group);
}

/** Waits until the group has read everything in the stream and acknowledged it all. */
export async function groupDrained(redis: Redis, stream: string, group: string, timeoutMs = 15_000): Promise<void> {
  await waitFor(
    async () => {
      const g = await groupInfo(redis, stream, group);
      const last = toRecord((await redis.xinfo('STREAM', stream)) as unknown[])['last-generated-id'];
      return g && g.pending === 0 && g['last-delivered-id'] === last ? true : undefined;
    },
    { timeoutMs, what: `group ${group} to drain ${stream}` },
  );
}

function toRecord(flat: unknown[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) out[String(flat[i])] = flat[i + 1];
  return out;
}

/** A promise and its resolver, to hold a handler until the test lets it go. */
export function gate(): { promise: Promise<void>; open: () => void } {
  let open: () => void = () => undefined;
  const promise = new Promise<void>((r) => (open = r));
  return { promise, open };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
