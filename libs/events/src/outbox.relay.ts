// Publishes the outbox. Two steps, one relay at a time (a Postgres advisory lock; every app runs a
// relay, the others stand by):
//   1. number: unpublished rows get gapless, increasing `position`s in seq order (Postgres only, so
//      the SSE stream keeps flowing while Redis is down);
//   2. stream: numbered rows not yet on the Redis Stream are XADDed in position order, then marked.
// A crash between XADD and the mark publishes an event twice: delivery is at least once, and every
// event carries its id for consumers to deduplicate. Each event streamed is logged (`event
// published`, info) with its id, type and operation id.
// Redis may lose the stream (a flush, a restore without it): entries no group had read yet would be
// gone for good. A marker key beside the stream says the stream is the one the outbox was published
// to; when it is missing, the relay publishes again what the stream held (the last `streamMaxLen`
// positions), and every group gets what it had not read (and deduplicates the rest by id).
import { Client } from 'pg';
import { DataSource, EntityManager } from 'typeorm';
import Redis from 'ioredis';
import { OPERATION_ID_PREFIX } from '@app/contracts';
import { OUTBOX_CHANNEL, PUBLISHED_CHANNEL } from '@app/persistence';
import type { Logger } from '@app/common';

const RELAY_LOCK_KEY = 7_346_201_002;

export interface OutboxRelayOptions {
  streamKey: string;
  /** Fallback poll when no notification arrives (ms). */
  pollMs?: number;
  batchSize?: number;
  /** Approximate cap on the stream's length (XADD MAXLEN ~). */
  streamMaxLen?: number;
  logger?: Logger;
}

export interface RelayStats {
  numbered: number;
  streamed: number;
}

export class OutboxRelay {
  private readonly pollMs: number;
  private readonly batchSize: number;
  private readonly streamMaxLen: number;
  private timer: NodeJS.Timeout | null = null;
  private listener: Client | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = true;

  constructor(
    private readonly dataSource: DataSource,
    private readonly redis: Redis,
    private readonly options: OutboxRelayOptions,
  ) {
    this.pollMs = options.pollMs ?? 1000;
    this.batchSize = options.batchSize ?? 500;
    this.streamMaxLen = options.streamMaxLen ?? 1_000_000;
  }

  async start(): Promise<void> {
    this.stopped = false;
    await this.listen().catch((err: unknown) => this.warn('outbox listener could not start; polling only', err));
    this.timer = setInterval(() => this.kick(), this.pollMs);
    this.kick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    // Flush what is committed before leaving, so a graceful shutdown strands nothing.
    await this.running;
    await this.drain().catch((err: unknown) => this.warn('final outbox flush failed', err));
    const listener = this.listener;
    this.listener = null;
    if (listener) await listener.end().catch(() => undefined);
  }

  /** Asks for a drain; coalesces bursts of notifications into back-to-back drains. */
  kick(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = (async () => {
      do {
        this.again = false;
        try {
          await this.drain();
        } catch (err) {
          this.warn('outbox relay pass failed; will retry', err);
        }
      } while (this.again && !this.stopped);
    })().finally(() => {
      this.running = null;
    });
  }

  /** Runs until nothing is left to number or stream. Returns what it did (for tests and metrics). */
  async drain(): Promise<RelayStats> {
    const total: RelayStats = { numbered: 0, streamed: 0 };
    for (;;) {
      const pass = await this.pass();
      if (pass === null) return total;
      total.numbered += pass.numbered;
      total.streamed += pass.streamed;
      if (pass.numbered < this.batchSize && pass.streamed < this.batchSize) return total;
    }
  }

  /** One locked pass; null when another relay holds the lock. */
  private async pass(): Promise<RelayStats | null> {
    const numbered = await this.dataSource.transaction(async (m) => {
      if (!(await this.lock(m))) return null;
      const n = await this.number(m);
      if (n > 0) await m.query('SELECT pg_notify($1, $2)', [PUBLISHED_CHANNEL, '']);
      return n;
    });
    if (numbered === null) return null;
    await this.republishIfStreamLost();
    const streamed = await this.dataSource.transaction(async (m) => {
      if (!(await this.lock(m))) return 0;
      return this.stream(m);
    });
    return { numbered, streamed };
  }

  /**
   * The stream lost (its marker is gone): marks the events it held unpublished, then sets the
   * marker. The marker is written after the commit, so a crash in between only republishes twice.
   */
  private async republishIfStreamLost(): Promise<void> {
    const marker = `${this.options.streamKey}:relay`;
    if ((await this.redis.exists(marker)) === 1) return;
    const again = await this.dataSource.transaction(async (m) => {
      if (!(await this.lock(m))) return null;
      // Events already on the stream (put there since it was lost, by this relay or another) are
      // not sent again: only those before its first entry.
      const [first] = await this.redis.xrange(this.options.streamKey, '-', '+', 'COUNT', 1);
      const firstPosition = first ? Number(first[1][first[1].indexOf('position') + 1]) : null;
      return rowCount(
        await m.query(
          `UPDATE outbox SET published_at = NULL
            WHERE published_at IS NOT NULL AND position > (SELECT COALESCE(MAX(position), 0) FROM outbox) - $1
              AND ($2::bigint IS NULL OR position < $2::bigint)
          RETURNING seq`,
          [this.streamMaxLen, firstPosition],
        ),
      );
    });
    if (again === null) return;
    await this.redis.set(marker, new Date().toISOString());
    if (again > 0) this.options.logger?.warn({ events: again }, 'event stream was lost in Redis; publishing its events again from the outbox');
  }

  private async lock(m: EntityManager): Promise<boolean> {
    const [row] = (await m.query('SELECT pg_try_advisory_xact_lock($1) AS ok', [RELAY_LOCK_KEY])) as { ok: boolean }[];
    return row.ok;
  }

  private async number(m: EntityManager): Promise<number> {
    const rows = (await m.query(
      `WITH next AS (
         SELECT seq, row_number() OVER (ORDER BY seq) AS n
           FROM outbox WHERE position IS NULL ORDER BY seq LIMIT $1
       ), base AS (SELECT COALESCE(MAX(position), 0) AS p FROM outbox)
       UPDATE outbox o SET position = base.p + next.n
         FROM next, base WHERE o.seq = next.seq
       RETURNING o.seq`,
      [this.batchSize],
    )) as unknown[];
    return rowCount(rows);
  }

  private async stream(m: EntityManager): Promise<number> {
    const rows = (await m.query(
      `SELECT seq, position, id, type, subject, merchant_id, event::text AS event
         FROM outbox WHERE position IS NOT NULL AND published_at IS NULL
        ORDER BY position LIMIT $1 FOR UPDATE`,
      [this.batchSize],
    )) as { seq: string; position: string; id: string; type: string; subject: string; merchant_id: string; event: string }[];
    if (rows.length === 0) return 0;
    const pipeline = this.redis.pipeline();
    for (const r of rows) {
      pipeline.xadd(
        this.options.streamKey,
        'MAXLEN',
        '~',
        this.streamMaxLen,
        '*',
        'position',
        r.position,
        'id',
        r.id,
        'type',
        r.type,
        'subject',
        r.subject,
        'merchantId',
        r.merchant_id,
        'event',
        r.event,
      );
    }
    const results = await pipeline.exec();
    const failed = results?.find(([err]) => err);
    if (!results || failed) throw failed?.[0] ?? new Error('Redis pipeline returned nothing');
    await m.query('UPDATE outbox SET published_at = now() WHERE seq = ANY($1::bigint[])', [rows.map((r) => r.seq)]);
    this.logPublished(rows);
    return rows.length;
  }

  private async listen(): Promise<void> {
    const url = (this.dataSource.options as { url?: string }).url;
    if (!url) return;
    const client = new Client({ connectionString: url });
    client.on('error', (err) => {
      this.warn('outbox listener lost its connection; polling only until restart', err);
      this.listener = null;
    });
    client.on('notification', () => this.kick());
    await client.connect();
    await client.query(`LISTEN ${OUTBOX_CHANNEL}`);
    this.listener = client;
  }

  /**
   * One info line per event now on the stream, naming the operation it is about (its subject), so
   * searching the logs for an operation id finds its events beside its commands and job steps.
   * A subject that is not an operation (a webhook subscription, for instance) is logged as `subject`.
   */
  private logPublished(rows: { position: string; id: string; type: string; subject: string }[]): void {
    const logger = this.options.logger;
    if (!logger) return;
    for (const r of rows) {
      const about = isOperationId(r.subject) ? { operationId: r.subject } : { subject: r.subject };
      logger.info({ eventId: r.id, type: r.type, ...about, position: Number(r.position) }, 'event published');
    }
  }

  private warn(message: string, err: unknown): void {
    this.options.logger?.warn({ err: err instanceof Error ? err.message : String(err) }, message);
  }
}

const OPERATION_ID = new RegExp(`^(${Object.values(OPERATION_ID_PREFIX).join('|')})_`);

function isOperationId(subject: string): boolean {
  return OPERATION_ID.test(subject);
}

function rowCount(result: unknown): number {
  // TypeORM's postgres driver returns [rows, count] for UPDATE … RETURNING.
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') {
    return result[1];
  }
  return Array.isArray(result) ? result.length : 0;
}
