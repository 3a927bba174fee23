// Holds command answers for `Prefer: wait=N`. One shared poll (every 150 ms, one query for all
// waiting operations) instead of a query loop per request; a waiter leaves when its operation is
// final, its time is up, its client disconnects or the gateway shuts down.
import { BeforeApplicationShutdown, Inject, Injectable } from '@nestjs/common';
import { FINAL_STATUSES, OperationStatus } from '@app/contracts';
import type { Logger } from '@app/common';
import { DataSource } from 'typeorm';
import { GATEWAY_LOGGER } from '../gateway.logger';

const POLL_MS = 150;

@Injectable()
export class OperationWaiter implements BeforeApplicationShutdown {
  private readonly waiting = new Map<string, Set<() => void>>();
  private timer: NodeJS.Timeout | undefined;
  private polling = false;

  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(GATEWAY_LOGGER) private readonly logger: Logger,
  ) {}

  /** How many requests are waiting right now (for metrics and tests). */
  get waitingCount(): number {
    let n = 0;
    for (const set of this.waiting.values()) n += set.size;
    return n;
  }

  /** Resolves when the operation is final, `timeoutMs` passed or `signal` aborted (never rejects). */
  waitUntilFinal(operationId: string, timeoutMs: number, signal: AbortSignal): Promise<void> {
    if (signal.aborted || timeoutMs <= 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timeout);
        signal.removeEventListener('abort', done);
        const set = this.waiting.get(operationId);
        set?.delete(done);
        if (set?.size === 0) this.waiting.delete(operationId);
        resolve();
      };
      const timeout = setTimeout(done, timeoutMs);
      signal.addEventListener('abort', done, { once: true });
      let set = this.waiting.get(operationId);
      if (!set) this.waiting.set(operationId, (set = new Set()));
      set.add(done);
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.timer || this.waiting.size === 0) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.poll().finally(() => this.schedule());
    }, POLL_MS);
  }

  private async poll(): Promise<void> {
    if (this.polling || this.waiting.size === 0) return;
    this.polling = true;
    try {
      const ids = [...this.waiting.keys()];
      const rows = (await this.dataSource.query('SELECT id, status FROM operations WHERE id = ANY($1)', [ids])) as {
        id: string;
        status: OperationStatus;
      }[];
      for (const row of rows) {
        if (!FINAL_STATUSES.has(row.status)) continue;
        for (const done of [...(this.waiting.get(row.id) ?? [])]) done();
      }
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'wait poll failed');
    } finally {
      this.polling = false;
    }
  }

  beforeApplicationShutdown(): void {
    for (const set of [...this.waiting.values()]) for (const done of [...set]) done();
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
