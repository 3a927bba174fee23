// Idempotency keys are kept for their window (IDEMPOTENCY_WINDOW_DAYS) and count as absent after
// it, so deleting older ones changes no answer: it only keeps the table from growing forever.
import type { DataSource } from 'typeorm';

/** How long a key replays its command; past it the key is free again (and may be purged). */
export const IDEMPOTENCY_WINDOW_DAYS = 30;

/**
 * Deletes keys older than the window, `batchSize` at a time so no statement holds many row locks.
 * Answers how many it deleted. Several processes may run it at once.
 */
export async function purgeIdempotencyKeys(dataSource: DataSource, batchSize = 5000): Promise<number> {
  let total = 0;
  for (;;) {
    // A SELECT around the DELETE: TypeORM answers a bare DELETE with [rows, count], not rows.
    const [row] = (await dataSource.query(
      `WITH deleted AS (
         DELETE FROM idempotency_keys WHERE ctid IN (
           SELECT ctid FROM idempotency_keys WHERE created_at <= now() - make_interval(days => $1::int) LIMIT $2::int
         ) RETURNING 1
       ) SELECT count(*)::int AS n FROM deleted`,
      [IDEMPOTENCY_WINDOW_DAYS, batchSize],
    )) as { n: number }[];
    const n = row?.n ?? 0;
    total += n;
    if (n < batchSize) return total;
  }
}
