// The reversal routes: inputs, outputs and problems, as validated and as documented.
import { createReversalCommandSchema } from '@app/contracts';
import { defineRoute } from '../http/route.definition';
import { cancelOperationRoute, commandResponses, operationReadRoutes } from '../operations/operation.routes';

export const createReversalRoute = defineRoute({
  method: 'POST',
  path: '/v1/reversals',
  operationId: 'createReversal',
  summary: 'Give an approved payment back',
  description:
    'Stores the reversal (status `accepted`, the payment\'s amount and currency) and queues it; the payment shows it as `reversalId` from then on. `terminalIds` default to the terminal that took the payment. A payment has at most one reversal in flight or approved: another is 409 `PAYMENT.ALREADY_REVERSED`, until that one ends rejected, failed, cancelled or expired. AMEX payments are given back through the provider\'s Refunds API.',
  tag: 'reversals',
  auth: 'merchant',
  body: createReversalCommandSchema,
  idempotent: true,
  waitable: true,
  responses: commandResponses,
  problems: [404, 409, 422],
});

export const { list: listReversalsRoute, get: getReversalRoute } = operationReadRoutes('reversal');

export const cancelReversalRoute = cancelOperationRoute('reversal');
