// Options of the Redis Streams transport, their defaults, and the timings derived from them.
import { hostname } from 'node:os';
import type { RedisOptions } from 'ioredis';
import { z } from 'zod';

export interface RedisStreamsServerOptions {
  /** Redis URL (`redis://host:6379`). */
  url: string;
  /** Stream key to consume (the relay's `EVENT_STREAM_KEY`). */
  stream: string;
  /** Consumer group: each group gets every event; the consumers of one group share them. */
  group: string;
  /** This consumer's name in the group. Default `<hostname>-<pid>`. Keep it stable across restarts to resume its own pending messages at once. */
  consumer?: string;
  /** Where a new group starts: every message still in the stream, or only those added from now on. Default `beginning`. */
  startFrom?: 'beginning' | 'new';
  /** Messages asked for per read. Default 32. */
  batchSize?: number;
  /** How long one read waits for new messages (ms). Default 5000. */
  blockMs?: number;
  /** Handler attempts before a message goes to the dead-letter stream. Default 5. */
  maxDeliveries?: number;
  /** Default `<stream>:dead`. */
  deadLetterStream?: string;
  /** Messages pending this long at another consumer are taken over (that consumer is taken for dead) (ms). Default 30000. */
  claimIdleMs?: number;
  /** Delay before the first retry of a failed message; doubles with each delivery, at most 60 s (ms). Default 1000. */
  retryDelayMs?: number;
  /** Subjects (operations) handled at once by this consumer; one subject's messages are always handled one at a time. Default 1. */
  concurrency?: number;
  /**
   * Rewrites an entry's fields before they are copied anywhere (a dead letter): drop what must not
   * be kept, such as a credential the message carried. Default: copied as they are.
   */
  redactFields?: (fields: Readonly<Record<string, string>>) => Record<string, string>;
  /**
   * Deletes each entry (XDEL) when it is acknowledged, handled or dead-lettered, so what it carried
   * does not stay in the stream. Only for a stream that this one group reads. Default false.
   */
  deleteAcknowledged?: boolean;
  /** Extra ioredis options. */
  redis?: RedisOptions;
}

const positive = z.number().int().positive();
const optionsSchema = z.object({
  url: z.string().min(1),
  stream: z.string().min(1),
  group: z.string().min(1),
  consumer: z.string().min(1).optional(),
  startFrom: z.enum(['beginning', 'new']).default('beginning'),
  batchSize: positive.default(32),
  blockMs: positive.default(5000),
  maxDeliveries: positive.default(5),
  deadLetterStream: z.string().min(1).optional(),
  claimIdleMs: positive.default(30_000),
  retryDelayMs: z.number().int().nonnegative().default(1000),
  concurrency: positive.default(1),
  deleteAcknowledged: z.boolean().default(false),
});

export type ResolvedServerOptions = Required<Omit<RedisStreamsServerOptions, 'redis'>> & {
  redis: RedisOptions;
  /** How often this consumer tells Redis it still holds its messages (so nobody takes them over). */
  heartbeatMs: number;
  /** How often it looks for messages a dead consumer left pending. */
  claimEveryMs: number;
  /** Messages it holds at most (read, not yet acknowledged). */
  maxBuffered: number;
};

export const MAX_RETRY_DELAY_MS = 60_000;

export function resolveServerOptions(options: RedisStreamsServerOptions): ResolvedServerOptions {
  const parsed = optionsSchema.safeParse(options);
  if (!parsed.success) {
    throw new Error(`Invalid RedisStreamsServer options: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  const o = parsed.data;
  return {
    ...o,
    consumer: o.consumer ?? `${hostname()}-${process.pid}`,
    deadLetterStream: o.deadLetterStream ?? `${o.stream}:dead`,
    redis: options.redis ?? {},
    redactFields: options.redactFields ?? ((fields) => ({ ...fields })),
    // Three heartbeats fit in the idle time that marks a consumer dead, so a live one never looks dead.
    heartbeatMs: Math.max(20, Math.floor(o.claimIdleMs / 3)),
    claimEveryMs: Math.max(20, Math.min(Math.floor(o.claimIdleMs / 2), 5000)),
    maxBuffered: Math.max(o.batchSize * 4, o.concurrency),
  };
}

/** Wait before re-delivering a message that failed on its `deliveryCount`-th delivery. */
export function retryDelay(baseMs: number, deliveryCount: number): number {
  return Math.min(MAX_RETRY_DELAY_MS, baseMs * 2 ** Math.max(0, deliveryCount - 1));
}
