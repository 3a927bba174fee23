// The webhooks app's configuration: the shared environment schema plus the delivery settings,
// validated once at start-up. Every variable is documented in docs/webhooks.md.
import { AppConfig, loadConfig } from '@app/common';
import { MIN_SECRET_KEY_LENGTH } from '@app/webhooks';
import { z } from 'zod';
import type { DeliverySettings } from './webhook-delivery.service';

const DAY_MS = 24 * 3600 * 1000;

/** Delay before each retry: 10 s, 1 min, 5 min, 30 min, 2 h, 6 h, then every 12 h. */
export const DEFAULT_RETRY_SCHEDULE_MS = Object.freeze([10_000, 60_000, 300_000, 1_800_000, 7_200_000, 21_600_000, 43_200_000]);

const positive = (def: number) => z.coerce.number().int().positive().default(def);
const emptyIsUnset = (value: unknown) => (value === '' ? undefined : value);

export const webhookSettingsSchema = z
  .object({
    WEBHOOK_SECRET_KEY: z.preprocess(
      emptyIsUnset,
      z.string().min(MIN_SECRET_KEY_LENGTH, `WEBHOOK_SECRET_KEY must be at least ${MIN_SECRET_KEY_LENGTH} characters`).optional(),
    ),
    WEBHOOK_RETRY_SCHEDULE_MS: z
      .string()
      .transform((list) => list.split(',').map((part) => Number(part.trim())))
      .pipe(z.array(z.number().int().positive()).min(1))
      .default([...DEFAULT_RETRY_SCHEDULE_MS]),
    WEBHOOK_RETRY_WINDOW_MS: positive(3 * DAY_MS),
    WEBHOOK_TIMEOUT_MS: positive(10_000),
    /** How long a webhook fails without a success before it is disabled: never less than the retry window. */
    WEBHOOK_DISABLE_AFTER_MS: positive(3 * DAY_MS),
    /** And the failed attempts in a row it must have made by then (one delivery's 3 days make 13). */
    WEBHOOK_FAILURE_STREAK: positive(10),
    WEBHOOK_CONCURRENCY: positive(20),
    WEBHOOK_SWEEP_INTERVAL_MS: positive(30_000),
    WEBHOOK_ALLOW_PRIVATE_TARGETS: z
      .enum(['true', 'false', '1', '0'])
      .default('false')
      .transform((v) => v === 'true' || v === '1'),
  })
  .refine((s) => s.WEBHOOK_DISABLE_AFTER_MS >= s.WEBHOOK_RETRY_WINDOW_MS, {
    message: 'WEBHOOK_DISABLE_AFTER_MS must be at least WEBHOOK_RETRY_WINDOW_MS: a webhook is disabled only after failing for a whole retry window',
    path: ['WEBHOOK_DISABLE_AFTER_MS'],
  });

export type WebhookSettings = z.infer<typeof webhookSettingsSchema>;
export type WebhooksConfig = AppConfig & WebhookSettings;

export function loadWebhooksConfig(env: NodeJS.ProcessEnv = process.env): WebhooksConfig {
  const parsed = webhookSettingsSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n');
    throw new Error(`Invalid configuration:\n${lines}`);
  }
  return { ...loadConfig(env), ...parsed.data };
}

/** What each delivery attempt goes by, from the app's configuration. */
export function deliverySettingsOf(config: WebhookSettings): DeliverySettings {
  return {
    timeoutMs: config.WEBHOOK_TIMEOUT_MS,
    retry: { scheduleMs: config.WEBHOOK_RETRY_SCHEDULE_MS, windowMs: config.WEBHOOK_RETRY_WINDOW_MS },
    disableAfterMs: config.WEBHOOK_DISABLE_AFTER_MS,
    failureStreak: config.WEBHOOK_FAILURE_STREAK,
  };
}
