// Admin routes (operators, with the configured admin key).
import { defineRoute } from '../http/route.definition';
import { terminalViewSchema } from '../terminals/terminal.schema';
import {
  apiKeyIssuedSchema,
  apiKeyParamsSchema,
  createMerchantBodySchema,
  merchantCreatedSchema,
  merchantDetailSchema,
  merchantListQuerySchema,
  merchantListSchema,
  merchantParamsSchema,
  putTerminalBodySchema,
  terminalParamsSchema,
} from './admin.schemas';

export const createMerchantRoute = defineRoute({
  method: 'POST',
  path: '/v1/admin/merchants',
  operationId: 'createMerchant',
  summary: 'Create a merchant and its first API key',
  tag: 'admin',
  auth: 'admin',
  body: createMerchantBodySchema,
  responses: { 201: { description: 'Created; the API key is shown once', schema: merchantCreatedSchema } },
  problems: [409],
});

export const listMerchantsRoute = defineRoute({
  method: 'GET',
  path: '/v1/admin/merchants',
  operationId: 'listMerchants',
  summary: 'List merchants, newest first',
  tag: 'admin',
  auth: 'admin',
  query: merchantListQuerySchema,
  responses: { 200: { description: 'One page of merchants', schema: merchantListSchema } },
});

export const getMerchantRoute = defineRoute({
  method: 'GET',
  path: '/v1/admin/merchants/{id}',
  operationId: 'getMerchant',
  summary: 'Read a merchant with its terminals and key hints',
  tag: 'admin',
  auth: 'admin',
  params: merchantParamsSchema,
  responses: { 200: { description: 'The merchant', schema: merchantDetailSchema } },
  problems: [404],
});

export const issueApiKeyRoute = defineRoute({
  method: 'POST',
  path: '/v1/admin/merchants/{id}/api-keys',
  operationId: 'issueApiKey',
  summary: 'Issue another API key (rotation: issue, switch, revoke the old one)',
  tag: 'admin',
  auth: 'admin',
  params: merchantParamsSchema,
  responses: { 201: { description: 'Issued; the key is shown once', schema: apiKeyIssuedSchema } },
  problems: [404],
});

export const revokeApiKeyRoute = defineRoute({
  method: 'DELETE',
  path: '/v1/admin/merchants/{id}/api-keys/{keyId}',
  operationId: 'revokeApiKey',
  summary: 'Revoke an API key; it stops working at once',
  tag: 'admin',
  auth: 'admin',
  params: apiKeyParamsSchema,
  responses: { 204: { description: 'Revoked (also when it already was)' } },
  problems: [404],
});

export const putTerminalRoute = defineRoute({
  method: 'PUT',
  path: '/v1/admin/merchants/{id}/terminals/{terminalId}',
  operationId: 'putTerminal',
  summary: "Register a provider terminal to a merchant (PayStore's terminal_id: 8 digits)",
  tag: 'admin',
  auth: 'admin',
  params: terminalParamsSchema,
  body: putTerminalBodySchema,
  responses: {
    201: { description: 'Registered', schema: terminalViewSchema },
    200: { description: 'Already registered to this merchant; label replaced', schema: terminalViewSchema },
  },
  problems: [404, 409],
});
