// Opaque list cursors: the sort key of the last row returned, as base64url JSON. Clients must not
// build or read them; the server checks every decoded part before it reaches a query.
import { z } from 'zod';

const MAX_CURSOR_LENGTH = 512;

export function encodeCursor(parts: readonly string[]): string {
  return Buffer.from(JSON.stringify(parts), 'utf8').toString('base64url');
}

/** The cursor's parts, or null when it is not one this server issued with `arity` parts. */
export function decodeCursor(cursor: string, arity: number): string[] | null {
  if (cursor.length === 0 || cursor.length > MAX_CURSOR_LENGTH || !/^[A-Za-z0-9_-]+$/.test(cursor)) return null;
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  if (!Array.isArray(value) || value.length !== arity) return null;
  if (!value.every((part): part is string => typeof part === 'string' && part.length > 0 && part.length <= 100)) return null;
  return value;
}

/** Postgres timestamps as the list queries render them: microseconds, UTC. */
export const CURSOR_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

/** A `(createdAt, id)` keyset cursor, for lists sorted newest first. */
export const createdAtCursorSchema = z
  .string()
  .describe('Opaque; the nextCursor of the previous page')
  .transform((cursor, ctx) => {
    const parts = decodeCursor(cursor, 2);
    if (!parts || !CURSOR_TIMESTAMP.test(parts[0]) || Number.isNaN(Date.parse(parts[0]))) {
      ctx.addIssue({ code: 'custom', message: 'not a cursor this server issued' });
      return z.NEVER;
    }
    return { createdAt: parts[0], id: parts[1] };
  });

/** SQL that renders `created_at` the way cursors carry it (keeps Postgres' microseconds). */
export function cursorTimestampSql(column: string): string {
  return `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
}

/** `?limit=`: 1–200, default 50. */
export const limitSchema = z
  .string()
  .regex(/^\d{1,3}$/, 'limit must be an integer from 1 to 200')
  .transform(Number)
  .pipe(z.number().int().min(1, 'limit must be an integer from 1 to 200').max(200, 'limit must be an integer from 1 to 200'))
  .optional()
  .transform((limit) => limit ?? 50);
