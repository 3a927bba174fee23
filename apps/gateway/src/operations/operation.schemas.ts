// Shapes shared by the routes of every operation type: the list query and its answer, the id in
// the path, and the empty body of commands on an existing operation.
import { operationStatusSchema, operationViewSchema, terminalIdSchema } from '@app/contracts';
import { z } from 'zod';
import { createdAtCursorSchema, limitSchema } from '../http/cursor.codec';

const instant = z.iso.datetime({ offset: true, message: 'must be an ISO-8601 date-time, e.g. 2025-01-31T12:00:00Z' });

export const operationListQuerySchema = z
  .strictObject({
    status: operationStatusSchema.optional(),
    terminalId: terminalIdSchema.optional().describe('Listed among the terminals the operation was sent to'),
    reference: z.string().min(1).max(64).optional().describe("The cash register's own reference"),
    from: instant.optional().describe('Created at or after (inclusive)'),
    to: instant.optional().describe('Created before (exclusive)'),
    limit: limitSchema.describe('Page size, 1–200 (default 50)'),
    cursor: createdAtCursorSchema.optional(),
  })
  .refine((q) => !q.from || !q.to || Date.parse(q.from) <= Date.parse(q.to), { message: 'from must not be after to', path: ['from'] });
export type OperationListQuery = z.output<typeof operationListQuerySchema>;

export const operationListSchema = z.object({
  data: z.array(operationViewSchema),
  nextCursor: z.string().nullable().describe('Pass as ?cursor= for the next page; null on the last page'),
});

export const operationIdParamsSchema = z.strictObject({ id: z.string().min(1).max(64) });

/** Commands on an existing operation take no body; an empty JSON object is accepted too. */
export const emptyCommandBodySchema = z.strictObject({}).optional();
