// Webhook subscriptions and deliveries as stored (rows) and as the API and events show them
// (views). One zod schema per view validates nothing on the way out but documents the answer, and
// the `webhook.disabled` event carries the same subscription view.
import { EVENT_TYPES, WEBHOOK_EVENT_TYPES } from '@app/contracts';
import { z } from 'zod';

export const WEBHOOK_ID_PREFIX = 'whk';
export const DELIVERY_ID_PREFIX = 'dlv';

export const WEBHOOK_STATUSES = Object.freeze(['active', 'disabled'] as const);
export type WebhookStatus = (typeof WEBHOOK_STATUSES)[number];

/**
 * `pending`: waiting for its first attempt or a retry; `succeeded`: a receiver answered 2xx;
 * `failed`: every retry failed within the retry window; `abandoned`: held unfinished while its
 * subscription was disabled, until its own retry window was over.
 */
export const DELIVERY_STATUSES = Object.freeze(['pending', 'succeeded', 'failed', 'abandoned'] as const);
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** Every event type a subscription may ask for: the operations' and the webhooks' own. */
export const SUBSCRIBABLE_EVENT_TYPES: readonly string[] = Object.freeze([...EVENT_TYPES, ...WEBHOOK_EVENT_TYPES]);

export interface WebhookRow {
  id: string;
  merchant_id: string;
  url: string;
  types: string[] | null;
  description: string | null;
  secret: string;
  status: WebhookStatus;
  failure_streak: number;
  failing_since: Date | null;
  last_success_at: Date | null;
  disabled_at: Date | null;
  disabled_reason: string | null;
  created_at: Date;
}

export const webhookViewSchema = z.object({
  id: z.string(),
  url: z.string(),
  types: z.array(z.string()).nullable().describe('Event types delivered; null for every type'),
  description: z.string().nullable(),
  status: z.enum(WEBHOOK_STATUSES),
  failureStreak: z.number().int().describe('Failed attempts in a row since the last success'),
  lastSuccessAt: z.string().nullable(),
  disabledAt: z.string().nullable(),
  disabledReason: z.string().nullable(),
  createdAt: z.string(),
});
export type WebhookView = z.infer<typeof webhookViewSchema>;

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

export function toWebhookView(row: WebhookRow): WebhookView {
  return {
    id: row.id,
    url: row.url,
    types: row.types,
    description: row.description,
    status: row.status,
    failureStreak: row.failure_streak,
    lastSuccessAt: iso(row.last_success_at),
    disabledAt: iso(row.disabled_at),
    disabledReason: row.disabled_reason,
    createdAt: row.created_at.toISOString(),
  };
}

export interface DeliveryRow {
  id: string;
  subscription_id: string;
  event_id: string;
  event_type: string;
  status: DeliveryStatus;
  attempts: number;
  last_status_code: number | null;
  last_error: string | null;
  last_attempt_at: Date | null;
  next_attempt_at: Date | null;
  created_at: Date;
  delivered_at: Date | null;
}

export const deliveryViewSchema = z.object({
  id: z.string(),
  webhookId: z.string(),
  eventId: z.string().describe('Also the `Webhook-Id` header of every attempt'),
  eventType: z.string(),
  status: z.enum(DELIVERY_STATUSES),
  attempts: z.number().int(),
  lastStatusCode: z.number().int().nullable().describe("The receiver's HTTP status on the last attempt; null when it gave none"),
  lastError: z.string().nullable(),
  lastAttemptAt: z.string().nullable(),
  nextAttemptAt: z.string().nullable().describe('When the next attempt is due, while pending'),
  createdAt: z.string(),
  deliveredAt: z.string().nullable(),
});
export type DeliveryView = z.infer<typeof deliveryViewSchema>;

export function toDeliveryView(row: DeliveryRow): DeliveryView {
  return {
    id: row.id,
    webhookId: row.subscription_id,
    eventId: row.event_id,
    eventType: row.event_type,
    status: row.status,
    attempts: row.attempts,
    lastStatusCode: row.last_status_code,
    lastError: row.last_error,
    lastAttemptAt: iso(row.last_attempt_at),
    nextAttemptAt: row.status === 'pending' ? iso(row.next_attempt_at) : null,
    createdAt: row.created_at.toISOString(),
    deliveredAt: iso(row.delivered_at),
  };
}

/**
 * A receiver URL: absolute http(s), no user or password in it (they would be sent to whoever
 * answers and end up in logs), no fragment. Answers what is wrong, or null.
 */
export function webhookUrlProblem(value: string): string | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'must be an absolute http(s) URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'must be an http or https URL';
  if (url.username || url.password) return 'must not carry a user name or password';
  if (!url.hostname) return 'must name a host';
  if (url.hash) return 'must not have a fragment';
  return null;
}
