// A registered terminal as admin and merchant routes show it.
import { Provider, providerSchema } from '@app/contracts';
import { z } from 'zod';

export const terminalViewSchema = z.object({
  terminalId: z.string(),
  provider: providerSchema,
  merchantId: z.string(),
  label: z.string().nullable(),
  /** Klio SmartPos: the device its tasks go to; null for other providers. */
  deviceId: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type TerminalView = z.infer<typeof terminalViewSchema>;

export interface TerminalRow {
  terminal_id: string;
  provider: Provider;
  merchant_id: string;
  label: string | null;
  device_id: string | null;
  created_at: Date;
  updated_at: Date;
}

export function toTerminalView(row: TerminalRow): TerminalView {
  return {
    terminalId: row.terminal_id,
    provider: row.provider,
    merchantId: row.merchant_id,
    label: row.label,
    deviceId: row.device_id ?? null,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

/** Provider terminal ids: PayStore's are 8 digits; Klio's and pagoUno's are opaque. */
export const TERMINAL_ID_FORMAT: Readonly<Record<z.infer<typeof providerSchema>, { pattern: RegExp; message: string }>> = Object.freeze({
  paystore: { pattern: /^\d{8}$/, message: 'PayStore terminal ids are 8 digits' },
  klio: { pattern: /^[A-Za-z0-9_.:-]{1,64}$/, message: 'Klio terminal ids are letters, digits, "_", ".", ":" or "-"' },
  pagouno: { pattern: /^[A-Za-z0-9_.:-]{1,64}$/, message: 'pagoUno terminal ids are letters, digits, "_", ".", ":" or "-"' },
});
