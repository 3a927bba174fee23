// Bodies of the sandbox's own control routes (terminals, POS actions, faults).
import { z } from 'zod';
import { ENTRY_MODES } from './intent.model';
import { BRAND_CODES } from './outcome.rules';

const terminalId = z.string({ error: 'must be a string of 8 digits' }).regex(/^\d{8}$/, { error: 'must be a string of 8 digits' });
const mode = z.enum(['auto', 'manual']);
const takeDelayMs = z.int().min(0).max(600_000);

export const registerTerminalSchema = z.object({
  terminalId,
  cuit: z.string(),
  mode: mode.optional(),
  offline: z.boolean().optional(),
  takeDelayMs: takeDelayMs.optional(),
});

export const terminalModeSchema = z.object({
  mode: mode.optional(),
  offline: z.boolean().optional(),
  takeDelayMs: takeDelayMs.optional(),
});

export const posActionSchema = z.object({
  paymentId: z.string().min(1).max(100).nullable().optional(),
  brand: z.enum(BRAND_CODES).nullable().optional(),
  entryMode: z.enum(ENTRY_MODES).nullable().optional(),
});

export const faultSchema = z.object({
  match: z
    .object({
      method: z.string().min(1).max(10).optional(),
      path: z.string().min(1).max(500).optional(),
    })
    .optional(),
  errorRate: z.number().min(0).max(1).optional(),
  status: z.int().min(400).max(599).optional(),
  latencyMs: z.int().min(0).max(600_000).optional(),
  dropConnection: z.boolean().optional(),
  forSeconds: z.number().positive().max(86_400).optional(),
});
