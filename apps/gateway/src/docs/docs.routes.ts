// The API's own description: the OpenAPI document and Swagger UI (served from swagger-ui-dist).
import { z } from 'zod';
import { defineRoute } from '../http/route.definition';

export const openApiRoute = defineRoute({
  method: 'GET',
  path: '/docs-json',
  operationId: 'openApiDocument',
  summary: 'This OpenAPI 3.1 document',
  tag: 'docs',
  auth: 'none',
  responses: { 200: { description: 'OpenAPI 3.1 document', contentType: 'application/json' } },
});

export const swaggerUiRoute = defineRoute({
  method: 'GET',
  path: '/docs',
  operationId: 'swaggerUi',
  summary: 'Swagger UI for this document',
  tag: 'docs',
  auth: 'none',
  responses: { 200: { description: 'HTML page', contentType: 'text/html' } },
});

export const swaggerAssetRoute = defineRoute({
  method: 'GET',
  path: '/docs/{asset}',
  operationId: 'swaggerUiAsset',
  summary: 'Swagger UI files',
  tag: 'docs',
  auth: 'none',
  params: z.strictObject({ asset: z.string().max(100) }),
  responses: { 200: { description: 'A Swagger UI file (JavaScript, CSS or image)', contentType: 'application/octet-stream' } },
  problems: [404],
});
