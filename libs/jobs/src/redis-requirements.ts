// What the queues need from Redis, checked when an app that uses them starts. BullMQ keeps jobs as
// ordinary keys: under any eviction policy but `noeviction` a full Redis silently deletes jobs, so an
// app refuses to start on one. Without persistence (no append-only file, no RDB save points) a Redis
// restart loses every queued job and stream entry until the sweepers and the outbox relay rebuild
// them from Postgres: that is survivable, so it is only a warning.
//
// The eviction policy is read from `INFO memory`, which managed services (ElastiCache, Memorystore,
// Azure Cache) answer even where CONFIG is disabled; the save points need `CONFIG GET save`, and
// when CONFIG is refused the warning says persistence could not be checked.
import type { Logger } from '@app/common';
import Redis from 'ioredis';

/** What Redis said about itself. */
export interface RedisFacts {
  /** The text of `INFO memory`. */
  memory: string;
  /** The text of `INFO persistence`. */
  persistence: string;
  /** The value of `CONFIG GET save` (`''` when there are no save points); null when CONFIG is not allowed. */
  save: string | null;
}

export interface RedisVerdict {
  /** The one-line reason the app must not start, or null when it may. */
  refusal: string | null;
  /** One-line warnings to log; the app keeps going. */
  warnings: string[];
}

/** Fields of an INFO reply (`key:value` lines; `#` section headers and blank lines skipped). */
export function parseRedisInfo(text: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const colon = line.indexOf(':');
    if (colon > 0) fields[line.slice(0, colon)] = line.slice(colon + 1);
  }
  return fields;
}

/** The decision, from what Redis answered: refuse on eviction, warn without persistence. */
export function judgeRedis(facts: RedisFacts): RedisVerdict {
  const memory = parseRedisInfo(facts.memory);
  const persistence = parseRedisInfo(facts.persistence);
  const warnings: string[] = [];
  let refusal: string | null = null;

  const policy = memory.maxmemory_policy;
  if (policy === undefined) {
    warnings.push(
      'Redis maxmemory-policy could not be checked (INFO memory has no maxmemory_policy): make sure it is noeviction, or BullMQ loses jobs when Redis is full',
    );
  } else if (policy !== 'noeviction') {
    refusal =
      `Redis maxmemory-policy is ${policy}, and BullMQ loses jobs when Redis evicts keys: ` +
      'set maxmemory-policy noeviction (redis.conf, CONFIG SET maxmemory-policy noeviction, or the parameter group of a managed Redis)';
  }

  const aof = persistence.aof_enabled === '1';
  if (!aof) {
    if (facts.save === null) {
      warnings.push(
        'Redis persistence could not be checked: the append-only file is off and CONFIG GET save is not allowed; ' +
          'unless RDB snapshots are on, a Redis restart loses queued jobs and stream entries until the sweepers and the outbox relay rebuild them (set appendonly yes)',
      );
    } else if (facts.save.trim() === '') {
      warnings.push(
        'Redis persistence is off (appendonly no, no save points): a Redis restart loses queued jobs and stream entries ' +
          'until the sweepers and the outbox relay rebuild them; set appendonly yes',
      );
    }
  }
  return { refusal, warnings };
}

/** Asks Redis for the facts the verdict needs. */
export async function readRedisFacts(redis: Redis): Promise<RedisFacts> {
  const [memory, persistence] = await Promise.all([redis.info('memory'), redis.info('persistence')]);
  let save: string | null = null;
  try {
    const reply = (await redis.call('CONFIG', 'GET', 'save')) as unknown;
    // ['save', '<points>'] (RESP2) or { save: '<points>' } (RESP3); an empty reply means CONFIG is
    // renamed to something harmless.
    if (Array.isArray(reply) && reply.length >= 2) save = String(reply[1]);
    else if (reply && typeof reply === 'object' && 'save' in reply) save = String((reply as { save: unknown }).save);
  } catch {
    save = null;
  }
  return { memory, persistence, save };
}

/** Redis is configured so that the queues would lose jobs; the message says what to change. */
export class RedisUnfitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RedisUnfitError';
  }
}

export interface RedisCheckOptions {
  /** How long to wait for the connection at start-up before leaving the check for later (default 5 s). */
  timeoutMs?: number;
  /**
   * Called when Redis could not be reached at start-up and, once it answers, refuses: the app must
   * stop (the message is already logged as fatal).
   */
  onLateRefusal?: (err: RedisUnfitError) => void;
}

/**
 * Checks Redis before an app uses it for queues: throws RedisUnfitError when its eviction policy
 * would lose jobs, logs a warning when it has no persistence. A Redis that does not answer within
 * `timeoutMs` does not stop the app (it may come back, and the app copes until then): the check then
 * runs when the connection first becomes ready, and a refusal at that point goes to `onLateRefusal`.
 */
export async function checkRedisForQueues(redis: Redis, logger: Logger, options: RedisCheckOptions = {}): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 5000;
  const judge = async (): Promise<void> => {
    let facts: RedisFacts;
    try {
      facts = await withTimeout(readRedisFacts(redis), timeoutMs);
    } catch (err) {
      // INFO refused or too slow: nothing is known, so nothing is refused.
      logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'Redis settings could not be checked');
      return;
    }
    const verdict = judgeRedis(facts);
    for (const warning of verdict.warnings) logger.warn(warning);
    if (verdict.refusal) throw new RedisUnfitError(verdict.refusal);
  };
  if (await connected(redis, timeoutMs)) {
    await judge();
    return;
  }
  logger.warn({ redis: redis.status }, 'Redis did not answer at start-up: its eviction policy and persistence are checked once it does');
  redis.once('ready', () => {
    judge().catch((err: unknown) => {
      const unfit = err instanceof RedisUnfitError ? err : new RedisUnfitError(String(err));
      logger.fatal(unfit.message);
      options.onLateRefusal?.(unfit);
    });
  });
}

/** The line a main.ts prints when its app does not start: the reason alone for a refusal, the stack otherwise. */
export function startFailureLine(app: string, err: unknown): string {
  if (err instanceof RedisUnfitError) return `${app} refused to start: ${err.message}`;
  return `${app} failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`;
}

/** True once the connection is ready; false when it fails or is not ready within `timeoutMs`. */
function connected(redis: Redis, timeoutMs: number): Promise<boolean> {
  if (redis.status === 'ready') return Promise.resolve(true);
  if (redis.status === 'end' || redis.status === 'close') return Promise.resolve(false);
  return new Promise((resolve) => {
    const done = (ok: boolean) => {
      clearTimeout(timer);
      redis.off('ready', onReady);
      redis.off('error', onError);
      resolve(ok);
    };
    const onReady = () => done(true);
    const onError = () => done(false);
    const timer = setTimeout(() => done(false), timeoutMs);
    redis.once('ready', onReady);
    redis.once('error', onError);
  });
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Redis did not answer INFO within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
