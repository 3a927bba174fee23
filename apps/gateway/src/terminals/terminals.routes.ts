// `GET /v1/terminals`: the calling merchant's own terminals.
import { z } from 'zod';
import { decodeCursor, limitSchema } from '../http/cursor.codec';
import { defineRoute } from '../http/route.definition';
import { terminalViewSchema } from './terminal.schema';

export const terminalListQuerySchema = z.strictObject({
  limit: limitSchema.describe('Page size, 1–200 (default 50)'),
  cursor: z
    .string()
    .describe('Opaque; the nextCursor of the previous page')
    .transform((cursor, ctx) => {
      const parts = decodeCursor(cursor, 2);
      if (!parts) {
        ctx.addIssue({ code: 'custom', message: 'not a cursor this server issued' });
        return z.NEVER;
      }
      return { terminalId: parts[0], provider: parts[1] };
    })
    .optional(),
});

export const listTerminalsRoute = defineRoute({
  method: 'GET',
  path: '/v1/terminals',
  operationId: 'listTerminals',
  summary: "List the merchant's terminals, by terminal id",
  tag: 'terminals',
  auth: 'merchant',
  query: terminalListQuerySchema,
  responses: {
    200: {
      description: 'One page of terminals',
      schema: z.object({ data: z.array(terminalViewSchema), nextCursor: z.string().nullable() }),
    },
  },
});
