// Commands over the bus in tests: a system and a gateway whose command and reply streams are this
// file's own, a publisher as a store system would write one, the answers read back, and a scan of
// everything the test left in Redis.
import { randomBytes } from 'node:crypto';
import type { AppConfig } from '@app/common';
import { BusCommandName, busCommandType, CommandReply, commandReplySchema, ProblemDetails } from '@app/contracts';
import { waitFor } from '@app/testing';
import { DeadLetter, listDeadLetters, RedisStreamsClient } from '@app/transport';
import { lastValueFrom } from 'rxjs';
import { Answer, StartedGateway, startGatewayFor } from '../support/e2e';
import { System } from '../support/system';

export interface CommandOptions {
  apiKey?: unknown;
  idempotencyKey?: unknown;
  operationId?: string;
  body?: unknown;
  commandId?: string;
  /** Fields of the envelope to replace or add, as published. */
  extra?: Record<string, unknown>;
}

export interface Bus {
  gw: StartedGateway;
  commandStream: string;
  replyStream: string;
  deadLetterStream: string;
  /** Publishes `command.<name>`; answers the command id its reply will carry. */
  publish(name: BusCommandName, options?: CommandOptions): Promise<string>;
  /** Publishes and waits for the answer. */
  send(name: BusCommandName, options?: CommandOptions): Promise<CommandReply>;
  reply(commandId: string, timeoutMs?: number): Promise<CommandReply>;
  replies(): Promise<{ type: string; reply: CommandReply }[]>;
  deadLetters(): Promise<DeadLetter[]>;
  close(): Promise<void>;
}

export const newKey = (what = 'k'): string => `${what}-${randomBytes(8).toString('hex')}`;

export async function startBus(sys: System, extra: Partial<AppConfig> = {}): Promise<Bus> {
  const commandStream = `${sys.redis.prefix}:commands`;
  const replyStream = `${sys.redis.prefix}:command-replies`;
  const gw = await startGatewayFor(sys, { COMMAND_STREAM_KEY: commandStream, COMMAND_REPLY_STREAM_KEY: replyStream, ...extra });
  const client = new RedisStreamsClient({ url: sys.redis.url, stream: commandStream });
  sys.onStop(() => client.close());

  const replies = async () => {
    const entries = (await sys.redis.client.xrange(replyStream, '-', '+')) as [string, string[]][];
    return entries.map(([, flat]) => {
      const fields: Record<string, string> = {};
      for (let i = 0; i + 1 < flat.length; i += 2) fields[flat[i]] = flat[i + 1];
      const event = JSON.parse(fields.event) as { type: string; subject: string; data: unknown };
      const reply = commandReplySchema.parse(event.data);
      if (event.subject !== reply.commandId) throw new Error(`reply ${reply.commandId} has subject ${event.subject}`);
      return { type: event.type, reply };
    });
  };
  const reply = (commandId: string, timeoutMs = 15_000) =>
    waitFor(async () => (await replies()).find((r) => r.reply.commandId === commandId)?.reply, { timeoutMs, what: `the reply to ${commandId}` });

  const publish = async (name: BusCommandName, o: CommandOptions = {}) => {
    const commandId = o.commandId ?? newKey('cmd');
    const data = {
      command: name,
      apiKey: o.apiKey,
      idempotencyKey: 'idempotencyKey' in o ? o.idempotencyKey : newKey(),
      commandId,
      ...(o.operationId ? { operationId: o.operationId } : {}),
      ...(o.body === undefined ? {} : { body: o.body }),
      ...o.extra,
    };
    await lastValueFrom(client.emit(busCommandType(name), data));
    return commandId;
  };

  return {
    gw,
    commandStream,
    replyStream,
    deadLetterStream: `${commandStream}:dead`,
    publish,
    async send(name, o) {
      return reply(await publish(name, o));
    },
    reply,
    replies,
    deadLetters: () => listDeadLetters(sys.redis.client, `${commandStream}:dead`),
    close: () => client.close(),
  };
}

/** What two operations of the same command may differ in: ids, times, and what the provider assigns. */
const PER_OPERATION = ['id', 'createdAt', 'updatedAt', 'expiresAt', 'providerId', 'authorizationCode', 'receiptNumber', 'paymentId', 'reversalId'];

export function comparable(view: Record<string, unknown>): Record<string, unknown> {
  const out = { ...view };
  for (const field of PER_OPERATION) if (out[field] !== null && out[field] !== undefined) out[field] = `<${field}>`;
  // The sandbox derives the card read from the intent: same brand and entry, other digits.
  if (out.card) out.card = { ...(out.card as Record<string, unknown>), bin: '<bin>', last4: '<last4>' };
  return out;
}

/** The parts of a problem HTTP and the bus answer alike. */
export function problemParts(problem: Pick<ProblemDetails, 'code' | 'status' | 'errors'> | undefined): unknown {
  return problem && { code: problem.code, status: problem.status, errors: problem.errors };
}

export function httpProblem(answer: Answer): unknown {
  return problemParts(answer.body as unknown as ProblemDetails);
}

/** Every value under this test's Redis prefix, as text: streams, hashes, lists, sets, strings. */
export async function everythingIn(sys: System): Promise<string> {
  const redis = sys.redis.client;
  const out: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${sys.redis.prefix}*`, 'COUNT', 1000);
    cursor = next;
    for (const key of keys) {
      const type = await redis.type(key);
      out.push(key);
      if (type === 'stream') out.push(JSON.stringify(await redis.xrange(key, '-', '+')));
      else if (type === 'hash') out.push(JSON.stringify(await redis.hgetall(key)));
      else if (type === 'list') out.push(JSON.stringify(await redis.lrange(key, 0, -1)));
      else if (type === 'set') out.push(JSON.stringify(await redis.smembers(key)));
      else if (type === 'zset') out.push(JSON.stringify(await redis.zrange(key, 0, -1)));
      else if (type === 'string') out.push((await redis.get(key)) ?? '');
    }
  } while (cursor !== '0');
  return out.join('\n');
}
