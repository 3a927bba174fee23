// Route declarations every operation type has in the same shape: the answers of a command, the
// list and the read by id, and the cancel. Each type's *.routes.ts declares its own create.
import { operationViewSchema, OperationType } from '@app/contracts';
import { defineRoute } from '../http/route.definition';
import { OPERATION_PATH } from './command.responder';
import { emptyCommandBodySchema, operationIdParamsSchema, operationListQuerySchema, operationListSchema } from './operation.schemas';

const answerHeaders = ['Location', 'Idempotent-Replayed', 'Preference-Applied'] as const;

/** What a command answers: 202 while the operation is in flight, 200 once it is final. */
export const commandResponses = {
  202: { description: 'Accepted; the operation is not final yet', schema: operationViewSchema, headers: answerHeaders },
  200: { description: 'The operation is final', schema: operationViewSchema, headers: answerHeaders },
} as const;

function pascal(type: OperationType): string {
  return type.charAt(0).toUpperCase() + type.slice(1);
}

/** `GET /v1/{type}s` and `GET /v1/{type}s/{id}`, tenancy-scoped, 404 `{TYPE}.NOT_FOUND` for ids not the caller's. */
export function operationReadRoutes(type: OperationType) {
  const path = OPERATION_PATH[type];
  const tag = path.slice('/v1/'.length);
  return {
    list: defineRoute({
      method: 'GET',
      path,
      operationId: `list${pascal(type)}s`,
      summary: `List the merchant's ${type}s, newest first`,
      tag,
      auth: 'merchant',
      query: operationListQuerySchema,
      responses: { 200: { description: `One page of ${type}s`, schema: operationListSchema } },
    }),
    get: defineRoute({
      method: 'GET',
      path: `${path}/{id}`,
      operationId: `get${pascal(type)}`,
      summary: `Read a ${type}`,
      tag,
      auth: 'merchant',
      params: operationIdParamsSchema,
      responses: { 200: { description: `The ${type}`, schema: operationViewSchema } },
      problems: [404],
    }),
  };
}

/** `POST /v1/{type}s/{id}/cancel`. */
export function cancelOperationRoute(type: OperationType) {
  const path = OPERATION_PATH[type];
  return defineRoute({
    method: 'POST',
    path: `${path}/{id}/cancel`,
    operationId: `cancel${pascal(type)}`,
    summary: `Cancel a ${type} that is not final yet`,
    description: `Moves the ${type} to \`cancelling\`; it ends \`cancelled\`, or still \`approved\` if a terminal had already completed it. Cancelling a ${type} already cancelling or cancelled answers it as it is; one that ended any other way is a 409.`,
    tag: path.slice('/v1/'.length),
    auth: 'merchant',
    params: operationIdParamsSchema,
    body: emptyCommandBodySchema,
    idempotent: true,
    waitable: true,
    responses: commandResponses,
    problems: [404, 409],
  });
}
