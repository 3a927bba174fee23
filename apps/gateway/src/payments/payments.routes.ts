// The payment routes: inputs, outputs and problems, as validated and as documented.
import { createPaymentCommandSchema, operationViewSchema } from '@app/contracts';
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
