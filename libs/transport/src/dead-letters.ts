// The dead-letter stream: where a message goes when its handler failed `maxDeliveries` times, threw
// UnrecoverableEventError, or the message did not parse. An entry keeps every original field and
// adds why and where it died; `redriveDeadLetters` puts entries back on their stream once fixed.
import type Redis from 'ioredis';
import { entriesOfRead, fieldsOf, flatten } from './stream-entry';

/** Fields a dead letter adds to the original ones. */
export const DEAD_LETTER_FIELDS = ['error', 'group', 'consumer', 'sourceStream', 'sourceId', 'deliveries', 'deadAt'] as const;
export type DeadLetterInfo = Record<(typeof DEAD_LETTER_FIELDS)[number], string>;

export function deadLetterFields(
  original: Readonly<Record<string, string>>,
  why: { error: string; group: string; consumer: string; stream: string; messageId: string; deliveries: number; at?: Date },
): Record<string, string> {
  const info: DeadLetterInfo = {
    error: why.error,
    group: why.group,
    consumer: why.consumer,
    sourceStream: why.stream,
    sourceId: why.messageId,
    deliveries: String(why.deliveries),
    deadAt: (why.at ?? new Date()).toISOString(),
  };
  return { ...original, ...info };
}

export interface DeadLetter {
  id: string;
  /** The message as it was published. */
  original: Record<string, string>;
  info: Partial<DeadLetterInfo>;
}

export function readDeadLetter(id: string, flat: readonly string[]): DeadLetter {
  const fields = fieldsOf(flat);
  const original: Record<string, string> = {};
  const info: Partial<DeadLetterInfo> = {};
  for (const [key, value] of Object.entries(fields)) {
    if ((DEAD_LETTER_FIELDS as readonly string[]).includes(key)) info[key as keyof DeadLetterInfo] = value;
    else original[key] = value;
  }
  return { id, original, info };
}

export async function listDeadLetters(redis: Redis, deadLetterStream: string, count = 1000): Promise<DeadLetter[]> {
  const reply: unknown = await redis.xrange(deadLetterStream, '-', '+', 'COUNT', count);
  // XRANGE answers the entries of one stream, the inner shape of an XREADGROUP reply.
  return entriesOfRead([[deadLetterStream, reply]], deadLetterStream).flatMap(([id, flat]) => (flat ? [readDeadLetter(id, flat)] : []));
}

export interface RedriveOptions {
  deadLetterStream: string;
  /** Only the dead letters of this group. */
  group?: string;
  /** Only these dead-letter entry ids. */
  ids?: readonly string[];
  /** Where to put them back; default the stream each came from. */
  stream?: string;
}

/**
 * Appends each chosen dead letter's original fields to its stream again and deletes it from the
 * dead-letter stream, in one transaction per entry. A redriven message is a new stream entry: every
 * group sees it again (consumers deduplicate by event id) and it comes after newer messages of its subject.
 * Answers the new stream ids.
 */
export async function redriveDeadLetters(redis: Redis, options: RedriveOptions): Promise<string[]> {
  const chosen = (await listDeadLetters(redis, options.deadLetterStream)).filter(
    (d) => (!options.group || d.info.group === options.group) && (!options.ids || options.ids.includes(d.id)),
  );
  const added: string[] = [];
  for (const dead of chosen) {
    const target = options.stream ?? dead.info.sourceStream;
    if (!target) throw new Error(`dead letter ${dead.id} does not say which stream it came from; pass options.stream`);
    const results = await redis
      .multi()
      .xadd(target, '*', ...flatten(dead.original))
      .xdel(options.deadLetterStream, dead.id)
      .exec();
    const failed = results?.find(([err]) => err);
    if (!results || failed) throw failed?.[0] ?? new Error('Redis transaction was discarded');
    added.push(String(results[0][1]));
  }
  return added;
}
