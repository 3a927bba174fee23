// Publishes onto a Redis Stream in the bus's own message shape (fields `type`, `id`, `subject`,
// `event`), so a RedisStreamsServer consumes it like any relayed event: `client.emit(type, data)`.
// Request/response (`send`) has no meaning on a stream and is refused.
import { EVENT_SOURCE, CloudEvent, cloudEventSchema } from '@app/contracts';
import { newId } from '@app/common';
import { ClientProxy, ReadPacket, WritePacket } from '@nestjs/microservices';
import Redis, { RedisOptions } from 'ioredis';
import { Observable, throwError } from 'rxjs';
import { z } from 'zod';

export interface RedisStreamsClientOptions {
  url: string;
  /** Stream key to publish to. */
  stream: string;
  /** CloudEvent `source` of what this client emits. Default `urn:ecr-bridge`. */
  source?: string;
  /** Approximate cap on the stream's length (XADD MAXLEN ~). Default none. */
  maxLen?: number;
  redis?: RedisOptions;
}

const dataSchema = z.record(z.string(), z.unknown());

/**
 * The CloudEvent `emit(type, data)` publishes: `data` itself when it already is a CloudEvent of that
 * type, otherwise a new event around it, whose subject is `data.id` when that is a string.
 */
export function eventFor(type: unknown, data: unknown, source: string = EVENT_SOURCE, now: Date = new Date()): CloudEvent {
  if (typeof type !== 'string' || type.length === 0) throw new Error('RedisStreamsClient.emit: the pattern must be a non-empty event type string');
  const asEvent = cloudEventSchema.safeParse(data);
  if (asEvent.success) {
    if (asEvent.data.type !== type) throw new Error(`RedisStreamsClient.emit: pattern ${type} but the event's type is ${asEvent.data.type}`);
    return asEvent.data;
  }
  const payload = dataSchema.safeParse(data);
  if (!payload.success) throw new Error('RedisStreamsClient.emit: data must be an object (or a CloudEvent)');
  const id = newId('evt', now.getTime());
  const subject = typeof payload.data.id === 'string' && payload.data.id ? payload.data.id : id;
  return cloudEventSchema.parse({
    specversion: '1.0',
    id,
    source,
    type,
    time: now.toISOString(),
    subject,
    datacontenttype: 'application/json',
    data: payload.data,
  });
}

export class RedisStreamsClient extends ClientProxy {
  private redis: Redis | null = null;

  constructor(private readonly options: RedisStreamsClientOptions) {
    super();
  }

  async connect(): Promise<Redis> {
    if (!this.redis) {
      this.redis = new Redis(this.options.url, { maxRetriesPerRequest: null, ...this.options.redis });
      this.redis.on('error', () => undefined);
      this._status$.next('connected');
    }
    return this.redis;
  }

  async close(): Promise<void> {
    const redis = this.redis;
    this.redis = null;
    if (!redis) return;
    await redis.quit().catch(() => undefined);
    redis.disconnect();
    this._status$.next('disconnected');
  }

  unwrap<T>(): T {
    if (!this.redis) throw new Error('RedisStreamsClient is not connected');
    return this.redis as T;
  }

  override send<TResult = unknown, TInput = unknown>(pattern: unknown, _data: TInput): Observable<TResult> {
    return throwError(
      () => new Error(`RedisStreamsClient does not support request/response (send ${String(pattern)}); use emit, and let the consumer publish its answer as an event`),
    );
  }

  /** Answers the stream id of the published message. */
  protected async dispatchEvent<T = string>(packet: ReadPacket): Promise<T> {
    const event = eventFor(packet.pattern, packet.data, this.options.source);
    const redis = await this.connect();
    const cap = this.options.maxLen ? ['MAXLEN', '~', this.options.maxLen] : [];
    const id: unknown = await redis.call('XADD', this.options.stream, ...cap, '*', 'type', event.type, 'id', event.id, 'subject', event.subject, 'event', JSON.stringify(event));
    return String(id) as T;
  }

  protected publish(_packet: ReadPacket, callback: (packet: WritePacket) => void): () => void {
    callback({ err: new Error('RedisStreamsClient does not support request/response; use emit'), isDisposed: true });
    return () => undefined;
  }
}
