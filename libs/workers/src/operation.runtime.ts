// The process around an operation worker, the same for every queue: Postgres, Redis, the queue
// runner, the sweeper that restores lost jobs, the outbox relay, the PayStore client with its
// breakers, and the ops server (`/health/live`, `/health/ready`, `/metrics`) a main.ts starts.
import { DynamicModule, Inject, INestApplicationContext, Module, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppConfig, createLogger, loadConfig, Logger } from '@app/common';
import { OperationType, QueueName } from '@app/contracts';
import { OutboxRelay } from '@app/events';
import { checkRedisForQueues, createQueue, drainTimeLeftMs, exitOnSignals, redisConnection, requestStop } from '@app/jobs';
import { createDataSource, merchantCuitLookup, OperationsRepository, purgeIdempotencyKeys } from '@app/persistence';
import { PaystoreClient } from '@app/paystore-client';
import { Queue } from 'bullmq';
import Redis from 'ioredis';
import { Registry } from 'prom-client';
import { DataSource } from 'typeorm';
import { OperationAdvancer } from './advance';
import { IntentLifecycle } from './intent.lifecycle';
import { operationLogMixin } from './log.context';
import { startOpsServer } from './ops.server';
import { OperationSweeper } from './operation.sweeper';
import { PeriodicTask } from './periodic.task';
import { OperationWorker } from './operation.worker';
import { createPaystoreClient } from './paystore.support';
import { createProviderAdapters, ProviderAdapters } from './provider.adapters';
import { WorkerMetrics } from './worker.metrics';

export interface OperationRuntimeOptions {
  /** The app's name, in logs. */
  name: string;
  queue: QueueName;
  /** Operation types whose rows the sweeper watches for this queue. */
  types: OperationType[];
}

/** Everything one worker process owns, started and stopped in order. */
export class OperationRuntime {
  readonly logger: Logger;
  readonly registry = new Registry();
  readonly metrics = new WorkerMetrics(this.registry);
  readonly dataSource: DataSource;
  readonly redis: Redis;
  readonly queue: Queue;
  readonly repo: OperationsRepository;
  readonly client: PaystoreClient;
  /** Every provider's adapter (PayStore's over `client`), built when an operation of theirs first comes up. */
  readonly adapters: ProviderAdapters;
  readonly cuitOf: (merchantId: string) => Promise<string>;
  readonly worker: OperationWorker;
  readonly sweeper: OperationSweeper;
  /** Deletes idempotency keys past their window, so the table does not grow forever. */
  readonly keyPurge: PeriodicTask;
  readonly relay: OutboxRelay;

  constructor(
    readonly config: AppConfig,
    readonly options: OperationRuntimeOptions,
    advancerFor: (runtime: OperationRuntime) => OperationAdvancer,
  ) {
    this.logger = createLogger(options.name, config.LOG_LEVEL, { mixin: operationLogMixin });
    this.dataSource = createDataSource(config.DATABASE_URL, config.DATABASE_POOL_SIZE);
    this.redis = redisConnection(config.REDIS_URL);
    this.queue = createQueue(options.queue, this.redis, config.BULLMQ_PREFIX);
    this.repo = new OperationsRepository(this.dataSource);
    this.client = createPaystoreClient(config, this.logger, this.metrics);
    this.adapters = createProviderAdapters(config, this.logger, this.metrics, this.client);
    this.cuitOf = merchantCuitLookup(this.dataSource);
    this.worker = new OperationWorker({
      queue: options.queue,
      connection: redisConnection(config.REDIS_URL),
      prefix: config.BULLMQ_PREFIX,
      concurrency: config.WORKER_CONCURRENCY,
      lockMs: config.JOB_LOCK_MS,
      advancer: advancerFor(this),
      logger: this.logger,
      metrics: this.metrics,
    });
    this.sweeper = new OperationSweeper(this.dataSource, this.queue, this.redis, {
      types: options.types,
      intervalMs: config.SWEEP_INTERVAL_MS,
      graceMs: Math.max(2000, config.POLL_INTERVAL_MS * 3),
      logger: this.logger,
      metrics: this.metrics,
    });
    this.keyPurge = new PeriodicTask(
      async () => {
        const deleted = await purgeIdempotencyKeys(this.dataSource);
        if (deleted > 0) this.logger.info({ deleted }, 'idempotency keys past their window deleted');
      },
      { intervalMs: config.IDEMPOTENCY_PURGE_INTERVAL_MS, logger: this.logger, what: 'idempotency key purge' },
    );
    this.metrics.watch(this.queue, this.dataSource, options.types);
    this.relay = new OutboxRelay(this.dataSource, this.redis, {
      streamKey: config.EVENT_STREAM_KEY,
      pollMs: config.OUTBOX_POLL_MS,
      logger: this.logger,
    });
  }

  /** Breaker states of every provider this process has called, for /health/ready. */
  info(): Record<string, unknown> {
    return { breakers: { ...this.adapters.breakerStates(), paystore: this.client.breakerStates() } };
  }

  /** The intent lifecycle with this process's timings, PayStore's failure rules and metrics. */
  lifecycle(): IntentLifecycle {
    return new IntentLifecycle(
      this.repo,
      {
        pollMs: this.config.POLL_INTERVAL_MS,
        unknownWindowMs: this.config.UNKNOWN_OUTCOME_WINDOW_MS,
        breakerWaitMs: this.config.BREAKER_WAIT_MS,
        createMaxAttempts: 5,
        onFinal: (op) => this.metrics.finalOperations.inc({ type: op.type, status: op.status }),
      },
      this.logger,
    );
  }

  /** Checks Redis (refusing an evicting one), then starts everything. */
  async start(): Promise<void> {
    await checkRedisForQueues(this.redis, this.logger, {
      // Redis was down at start-up and turned out to evict: stop rather than lose jobs.
      onLateRefusal: () => requestStop(1),
    });
    await this.dataSource.initialize();
    await this.relay.start();
    this.worker.start();
    this.sweeper.start();
    this.keyPurge.start();
    this.logger.info({ queue: this.options.queue, concurrency: this.config.WORKER_CONCURRENCY }, `${this.options.name} worker started`);
  }

  private stopping: Promise<void> | null = null;

  /**
   * Stops taking jobs, lets active steps finish (those still running when the drain budget of
   * SHUTDOWN_GRACE_MS is spent go back to the queue for another worker), flushes the outbox, then
   * closes connections. Safe to call twice.
   */
  stop(): Promise<void> {
    this.stopping ??= this.shutdown();
    return this.stopping;
  }

  private async shutdown(): Promise<void> {
    await this.sweeper.stop();
    await this.keyPurge.stop();
    // Flush the outbox, then make sure no provider call leaves and no row is written from here:
    // before steps still running are handed to another worker, and in any case before closing.
    let quiesced: Promise<void> | null = null;
    const quiesce = () =>
      (quiesced ??= (async () => {
        await this.relay.stop();
        this.adapters.shutdown();
        this.client.shutdown();
        if (this.dataSource.isInitialized) await this.dataSource.destroy();
      })());
    await this.worker.stop(drainTimeLeftMs(this.config.SHUTDOWN_GRACE_MS), quiesce);
    await quiesce();
    await this.queue.close();
    this.redis.disconnect();
    this.logger.info(`${this.options.name} worker stopped`);
  }
}

/** Starts the runtime with the application and stops it on shutdown. */
@Module({})
export class OperationRuntimeModule implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(@Inject(OperationRuntime) private readonly runtime: OperationRuntime) {}

  static forRuntime(build: () => OperationRuntime): DynamicModule {
    return {
      module: OperationRuntimeModule,
      providers: [{ provide: OperationRuntime, useFactory: build }],
      exports: [OperationRuntime],
    };
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.runtime.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.runtime.stop();
  }
}

/** A worker app: the module built for the configuration (environment plus `overrides`), started. */
export async function createWorkerApp(
  moduleFor: (config: AppConfig) => DynamicModule,
  overrides: Partial<AppConfig> = {},
): Promise<{ app: INestApplicationContext; runtime: OperationRuntime }> {
  const config = { ...loadConfig(), ...overrides };
  const app = await NestFactory.createApplicationContext(moduleFor(config), { logger: ['error', 'warn'] });
  await app.init();
  return { app, runtime: app.get(OperationRuntime) };
}

/** What a worker process's ops endpoints and shutdown need of its runtime (operation workers and webhooks alike). */
export interface WorkerProcessRuntime {
  readonly registry: Registry;
  readonly dataSource: DataSource;
  readonly redis: Redis;
  readonly logger: Logger;
  readonly config: Pick<AppConfig, 'SHUTDOWN_GRACE_MS'>;
  readonly worker: { readonly running: boolean };
  /** Facts for /health/ready that never fail it (breaker states, for instance). */
  info?(): Record<string, unknown>;
}

/**
 * The body of a worker's main.ts: builds the app, serves the ops endpoints (on PORT, else the
 * app's default port) and, on SIGTERM/SIGINT, stops within SHUTDOWN_GRACE_MS and exits 0 (readiness
 * answers 503 while it stops; the ops endpoints close last).
 */
export async function runWorkerProcess(
  defaultPort: number,
  create: () => Promise<{ app: { close(): Promise<void> }; runtime: WorkerProcessRuntime }>,
): Promise<void> {
  const config = loadConfig();
  const { app, runtime } = await create();
  let stopping = false;
  const ops = await startOpsServer({
    host: config.HOST,
    port: process.env.PORT ? config.PORT : defaultPort,
    registry: runtime.registry,
    checks: {
      postgres: async () => void (await runtime.dataSource.query('SELECT 1')),
      redis: async () => void (await runtime.redis.ping()),
      shutdown: async () => {
        if (stopping) throw new Error('shutting down');
      },
    },
    info: () => ({ ...runtime.info?.(), worker: runtime.worker.running ? 'running' : 'stopped' }),
  });
  exitOnSignals(
    async () => {
      stopping = true;
      await app.close();
      await ops.close();
    },
    { graceMs: runtime.config.SHUTDOWN_GRACE_MS, logger: runtime.logger },
  );
}
