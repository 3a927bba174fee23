// The refund routes: inputs, outputs and problems, as validated and as documented.
import { createRefundCommandSchema } from '@app/contracts';
import { defineRoute } from '../http/route.definition';
import { cancelOperationRoute, commandResponses, operationReadRoutes } from '../operations/operation.routes';

export const createRefundRoute = defineRoute({
  method: 'POST',
  path: '/v1/refunds',
  operationId: 'createRefund',
  summary: 'Refund an amount to an AMEX card, without a payment to refer to',
  description:
    'Stores the refund (status `accepted`) and queues it. Unreferenced refunds exist for AMEX cards only: the terminal asks for an AMEX card, and another card is declined there (the refund ends `rejected`). Terminals of a provider without refunds are a 422 `PROVIDER.OPERATION_NOT_SUPPORTED`. To give back a payment of ours, use a reversal.',
  tag: 'refunds',
  auth: 'merchant',
  body: createRefundCommandSchema,
  idempotent: true,
  waitable: true,
  responses: commandResponses,
  problems: [409, 422],
});

export const { list: listRefundsRoute, get: getRefundRoute } = operationReadRoutes('refund');

export const cancelRefundRoute = cancelOperationRoute('refund');
