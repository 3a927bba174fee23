// Wires the payments worker: the payments queue runner, the sweeper that restores lost jobs, the
// outbox relay, and the PayStore client with its breakers.
import { Inject, Module, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { AppConfig, createLogger, Logger } from '@app/common';
import { QueueName } from '@app/contracts';
import { OutboxRelay } from '@app/events';
import { createQueue, redisConnection } from '@app/jobs';
import { createDataSource, OperationsRepository } from '@app/persistence';
import { PaystoreClient } from '@app/paystore-client';
import { OperationSweeper, OperationWorker, WorkerMetrics } from '@app/workers';
import { Queue } from 'bullmq';
import Redis from 'ioredis';
import { Registry } from 'prom-client';
import { DataSource } from 'typeorm';
import { PaymentsAdvancer } from './payments.advancer';
import { merchantCuitLookup } from './merchant-cuit.lookup';

export const CONFIG = Symbol('CONFIG');

/** Everything the process owns, started and stopped in order. */
export class PaymentsRuntime {
  readonly logger: Logger;
  readonly registry = new Registry();
  readonly metrics = new WorkerMetrics(this.registry);
  readonly dataSource: DataSource;
  readonly redis: Redis;
  readonly queue: Queue;
  readonly client: PaystoreClient;
  readonly worker: OperationWorker;
  readonly sweeper: OperationSweeper;
  readonly relay: OutboxRelay;

  constructor(readonly config: AppConfig) {
    this.logger = createLogger('payments', config.LOG_LEVEL);
    this.dataSource = createDataSource(config.DATABASE_URL, config.DATABASE_POOL_SIZE);
    this.redis = redisConnection(config.REDIS_URL);
    this.queue = createQueue(QueueName.Payments, this.redis, config.BULLMQ_PREFIX);
    this.client = new PaystoreClient({
      baseUrl: config.PAYSTORE_BASE_URL,
      clientId: config.PAYSTORE_CLIENT_ID,
      clientSecret: config.PAYSTORE_CLIENT_SECRET,
      subnetAcquirerId: config.PAYSTORE_SUBNET_ACQUIRER_ID,
      timeoutMs: config.PAYSTORE_TIMEOUT_MS,
      onUnknownEnum: (field, value) => this.logger.warn({ field, value }, 'PayStore sent a value this client does not know'),
      onBreakerStateChange: (operation, state) => {
        this.metrics.breakerState.set({ provider: 'paystore', operation }, state === 'open' ? 1 : state === 'half_open' ? 0.5 : 0);
        this.logger.warn({ provider: 'paystore', operation, state }, 'breaker state changed');
      },
    });
    const repo = new OperationsRepository(this.dataSource);
    const advancer = new PaymentsAdvancer(
      repo,
      this.client,
      merchantCuitLookup(this.dataSource),
      {
        pollMs: config.POLL_INTERVAL_MS,
        unknownWindowMs: config.UNKNOWN_OUTCOME_WINDOW_MS,
        breakerWaitMs: 5000,
        createMaxAttempts: 5,
        onFinal: (op) => this.metrics.finalOperations.inc({ type: op.type, status: op.status }),
      },
      this.logger,
    );
    this.worker = new OperationWorker({
      queue: QueueName.Payments,
      connection: redisConnection(config.REDIS_URL),
      prefix: config.BULLMQ_PREFIX,
      concurrency: config.WORKER_CONCURRENCY,
      lockMs: config.JOB_LOCK_MS,
      advancer,
      logger: this.logger,
      metrics: this.metrics,
    });
    this.sweeper = new OperationSweeper(this.dataSource, this.queue, this.redis, {
      types: ['payment'],
      intervalMs: config.SWEEP_INTERVAL_MS,
      graceMs: Math.max(2000, config.POLL_INTERVAL_MS * 3),
      logger: this.logger,
      metrics: this.metrics,
    });
    this.metrics.watch(this.queue, this.dataSource);
    this.relay = new OutboxRelay(this.dataSource, this.redis, {
      streamKey: config.EVENT_STREAM_KEY,
      pollMs: config.OUTBOX_POLL_MS,
      logger: this.logger,
    });
  }

  async start(): Promise<void> {
    await this.dataSource.initialize();
    await this.relay.start();
    this.worker.start();
    this.sweeper.start();
    this.logger.info({ queue: QueueName.Payments, concurrency: this.config.WORKER_CONCURRENCY }, 'payments worker started');
  }

  /** Stops taking jobs, lets active steps finish, flushes the outbox, then closes connections. */
  async stop(): Promise<void> {
    await this.sweeper.stop();
    await this.worker.stop();
    await this.relay.stop();
    this.client.shutdown();
    await this.queue.close();
    this.redis.disconnect();
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
    this.logger.info('payments worker stopped');
  }
}

@Module({})
export class PaymentsModule implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(@Inject(PaymentsRuntime) private readonly runtime: PaymentsRuntime) {}

  static forConfig(config: AppConfig) {
    return {
      module: PaymentsModule,
      providers: [
        { provide: CONFIG, useValue: config },
        { provide: PaymentsRuntime, useFactory: () => new PaymentsRuntime(config) },
      ],
      exports: [PaymentsRuntime],
    };
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.runtime.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.runtime.stop();
  }
}
