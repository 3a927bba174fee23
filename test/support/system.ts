// Starts the real parts for an end-to-end test: a fresh database, a Redis prefix, the sandbox over
// HTTP, and the workers in this process (or as child processes, for crash tests).
import { AppConfig, newId } from '@app/common';
import { isFinal, OPERATION_ID_PREFIX, OperationStatus, OperationType } from '@app/contracts';
import { createQueue, ensureOperationJob, QUEUE_OF, redisConnection } from '@app/jobs';
import { OperationEntity, OperationsRepository } from '@app/persistence';
import { createTestDatabase, createTestRedis, TestDatabase, TestRedis, waitFor } from '@app/testing';
import { EntityManager } from 'typeorm';
import { Queue } from 'bullmq';
import Redis from 'ioredis';
import { startSandbox } from '../../apps/sandbox/src/sandbox.app';
import type { SandboxOptions } from '../../apps/sandbox/src/sandbox.options';
import { createPaymentsApp } from '../../apps/payments/src/payments.app';
import { createReversalsApp } from '../../apps/reversals/src/reversals.app';
import { createSettlementsApp } from '../../apps/settlements/src/settlements.app';

export interface StartedSandbox {
  url: string;
  close(): Promise<void>;
}

export interface SystemOptions {
  sandbox?: Partial<SandboxOptions>;
  config?: Partial<AppConfig>;
  /** Start the payments worker in this process (default true). */
  payments?: boolean;
}

/** One provider request as the sandbox logged it (`status` is null while no answer was sent). */
export interface ProviderRequest {
  method: string;
  path: string;
  query: Record<string, unknown>;
  body: unknown;
  status: number | null;
}

export interface Merchant {
  id: string;
  cuit: string;
  terminals: string[];
}

export class System {
  readonly queues = new Map<string, Queue>();
  private readonly closers: (() => Promise<void>)[] = [];
  readonly repo: OperationsRepository;
  private readonly redisConn: Redis;

  constructor(
    readonly db: TestDatabase,
    readonly redis: TestRedis,
    readonly sandbox: StartedSandbox,
    readonly config: Partial<AppConfig>,
  ) {
    this.repo = new OperationsRepository(db.dataSource);
    this.redisConn = redisConnection(redis.url);
  }

  queue(type: OperationType): Queue {
    const name = QUEUE_OF[type];
    let q = this.queues.get(name);
    if (!q) {
      q = createQueue(name, this.redisConn, this.redis.prefix);
      this.queues.set(name, q);
    }
    return q;
  }

  onStop(closer: () => Promise<void>): void {
    this.closers.push(closer);
  }

  async startPayments(): Promise<() => Promise<void>> {
    const { app } = await createPaymentsApp(this.config);
    const stop = async () => app.close();
    this.onStop(stop);
    return stop;
  }

  async startReversals(): Promise<() => Promise<void>> {
    const { app } = await createReversalsApp(this.config);
    const stop = async () => app.close();
    this.onStop(stop);
    return stop;
  }

  async startSettlements(): Promise<() => Promise<void>> {
    const { app } = await createSettlementsApp(this.config);
    const stop = async () => app.close();
    this.onStop(stop);
    return stop;
  }

  /** A merchant with terminals registered both here and at the sandbox. */
  async merchant(terminalCount = 1, mode: 'auto' | 'manual' = 'auto', takeDelayMs?: number): Promise<Merchant> {
    const cuit = randomCuit();
    const id = newId('mer');
    await this.db.dataSource.query('INSERT INTO merchants (id, name, cuit) VALUES ($1, $2, $3)', [id, `Comercio ${id}`, cuit]);
    const terminals: string[] = [];
    for (let i = 0; i < terminalCount; i++) {
      const terminalId = String(10_000_000 + Math.floor(Math.random() * 89_999_999));
      await this.db.dataSource.query(
        `INSERT INTO terminals (provider, terminal_id, merchant_id) VALUES ('paystore', $1, $2)`,
        [terminalId, id],
      );
      await this.sandboxCall('POST', '/sandbox/terminals', { terminalId, cuit, mode, ...(takeDelayMs === undefined ? {} : { takeDelayMs }) });
      terminals.push(terminalId);
    }
    return { id, cuit, terminals };
  }

  /** Stores a payment as the gateway would and enqueues its job. */
  async payment(
    merchant: Merchant,
    amount: number,
    opts: { terminals?: string[]; expiresInMs?: number; method?: 'card' | 'qr'; enqueue?: boolean } = {},
  ): Promise<string> {
    const op = this.db.dataSource.getRepository(OperationEntity).create({
      id: newId('pay'),
      type: 'payment',
      status: 'accepted',
      merchantId: merchant.id,
      provider: 'paystore',
      terminalIds: opts.terminals ?? merchant.terminals.slice(0, 1),
      amount,
      currency: 'ARS',
      request: { installments: 1, plan: null, method: opts.method ?? 'card', printCopies: 'both' },
      result: {},
      expiresAt: new Date(Date.now() + (opts.expiresInMs ?? 120_000)),
    });
    await this.db.dataSource.transaction((m) => this.repo.insert(m, op));
    if (opts.enqueue !== false) await ensureOperationJob(this.queue('payment'), 'payment', op.id);
    return op.id;
  }

  /**
   * Stores a reversal of an approved payment as the gateway would: the payment's amount and
   * terminal, `via` by its card brand (AMEX through refunds), the payment's `reversalId` set in the
   * same transaction (unless `link` is false), and enqueues its job.
   */
  async reversal(
    paymentId: string,
    opts: { terminals?: string[]; expiresInMs?: number; link?: boolean; via?: 'reversal' | 'refund'; enqueue?: boolean } = {},
  ): Promise<string> {
    const payment = await this.repo.findById(paymentId);
    if (!payment) throw new Error(`payment ${paymentId} does not exist`);
    const brand = payment.result.card?.brand;
    return this.accepted(
      {
        type: 'reversal',
        merchantId: payment.merchantId,
        terminalIds: opts.terminals ?? (payment.terminalId ? [payment.terminalId] : payment.terminalIds),
        amount: payment.amount,
        currency: payment.currency,
        paymentId,
        request: { via: opts.via ?? (brand === 'amex' ? 'refund' : 'reversal'), ...(brand ? { cardBrand: brand } : {}), printCopies: 'both' },
        expiresAt: new Date(Date.now() + (opts.expiresInMs ?? 120_000)),
      },
      async (m, id) => {
        if (opts.link !== false) await m.query('UPDATE operations SET reversal_id = $1 WHERE id = $2', [id, paymentId]);
      },
      opts.enqueue,
    );
  }

  /** Stores an unreferenced (AMEX) refund as the gateway would and enqueues its job. */
  async refund(merchant: Merchant, amount: number, opts: { terminals?: string[]; expiresInMs?: number } = {}): Promise<string> {
    return this.accepted({
      type: 'refund',
      merchantId: merchant.id,
      terminalIds: opts.terminals ?? merchant.terminals.slice(0, 1),
      amount,
      currency: 'ARS',
      request: { printCopies: 'both' },
      expiresAt: new Date(Date.now() + (opts.expiresInMs ?? 120_000)),
    });
  }

  /** Stores a batch close of one terminal as the gateway would and enqueues its job. */
  async settlement(merchant: Merchant, terminalId = merchant.terminals[0], opts: { printReceipt?: boolean } = {}): Promise<string> {
    return this.accepted({
      type: 'settlement',
      merchantId: merchant.id,
      terminalIds: [terminalId],
      terminalId,
      request: { printReceipt: opts.printReceipt ?? true },
    });
  }

  /** Inserts an `accepted` operation with its first event (plus `also`, in that transaction) and enqueues its job. */
  private async accepted(
    fields: Partial<OperationEntity> & Pick<OperationEntity, 'type' | 'merchantId' | 'terminalIds'>,
    also?: (manager: EntityManager, id: string) => Promise<void>,
    enqueue = true,
  ): Promise<string> {
    const op = this.db.dataSource.getRepository(OperationEntity).create({
      id: newId(OPERATION_ID_PREFIX[fields.type]),
      status: 'accepted',
      provider: 'paystore',
      amount: null,
      currency: null,
      result: {},
      expiresAt: null,
      ...fields,
    });
    await this.db.dataSource.transaction(async (m) => {
      await this.repo.insert(m, op);
      await also?.(m, op.id);
    });
    if (enqueue) await ensureOperationJob(this.queue(op.type), op.type, op.id);
    return op.id;
  }

  /** Waits until the operation is final and answers its status. */
  async finalStatus(id: string, timeoutMs = 20_000): Promise<string> {
    return waitFor(
      async () => {
        const s = await this.status(id);
        return s && isFinal(s as OperationStatus) ? s : undefined;
      },
      { timeoutMs, intervalMs: 50, what: `operation ${id} to be final` },
    );
  }

  /** Waits until the operation is in `status`. */
  async reached(id: string, status: string): Promise<void> {
    await waitFor(async () => ((await this.status(id)) === status ? true : undefined), { what: `${id} to be ${status}` });
  }

  /** Creates sent to the provider under `path` (e.g. `/terminal_refunds/refunds`) carrying this operation id. */
  async providerCreatesFor(path: string, operationId: string): Promise<number> {
    const creates = await this.providerRequests(path, 'POST');
    return creates.filter((r) => r.path.endsWith(path) && JSON.stringify(r.body ?? '').includes(operationId)).length;
  }

  async status(id: string): Promise<string | undefined> {
    return (await this.repo.findById(id))?.status;
  }

  async events(id: string): Promise<string[]> {
    const rows = (await this.db.dataSource.query('SELECT type FROM outbox WHERE subject = $1 ORDER BY seq', [id])) as {
      type: string;
    }[];
    return rows.map((r) => r.type);
  }

  async sandboxCall<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${this.sandbox.url}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`sandbox ${method} ${path} answered ${res.status}: ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  /** Provider requests the sandbox logged, optionally only those whose path contains `path`. */
  async providerRequests(path?: string, method?: string): Promise<ProviderRequest[]> {
    const { data } = await this.sandboxCall<{ data: ProviderRequest[] }>(
      'GET',
      '/sandbox/requests',
    );
    return data.filter((r) => (!path || r.path.includes(path)) && (!method || r.method === method));
  }

  /** Creates sent to the provider for this operation (by its ecr_transaction_id). */
  async createsFor(operationId: string): Promise<number> {
    const creates = await this.providerRequests('/terminal_payments/payments', 'POST');
    return creates.filter((r) => !r.path.endsWith('/searches') && JSON.stringify(r.body ?? '').includes(operationId)).length;
  }

  async stop(): Promise<void> {
    for (const closer of this.closers.reverse()) await closer().catch(() => undefined);
    for (const q of this.queues.values()) await q.close().catch(() => undefined);
    this.redisConn.disconnect();
    await this.sandbox.close();
    await this.redis.close();
    await this.db.drop();
  }
}

export function systemConfig(db: TestDatabase, redis: TestRedis, sandboxUrl: string, extra: Partial<AppConfig> = {}): Partial<AppConfig> {
  return {
    DATABASE_URL: db.url,
    DATABASE_POOL_SIZE: 5,
    REDIS_URL: redis.url,
    BULLMQ_PREFIX: redis.prefix,
    EVENT_STREAM_KEY: redis.streamKey,
    COMMAND_STREAM_KEY: `${redis.prefix}:commands`,
    COMMAND_REPLY_STREAM_KEY: `${redis.prefix}:command-replies`,
    PAYSTORE_BASE_URL: sandboxUrl,
    PAYSTORE_TIMEOUT_MS: 1500,
    KLIO_BASE_URL: sandboxUrl,
    KLIO_TIMEOUT_MS: 1500,
    PAGOUNO_BASE_URL: `${sandboxUrl}/pagouno`,
    PAGOUNO_TIMEOUT_MS: 1500,
    POLL_INTERVAL_MS: 100,
    SWEEP_INTERVAL_MS: 300,
    UNKNOWN_OUTCOME_WINDOW_MS: 4000,
    JOB_LOCK_MS: 3000,
    OUTBOX_POLL_MS: 200,
    WORKER_CONCURRENCY: 20,
    LOG_LEVEL: 'silent',
    ...extra,
  };
}

export async function startSystem(options: SystemOptions = {}): Promise<System> {
  const db = await createTestDatabase();
  const redis = await createTestRedis();
  const sandbox = await startSandbox({ port: 0, host: '127.0.0.1', takeDelayMs: 50, slowMs: 1500, undoMs: 50, logLevels: false, ...options.sandbox });
  const system = new System(db, redis, sandbox, systemConfig(db, redis, sandbox.url, options.config));
  if (options.payments !== false) await system.startPayments();
  return system;
}

/** A valid CUIT (right check digit) for a made-up company. */
export function randomCuit(): string {
  const body = `30${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;
  const weights = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2];
  const sum = weights.reduce((acc, w, i) => acc + w * Number(body[i]), 0);
  const check = 11 - (sum % 11);
  if (check === 10) return randomCuit();
  const digit = check === 11 ? 0 : check;
  return `${body.slice(0, 2)}-${body.slice(2)}-${digit}`;
}

/** True when `seen` lists items of `order` in that order (polls may miss a short-lived status, never reorder one). */
export function isSubsequence(seen: string[], order: string[]): boolean {
  let i = 0;
  for (const item of seen) {
    i = order.indexOf(item, i);
    if (i < 0) return false;
    i++;
  }
  return true;
}
