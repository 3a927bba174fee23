// Queue and job names, frozen. Jobs are stored in Redis under these strings: never rename a value.
import { z } from 'zod';

export const QueueName = Object.freeze({
  Payments: 'payments',
  Reversals: 'reversals',
  Settlements: 'settlements',
  /** Webhook deliveries: one job per delivery, its id the delivery id (apps/webhooks, libs/webhooks). */
  WebhookDeliveries: 'webhook-deliveries',
} as const);
export type QueueName = (typeof QueueName)[keyof typeof QueueName];

export const JobName = Object.freeze({
  /** Drives one payment from its current stored status to the next (submit, poll, cancel, resolve). */
  PaymentAdvance: 'payment.advance',
  ReversalAdvance: 'reversal.advance',
  RefundAdvance: 'refund.advance',
  SettlementAdvance: 'settlement.advance',
  /** One attempt of one webhook delivery; the job carries only the delivery id. */
  WebhookDeliver: 'webhook.deliver',
} as const);
export type JobName = (typeof JobName)[keyof typeof JobName];

/**
 * Every job carries only the operation id: Postgres holds the truth, so a job lost with Redis is
 * rebuilt from the row alone, and the job id is the operation id so re-enqueueing deduplicates.
 */
export const operationJobSchema = z.object({ operationId: z.string().min(1).max(64) });
export type OperationJob = z.infer<typeof operationJobSchema>;
