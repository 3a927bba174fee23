// The gateway's Redis connection and the BullMQ queues it enqueues operation jobs on. Enqueueing
// is best effort: the row is already committed, and the workers' sweeper re-enqueues accepted rows,
// so a Redis outage delays a payment but never fails or loses the command. At start-up the gateway
// refuses a Redis that evicts keys, as every app that uses the queues does.
import { Inject, Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { OperationType, QueueName } from '@app/contracts';
import { checkRedisForQueues, createQueue, ensureOperationJob, EnsureResult, QUEUE_OF, redisConnection, requestStop } from '@app/jobs';
import type { Logger } from '@app/common';
import { Queue } from 'bullmq';
import Redis from 'ioredis';
import { GATEWAY_CONFIG, GatewayConfig } from '../gateway.config';
import { GATEWAY_LOGGER } from '../gateway.logger';

const ENQUEUE_TIMEOUT_MS = 2000;

export class TimeoutError extends Error {}

export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError(`${what} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

@Injectable()
export class OperationQueues implements OnModuleInit, OnApplicationShutdown {
  readonly redis: Redis;
  private readonly queues = new Map<QueueName, Queue>();

  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    @Inject(GATEWAY_LOGGER) private readonly logger: Logger,
  ) {
    this.redis = redisConnection(config.REDIS_URL);
    // Without a listener ioredis reports every failed reconnect as an unhandled error event.
    this.redis.on('error', (err: Error) => this.logger.debug({ err: err.message }, 'redis connection error'));
  }

  /** Refuses to start on a Redis whose eviction policy would lose jobs; warns when it has no persistence. */
  async onModuleInit(): Promise<void> {
    await checkRedisForQueues(this.redis, this.logger, {
      timeoutMs: ENQUEUE_TIMEOUT_MS,
      // Redis was down at start-up and turned out to evict: stop rather than lose jobs.
      onLateRefusal: () => requestStop(1),
    });
  }

  queueFor(type: OperationType): Queue {
    const name = QUEUE_OF[type];
    let queue = this.queues.get(name);
    if (!queue) {
      queue = createQueue(name, this.redis, this.config.BULLMQ_PREFIX);
      queue.on('error', (err: Error) => this.logger.debug({ err: err.message, queue: name }, 'queue error'));
      this.queues.set(name, queue);
    }
    return queue;
  }

  /**
   * Makes sure the operation has a job; never throws. Returns what happened, or null when Redis
   * could not be reached (the sweeper in the workers will enqueue it from the row).
   */
  async ensure(type: OperationType, operationId: string, promote = false, fresh = false): Promise<EnsureResult | null> {
    if (!(await this.ready(ENQUEUE_TIMEOUT_MS))) {
      this.logger.warn({ operationId, redis: this.redis.status }, 'redis unavailable: job left to the sweeper');
      return null;
    }
    try {
      return await withTimeout(
        ensureOperationJob(this.queueFor(type), type, operationId, { promote, fresh }),
        ENQUEUE_TIMEOUT_MS,
        'enqueue',
      );
    } catch (err) {
      this.logger.warn({ operationId, err: (err as Error).message }, 'enqueue failed: job left to the sweeper');
      return null;
    }
  }

  /**
   * True when the connection is ready, waiting (bounded) while it is still being established, as
   * just after start. A connection that is down or reconnecting answers false at once, so commands
   * do not queue up in ioredis during an outage.
   */
  private ready(timeoutMs: number): Promise<boolean> {
    const status = this.redis.status;
    if (status === 'ready') return Promise.resolve(true);
    if (status !== 'connecting' && status !== 'connect' && status !== 'wait') return Promise.resolve(false);
    return new Promise((resolve) => {
      const done = (ok: boolean) => {
        clearTimeout(timer);
        this.redis.off('ready', onReady);
        this.redis.off('error', onError);
        resolve(ok);
      };
      const onReady = () => done(true);
      const onError = () => done(false);
      const timer = setTimeout(() => done(false), timeoutMs);
      this.redis.once('ready', onReady);
      this.redis.once('error', onError);
    });
  }

  async ping(timeoutMs: number): Promise<void> {
    if (this.redis.status !== 'ready') throw new Error(`redis connection is ${this.redis.status}`);
    await withTimeout(this.redis.ping(), timeoutMs, 'redis PING');
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.close().catch(() => undefined)));
    this.redis.disconnect();
  }
}
