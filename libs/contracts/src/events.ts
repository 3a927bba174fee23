// Event types (`<operation type>.<status>`) and the CloudEvents 1.0 envelope. Event types are past
// facts: never rename or remove a value, only add.
import { z } from 'zod';
import { OPERATION_STATUSES, OPERATION_TYPES, OperationStatus, OperationType } from './operation';

export type EventType = `${OperationType}.${OperationStatus}`;

export const EVENT_TYPES: readonly EventType[] = Object.freeze(
  OPERATION_TYPES.flatMap((type) => OPERATION_STATUSES.map((status) => `${type}.${status}` as EventType)),
);

export function eventTypeOf(type: OperationType, status: OperationStatus): EventType {
  return `${type}.${status}`;
}

export const eventTypeSchema = z.enum(EVENT_TYPES as [EventType, ...EventType[]]);

/**
 * Events about webhook subscriptions rather than operations (subject = the subscription id,
 * `data` = the subscription as the API shows it, plus `merchantId`). Past facts like the others:
 * only add. Kept apart from EVENT_TYPES, which are `<operation type>.<status>`.
 */
export const WebhookEventType = Object.freeze({
  Disabled: 'webhook.disabled',
} as const);
export type WebhookEventType = (typeof WebhookEventType)[keyof typeof WebhookEventType];
export const WEBHOOK_EVENT_TYPES: readonly WebhookEventType[] = Object.freeze(Object.values(WebhookEventType));

/** The source attribute of every event this product publishes. */
export const EVENT_SOURCE = 'urn:ecr-bridge';

export const cloudEventSchema = z.object({
  specversion: z.literal('1.0'),
  id: z.string().min(1),
  source: z.string().min(1),
  type: z.string().min(1),
  time: z.iso.datetime(),
  subject: z.string().min(1),
  datacontenttype: z.literal('application/json'),
  data: z.record(z.string(), z.unknown()),
});
export type CloudEvent<T extends Record<string, unknown> = Record<string, unknown>> = Omit<
  z.infer<typeof cloudEventSchema>,
  'data'
> & { data: T };

/** Redis Stream that carries every published event, in publish order. */
export const EVENT_STREAM = 'ecr-bridge:events';
