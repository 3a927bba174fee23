// Rate limits shared by every gateway replica: one sliding-window counter per subject in Redis
// (sliding-window.lua.ts), read and written by one atomic script, each key expiring two windows
// after its last write. Subjects: a merchant API key (by its id, never the key), the admin key, and
// the client address for failed authentications.
//
// The limiter fails open: when Redis does not answer within a short timeout (or the connection is
// down), the request is let through and a warning is logged (at most one every 30 s), so a Redis
// outage never takes the API down with it.
import { Inject, Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import type { Logger } from '@app/common';
import Redis from 'ioredis';
import { GATEWAY_CONFIG, GatewayConfig } from '../gateway.config';
import { GATEWAY_LOGGER } from '../gateway.logger';
import { SLIDING_WINDOW_SCRIPT } from './sliding-window.lua';

export const RATE_LIMIT_WINDOW_MS = 60_000;
/** How long a limiter call may take before the request goes through unlimited. */
const COMMAND_TIMEOUT_MS = 250;
const CONNECT_WAIT_MS = 2000;
const WARN_EVERY_MS = 30_000;

export type RateLimitScope = 'key' | 'admin' | 'auth-failures';

export interface RateLimitDecision {
  allowed: boolean;
  limit: number;
  /** Requests left in the window after this one. */
  remaining: number;
  /** Seconds until the current window ends. */
  resetSeconds: number;
  /** Seconds until a refused request may be retried (0 when allowed). */
  retryAfterSeconds: number;
}

type Mode = 'consume' | 'peek' | 'add';

type LimiterRedis = Redis & {
  ecrSlidingWindow(key: string, limit: number, windowMs: number, mode: Mode): Promise<[number, number, number, number]>;
};

@Injectable()
export class RateLimiter implements OnModuleInit, OnApplicationShutdown {
  private readonly redis: LimiterRedis;
  private lastWarning = 0;

  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    @Inject(GATEWAY_LOGGER) private readonly logger: Logger,
  ) {
    // A connection of its own: no offline queue and a command timeout, so an outage makes calls
    // fail at once instead of waiting for a reconnect (the queues' connection waits forever).
    this.redis = new Redis(config.REDIS_URL, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: COMMAND_TIMEOUT_MS,
      connectTimeout: CONNECT_WAIT_MS,
    }) as LimiterRedis;
    this.redis.defineCommand('ecrSlidingWindow', { numberOfKeys: 1, lua: SLIDING_WINDOW_SCRIPT });
    this.redis.on('error', (err: Error) => this.logger.debug({ err: err.message }, 'rate limiter redis connection error'));
  }

  /** Waits (bounded) for the connection, so the first requests after start are counted too. */
  async onModuleInit(): Promise<void> {
    if (this.redis.status === 'ready') return;
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.redis.off('ready', done);
        resolve();
      };
      const timer = setTimeout(done, CONNECT_WAIT_MS);
      this.redis.once('ready', done);
    });
  }

  onApplicationShutdown(): void {
    this.redis.disconnect();
  }

  limitOf(scope: RateLimitScope): number {
    switch (scope) {
      case 'key':
        return this.config.RATE_LIMIT_PER_MINUTE;
      case 'admin':
        return this.config.RATE_LIMIT_ADMIN_PER_MINUTE;
      case 'auth-failures':
        return this.config.RATE_LIMIT_AUTH_FAILURES_PER_MINUTE;
    }
  }

  /** Counts one request of `subject` if it fits; a refusal is not counted. */
  consume(scope: RateLimitScope, subject: string): Promise<RateLimitDecision | null> {
    return this.run(scope, subject, 'consume');
  }

  /** Whether one more request of `subject` would fit, counting nothing. */
  peek(scope: RateLimitScope, subject: string): Promise<RateLimitDecision | null> {
    return this.run(scope, subject, 'peek');
  }

  /** Counts one event of `subject` (a failed authentication) whether it fits or not. */
  add(scope: RateLimitScope, subject: string): Promise<RateLimitDecision | null> {
    return this.run(scope, subject, 'add');
  }

  /** The Redis key of a subject's counter (exported for tests and operators). */
  keyOf(scope: RateLimitScope, subject: string): string {
    return `${this.config.BULLMQ_PREFIX}:ratelimit:${scope}:${subject}`;
  }

  /** The decision, or null when there is no limit or Redis could not be asked (fail open). */
  private async run(scope: RateLimitScope, subject: string, mode: Mode): Promise<RateLimitDecision | null> {
    const limit = this.limitOf(scope);
    if (limit <= 0) return null;
    try {
      if (this.redis.status !== 'ready') throw new Error(`connection is ${this.redis.status}`);
      const [allowed, used, retryMs, resetMs] = await this.redis.ecrSlidingWindow(this.keyOf(scope, subject), limit, RATE_LIMIT_WINDOW_MS, mode);
      return {
        allowed: allowed === 1,
        limit,
        remaining: Math.max(0, limit - used),
        resetSeconds: Math.max(1, Math.ceil(resetMs / 1000)),
        retryAfterSeconds: allowed === 1 ? 0 : Math.max(1, Math.ceil(retryMs / 1000)),
      };
    } catch (err) {
      const now = Date.now();
      if (now - this.lastWarning >= WARN_EVERY_MS) {
        this.lastWarning = now;
        this.logger.warn({ err: (err as Error).message, scope }, 'rate limiter unavailable (redis): requests pass unlimited');
      }
      return null;
    }
  }
}
