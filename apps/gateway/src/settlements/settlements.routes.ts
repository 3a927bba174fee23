// The settlement routes: inputs, outputs and problems, as validated and as documented.
import { createSettlementCommandSchema } from '@app/contracts';
import { defineRoute } from '../http/route.definition';
import { commandResponses, operationReadRoutes } from '../operations/operation.routes';

export const createSettlementRoute = defineRoute({
  method: 'POST',
  path: '/v1/settlements',
  operationId: 'createSettlement',
  summary: "Close the open batch of one of the merchant's terminals",
  description:
    'Stores the settlement (status `accepted`) and queues it. One settlement at a time per terminal: another while one is not final is a 409 `SETTLEMENT.ALREADY_IN_FLIGHT`. Once approved it shows the `batchNumber` it closed and `totals` per card brand of the approved payments, reversals and refunds of that batch. A settlement cannot be cancelled and has no deadline: it waits for the terminal.',
  tag: 'settlements',
  auth: 'merchant',
  body: createSettlementCommandSchema,
  idempotent: true,
  waitable: true,
  responses: commandResponses,
  problems: [409, 422],
});

export const { list: listSettlementsRoute, get: getSettlementRoute } = operationReadRoutes('settlement');
