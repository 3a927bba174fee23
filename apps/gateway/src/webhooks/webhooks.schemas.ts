// Webhook request and answer shapes.
import {
  DELIVERY_STATUSES,
  deliveryViewSchema,
  SUBSCRIBABLE_EVENT_TYPES,
  webhookUrlProblem,
  webhookViewSchema,
} from '@app/webhooks';
import { z } from 'zod';
import { createdAtCursorSchema, limitSchema } from '../http/cursor.codec';

const eventTypeSchema = z.enum(SUBSCRIBABLE_EVENT_TYPES as [string, ...string[]], { error: 'not an event type this product publishes' });

export const createWebhookBodySchema = z.strictObject({
  url: z
    .string()
    .max(2048)
    .superRefine((value, ctx) => {
      const problem = webhookUrlProblem(value);
      if (problem) ctx.addIssue({ code: 'custom', message: `url ${problem}` });
    })
    .describe('Where deliveries are POSTed: an absolute http(s) URL without user or password'),
  types: z
    .array(eventTypeSchema)
    .min(1)
    .max(100)
    .refine((types) => new Set(types).size === types.length, { message: 'types must not repeat a type' })
    .nullable()
    .optional()
    .describe('Event types to deliver; omitted or null for every type'),
  description: z.string().trim().min(1).max(200).optional().describe('For people'),
});
export type CreateWebhookBody = z.output<typeof createWebhookBodySchema>;

export const webhookCreatedSchema = webhookViewSchema.extend({
  secret: z.string().describe('Signs every delivery (Webhook-Signature). Shown only here; store it now.'),
});

export const webhookListSchema = z.object({ data: z.array(webhookViewSchema), nextCursor: z.string().nullable() });
export const deliveryListSchema = z.object({
  data: z.array(deliveryViewSchema),
  nextCursor: z.string().nullable().describe('Pass as ?cursor= for the next page; null on the last page'),
});

const page = {
  limit: limitSchema.describe('Page size, 1–200 (default 50)'),
  cursor: createdAtCursorSchema.optional(),
};
export const webhookListQuerySchema = z.strictObject(page);
export const deliveryListQuerySchema = z.strictObject({ status: z.enum(DELIVERY_STATUSES).optional(), ...page });
export type PageQuery = z.output<typeof webhookListQuerySchema>;
export type DeliveryListQuery = z.output<typeof deliveryListQuerySchema>;

export const webhookParamsSchema = z.strictObject({ id: z.string().min(1).max(40) });
export const deliveryParamsSchema = z.strictObject({ id: z.string().min(1).max(40), deliveryId: z.string().min(1).max(40) });
