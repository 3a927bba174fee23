// Klio's device list, synced into the terminal registry by an operator.
import { z } from 'zod';
import { defineRoute } from '../http/route.definition';
import { terminalViewSchema } from '../terminals/terminal.schema';

const deviceIdSchema = z.string().min(1).max(64).regex(/^[A-Za-z0-9_.:-]+$/, 'deviceId must be letters, digits, "_", ".", ":" or "-"');

export const klioDeviceSyncBodySchema = z.strictObject({
  /** Only these devices; default every device of the Klio account not registered yet. */
  deviceIds: z.array(deviceIdSchema).min(1).max(500).optional(),
});

export const klioDeviceSyncResultSchema = z.object({
  /** Devices registered as new terminals of the merchant. */
  registered: z.array(terminalViewSchema),
  /** The merchant's Klio terminals refreshed from the list (label). */
  updated: z.array(terminalViewSchema),
  /** Devices registered to another merchant: left alone. */
  conflicts: z.array(z.object({ deviceId: z.string(), terminalId: z.string(), merchantId: z.string() })),
  /** Asked-for devices, or the merchant's registered ones, that Klio's list no longer has. */
  missing: z.array(z.string()),
});
export type KlioDeviceSyncResult = z.infer<typeof klioDeviceSyncResultSchema>;

export const syncKlioDevicesRoute = defineRoute({
  method: 'POST',
  path: '/v1/admin/merchants/{id}/klio-devices/sync',
  operationId: 'syncKlioDevices',
  summary: "Register the Klio account's devices as terminals of a merchant",
  description:
    "Reads Klio's device list (`get-pos-devices`) and registers each device (or only `deviceIds`) as a Klio terminal of the merchant: the terminal id is the device's `terminalId` (its `deviceId` when it has none), the label its `deviceName`. A device already registered to another merchant is reported in `conflicts` and left alone; nothing is deleted. Answers 502 `PROVIDER.ERROR` when Klio cannot be read.",
  tag: 'admin',
  auth: 'admin',
  params: z.strictObject({ id: z.string().min(1).max(40) }),
  body: klioDeviceSyncBodySchema,
  responses: { 200: { description: 'What the sync did', schema: klioDeviceSyncResultSchema } },
  problems: [404, 502],
});
