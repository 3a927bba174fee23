// The payment routes: inputs, outputs and problems, as validated and as documented.
import { createPaymentBatchCommandSchema, createPaymentCommandSchema, operationViewSchema, paymentBatchViewSchema } from '@app/contracts';
import { defineRoute } from '../http/route.definition';
import {
  emptyCommandBodySchema,
  operationIdParamsSchema,
  operationListQuerySchema,
  operationListSchema,
} from '../operations/operation.schemas';

const inFlight = { description: 'Accepted; the operation is not final yet', schema: operationViewSchema, headers: ['Location', 'Idempotent-Replayed', 'Preference-Applied'] } as const;
const final = { description: 'The operation is final', schema: operationViewSchema, headers: ['Location', 'Idempotent-Replayed', 'Preference-Applied'] } as const;

export const createPaymentRoute = defineRoute({
  method: 'POST',
  path: '/v1/payments',
  operationId: 'createPayment',
  summary: 'Start a payment on one or more terminals',
  description:
    'Stores the payment (status `accepted`) and queues it. Several `terminalIds` broadcast the intent to all of them; the one that takes it shows as `terminalId`.',
  tag: 'payments',
  auth: 'merchant',
  body: createPaymentCommandSchema,
  idempotent: true,
  waitable: true,
  responses: { 202: inFlight, 200: final },
  problems: [409, 422],
});

export const listPaymentsRoute = defineRoute({
  method: 'GET',
  path: '/v1/payments',
  operationId: 'listPayments',
  summary: "List the merchant's payments, newest first",
  tag: 'payments',
  auth: 'merchant',
  query: operationListQuerySchema,
  responses: { 200: { description: 'One page of payments', schema: operationListSchema } },
});

export const getPaymentRoute = defineRoute({
  method: 'GET',
  path: '/v1/payments/{id}',
  operationId: 'getPayment',
  summary: 'Read a payment',
  tag: 'payments',
  auth: 'merchant',
  params: operationIdParamsSchema,
  responses: { 200: { description: 'The payment', schema: operationViewSchema } },
  problems: [404],
});

export const cancelPaymentRoute = defineRoute({
  method: 'POST',
  path: '/v1/payments/{id}/cancel',
  operationId: 'cancelPayment',
  summary: 'Cancel a payment that is not final yet',
  description:
    'Moves the payment to `cancelling`; it ends `cancelled`, or still `approved` if the terminal had already completed it. Cancelling a payment already cancelling or cancelled answers it as it is.',
  tag: 'payments',
  auth: 'merchant',
  params: operationIdParamsSchema,
  body: emptyCommandBodySchema,
  idempotent: true,
  waitable: true,
  responses: { 202: inFlight, 200: final },
  problems: [404, 409],
});

export const confirmPaymentRoute = defineRoute({
  method: 'POST',
  path: '/v1/payments/{id}/confirm',
  operationId: 'confirmPayment',
  summary: 'Confirm a payment waiting for its confirmation leg',
  tag: 'payments',
  auth: 'merchant',
  params: operationIdParamsSchema,
  body: emptyCommandBodySchema,
  idempotent: true,
  waitable: true,
  responses: { 202: inFlight, 200: final },
  problems: [404, 409],
});

export const createPaymentBatchRoute = defineRoute({
  method: 'POST',
  path: '/v1/payment-batches',
  operationId: 'createPaymentBatch',
  summary: 'Send several payments to one device as one ordered request',
  description:
    "Stores 2–10 payments for one terminal whose provider takes several commands in one request (Klio SmartPos multi-task) and queues them; the device runs them in the order given (`batch.order`). Each payment is checked as `POST /v1/payments` checks it, and the batch is stored whole or not at all. Afterwards each payment is an ordinary payment (read, cancel, events); one cancelled or expired before the request goes out is left out of it.",
  tag: 'payments',
  auth: 'merchant',
  body: createPaymentBatchCommandSchema,
  idempotent: true,
  responses: {
    202: { description: 'Accepted; the payments are queued', schema: paymentBatchViewSchema, headers: ['Location', 'Idempotent-Replayed'] },
  },
  problems: [409, 422],
});

export const getPaymentBatchRoute = defineRoute({
  method: 'GET',
  path: '/v1/payment-batches/{id}',
  operationId: 'getPaymentBatch',
  summary: 'Read a payment batch: its payments in execution order',
  tag: 'payments',
  auth: 'merchant',
  params: operationIdParamsSchema,
  responses: { 200: { description: 'The batch', schema: paymentBatchViewSchema } },
  problems: [404],
});
