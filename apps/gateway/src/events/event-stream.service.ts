// Serves the outbox as SSE. The relay gives published events gapless positions in Postgres, so a
// stream is just "the merchant's rows with position > last sent, in order", read in batches.
// Streams wake on the process's one LISTEN connection (PgNotifications) and poll every second as
// a fallback; a heartbeat comment every 15 s keeps proxies from closing idle streams.
import { BeforeApplicationShutdown, Inject, Injectable } from '@nestjs/common';
import type { Logger } from '@app/common';
import type { ServerResponse } from 'node:http';
import { DataSource } from 'typeorm';
import { GATEWAY_LOGGER } from '../gateway.logger';
import { PgNotifications } from '../infra/pg-notifications.service';
import type { StreamEventType } from './events.routes';

const BATCH = 500;
const FALLBACK_POLL_MS = 1000;
const HEARTBEAT_MS = 15_000;
const RETRY_AFTER_ERROR_MS = 1000;

export interface StreamRequest {
  merchantId: string;
  /** Last position the client has; see head() for a client that has none. */
  after: number;
  types: readonly StreamEventType[] | null;
}

interface StoredEvent {
  pos: string;
  type: string;
  event: string;
}

/** A one-slot wake-up: a notification that arrives while nobody waits is kept for the next wait. */
class Wakeup {
  private pending = false;
  private resolve: (() => void) | null = null;

  notify(): void {
    if (this.resolve) {
      const r = this.resolve;
      this.resolve = null;
      r();
    } else {
      this.pending = true;
    }
  }

  wait(ms: number): Promise<void> {
    if (this.pending) {
      this.pending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.resolve = null;
        resolve();
      }, ms);
      this.resolve = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}

@Injectable()
export class EventStreamService implements BeforeApplicationShutdown {
  private readonly open = new Set<() => void>();

  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(PgNotifications) private readonly notifications: PgNotifications,
    @Inject(GATEWAY_LOGGER) private readonly logger: Logger,
  ) {}

  /** The position a stream without `after` starts from: everything published so far is skipped. */
  async head(): Promise<number> {
    const [row] = (await this.dataSource.query('SELECT COALESCE(MAX(position), 0)::text AS p FROM outbox WHERE position IS NOT NULL')) as {
      p: string;
    }[];
    return Number(row.p);
  }

  /** Streams until the client goes away or the gateway shuts down. Headers must not be sent yet. */
  async serve(res: ServerResponse, request: StreamRequest): Promise<void> {
    let after = request.after;
    let closed = false;
    const wake = new Wakeup();
    const close = () => {
      if (closed) return;
      closed = true;
      wake.notify();
    };
    res.on('close', close);
    this.open.add(close);
    const unsubscribe = this.notifications.subscribe(() => wake.notify());
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store, no-transform',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    res.write(`: stream after ${after}\n\n`);
    const heartbeat = setInterval(() => {
      if (!closed && !res.destroyed) res.write(': heartbeat\n\n');
    }, HEARTBEAT_MS);
    try {
      while (!closed) {
        let rows: StoredEvent[];
        try {
          rows = await this.batch(request, after);
        } catch (err) {
          this.logger.warn({ err: (err as Error).message, merchantId: request.merchantId }, 'event stream read failed; retrying');
          await wake.wait(RETRY_AFTER_ERROR_MS);
          continue;
        }
        for (const row of rows) {
          if (closed) break;
          const ok = res.write(`id: ${row.pos}\nevent: ${row.type}\ndata: ${row.event}\n\n`);
          after = Number(row.pos);
          if (!ok) await drained(res);
        }
        if (rows.length < BATCH) await wake.wait(FALLBACK_POLL_MS);
      }
    } finally {
      clearInterval(heartbeat);
      unsubscribe();
      this.open.delete(close);
      res.off('close', close);
      if (!res.writableEnded) res.end();
    }
  }

  private async batch(request: StreamRequest, after: number): Promise<StoredEvent[]> {
    const params: unknown[] = [request.merchantId, after, BATCH];
    let filter = '';
    if (request.types) {
      params.push(request.types);
      filter = 'AND type = ANY($4)';
    }
    return (await this.dataSource.query(
      // Positions leave as text (bigint), under another name: ORDER BY an output alias of text
      // type would sort '10' before '8'.
      `SELECT position::text AS pos, type, event::text AS event FROM outbox
        WHERE merchant_id = $1 AND position IS NOT NULL AND position > $2 ${filter}
        ORDER BY position LIMIT $3`,
      params,
    )) as StoredEvent[];
  }

  /** Ends every open stream so the HTTP server can close; clients reconnect with Last-Event-ID. */
  beforeApplicationShutdown(): void {
    for (const close of [...this.open]) close();
  }
}

function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}
