// Admin request and answer shapes.
import { providerSchema, terminalIdSchema } from '@app/contracts';
import { z } from 'zod';
import { createdAtCursorSchema, limitSchema } from '../http/cursor.codec';
import { terminalViewSchema } from '../terminals/terminal.schema';
import { formatCuit, isValidCuit } from './cuit.validator';

export const createMerchantBodySchema = z.strictObject({
  name: z.string().trim().min(1).max(200),
  cuit: z
    .string()
    .max(20)
    .refine(isValidCuit, 'cuit must be a valid CUIT: 11 digits (hyphens optional) with a correct check digit')
    .transform(formatCuit)
    .describe('CUIT, with or without hyphens; answered hyphenated (30-71234567-1)'),
});

const merchantFields = {
  id: z.string(),
  name: z.string(),
  cuit: z.string().describe('Hyphenated: 30-71234567-1'),
  createdAt: z.string(),
};

export const merchantSchema = z.object(merchantFields);

export const merchantCreatedSchema = z.object({
  ...merchantFields,
  apiKey: z.string().describe('The merchant API key. Shown only here; store it now.'),
  apiKeyId: z.string(),
});

export const apiKeyIssuedSchema = z.object({
  id: z.string(),
  apiKey: z.string().describe('Shown only here; store it now.'),
  hint: z.string().describe('Its last four characters'),
  createdAt: z.string(),
});

export const apiKeyInfoSchema = z.object({
  id: z.string(),
  hint: z.string(),
  createdAt: z.string(),
  revokedAt: z.string().nullable(),
});

export const merchantDetailSchema = z.object({
  ...merchantFields,
  terminals: z.array(terminalViewSchema),
  apiKeys: z.array(apiKeyInfoSchema).describe('Key ids and hints; never the keys'),
});

export const merchantListSchema = z.object({ data: z.array(merchantSchema), nextCursor: z.string().nullable() });

export const merchantListQuerySchema = z.strictObject({
  limit: limitSchema.describe('Page size, 1–200 (default 50)'),
  cursor: createdAtCursorSchema.optional(),
});

export const merchantParamsSchema = z.strictObject({ id: z.string().min(1).max(40) });
export const apiKeyParamsSchema = z.strictObject({ id: z.string().min(1).max(40), keyId: z.string().min(1).max(40) });
export const terminalParamsSchema = z.strictObject({ id: z.string().min(1).max(40), terminalId: terminalIdSchema });

export const putTerminalBodySchema = z.strictObject({
  provider: providerSchema,
  label: z.string().trim().min(1).max(100).optional().describe('For people; replaced on every PUT'),
  deviceId: z
    .string()
    .min(1)
    .max(64)
    .regex(/^[A-Za-z0-9_.:-]+$/, 'deviceId must be letters, digits, "_", ".", ":" or "-"')
    .optional()
    .describe('Klio SmartPos: the device its tasks go to (required for Klio, refused for other providers)'),
});
