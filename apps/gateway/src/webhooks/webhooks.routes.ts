// Webhook routes: a merchant's subscriptions, their delivery log, redelivery and re-enabling.
import { deliveryViewSchema, webhookViewSchema } from '@app/webhooks';
import { defineRoute } from '../http/route.definition';
import { emptyCommandBodySchema } from '../operations/operation.schemas';
import {
  createWebhookBodySchema,
  deliveryListQuerySchema,
  deliveryListSchema,
  deliveryParamsSchema,
  webhookCreatedSchema,
  webhookListQuerySchema,
  webhookListSchema,
  webhookParamsSchema,
} from './webhooks.schemas';

export const createWebhookRoute = defineRoute({
  method: 'POST',
  path: '/v1/webhooks',
  operationId: 'createWebhook',
  summary: "Subscribe a URL to the merchant's events",
  description:
    'Every event of the merchant (or of `types`) is POSTed to `url` as its CloudEvent, signed with the secret answered here (`Webhook-Id`, `Webhook-Timestamp`, `Webhook-Signature`), and retried with backoff for at least 3 days until a 2xx.',
  tag: 'webhooks',
  auth: 'merchant',
  body: createWebhookBodySchema,
  responses: { 201: { description: 'Subscribed; the secret is shown once', schema: webhookCreatedSchema } },
});

export const listWebhooksRoute = defineRoute({
  method: 'GET',
  path: '/v1/webhooks',
  operationId: 'listWebhooks',
  summary: "List the merchant's webhooks, newest first",
  tag: 'webhooks',
  auth: 'merchant',
  query: webhookListQuerySchema,
  responses: { 200: { description: 'One page of webhooks', schema: webhookListSchema } },
});

export const getWebhookRoute = defineRoute({
  method: 'GET',
  path: '/v1/webhooks/{id}',
  operationId: 'getWebhook',
  summary: 'Read a webhook (never its secret)',
  tag: 'webhooks',
  auth: 'merchant',
  params: webhookParamsSchema,
  responses: { 200: { description: 'The webhook', schema: webhookViewSchema } },
  problems: [404],
});

export const deleteWebhookRoute = defineRoute({
  method: 'DELETE',
  path: '/v1/webhooks/{id}',
  operationId: 'deleteWebhook',
  summary: 'Delete a webhook; its pending deliveries are dropped',
  tag: 'webhooks',
  auth: 'merchant',
  params: webhookParamsSchema,
  responses: { 204: { description: 'Deleted' } },
  problems: [404],
});

export const enableWebhookRoute = defineRoute({
  method: 'POST',
  path: '/v1/webhooks/{id}/enable',
  operationId: 'enableWebhook',
  summary: 'Enable a disabled webhook again',
  description:
    'Events published from now on are delivered again and its failure streak starts over. Deliveries held while it was disabled and still inside their retry window (3 days) resume; ones already `abandoned` are not resent by themselves: redeliver the ones you need.',
  tag: 'webhooks',
  auth: 'merchant',
  params: webhookParamsSchema,
  body: emptyCommandBodySchema,
  responses: { 200: { description: 'The webhook, active', schema: webhookViewSchema } },
  problems: [404],
});

export const listDeliveriesRoute = defineRoute({
  method: 'GET',
  path: '/v1/webhooks/{id}/deliveries',
  operationId: 'listWebhookDeliveries',
  summary: "A webhook's delivery log, newest first",
  tag: 'webhooks',
  auth: 'merchant',
  params: webhookParamsSchema,
  query: deliveryListQuerySchema,
  responses: { 200: { description: 'One page of deliveries', schema: deliveryListSchema } },
  problems: [404],
});

export const redeliverRoute = defineRoute({
  method: 'POST',
  path: '/v1/webhooks/{id}/deliveries/{deliveryId}/redeliver',
  operationId: 'redeliverWebhookDelivery',
  summary: 'Send a delivery again now',
  description:
    'Whatever its status, the delivery is attempted again at once. If that attempt fails it is retried on the usual schedule while the delivery is younger than the retry window (3 days), else it ends `failed`. A disabled webhook answers 409 WEBHOOK.DISABLED: enable it first.',
  tag: 'webhooks',
  auth: 'merchant',
  params: deliveryParamsSchema,
  body: emptyCommandBodySchema,
  responses: { 202: { description: 'Queued', schema: deliveryViewSchema } },
  problems: [404, 409],
});
