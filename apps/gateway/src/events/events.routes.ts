// `GET /v1/events`: the merchant's published events as Server-Sent Events.
import { EVENT_TYPES, EventType, WEBHOOK_EVENT_TYPES, WebhookEventType } from '@app/contracts';
import { z } from 'zod';
import { defineRoute } from '../http/route.definition';

const position = z.string().regex(/^\d{1,15}$/, 'must be an event position (a non-negative integer)').transform(Number);
/** Every type the stream carries: the operations' events and the webhooks' own (`webhook.disabled`). */
export type StreamEventType = EventType | WebhookEventType;
const KNOWN_TYPES: ReadonlySet<string> = new Set<string>([...EVENT_TYPES, ...WEBHOOK_EVENT_TYPES]);

export const eventsQuerySchema = z.strictObject({
  after: position.optional().describe('Resume after this position (0 replays everything kept). Default: only new events.'),
  types: z
    .string()
    .max(2000)
    .describe('Comma-separated event types, e.g. payment.approved,payment.rejected,webhook.disabled')
    .transform((value, ctx) => {
      const types = value.split(',').map((t) => t.trim()).filter((t) => t.length > 0);
      const unknown = types.filter((t) => !KNOWN_TYPES.has(t));
      if (types.length === 0 || unknown.length > 0) {
        ctx.addIssue({ code: 'custom', message: `unknown event types: ${unknown.join(', ') || '(none given)'}` });
        return z.NEVER;
      }
      return [...new Set(types)] as StreamEventType[];
    })
    .optional(),
});

export const eventsHeadersSchema = z.object({
  'Last-Event-ID': position.optional().describe('Sent by EventSource on reconnect; takes precedence over ?after='),
});

export const streamEventsRoute = defineRoute({
  method: 'GET',
  path: '/v1/events',
  operationId: 'streamEvents',
  summary: "Stream the merchant's events (Server-Sent Events)",
  description:
    'Each message: `id` = the event position (gapless, increasing), `event` = its type, `data` = the CloudEvent JSON. Reconnect with `Last-Event-ID` (or `?after=`) to resume without gaps. A comment line is sent every 15 s as a heartbeat.',
  tag: 'events',
  auth: 'merchant',
  query: eventsQuerySchema,
  headers: eventsHeadersSchema,
  responses: { 200: { description: 'An endless event stream', contentType: 'text/event-stream' } },
});
