// Configuration from environment variables, validated once at start-up. Every variable is in the
// README with its default; defaults point at the local services and the built-in sandbox.
import { z } from 'zod';

const int = (def: number) => z.coerce.number().int().nonnegative().default(def);
const bool = (def: boolean) =>
  z
    .enum(['true', 'false', '1', '0'])
    .default(def ? 'true' : 'false')
    .transform((v) => v === 'true' || v === '1');

export const configSchema = z.object({
  NODE_ENV: z.string().default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DATABASE_URL: z.string().default('postgres://postgres@127.0.0.1:5432/ecr_bridge'),
  DATABASE_POOL_SIZE: int(10),
  REDIS_URL: z.string().default('redis://127.0.0.1:6379'),
  BULLMQ_PREFIX: z.string().min(1).default('ecr'),
  EVENT_STREAM_KEY: z.string().min(1).default('ecr-bridge:events'),
  COMMAND_STREAM_KEY: z.string().min(1).default('ecr-bridge:commands'),
  COMMAND_REPLY_STREAM_KEY: z.string().min(1).default('ecr-bridge:command-replies'),
  PORT: int(3000),
  HOST: z.string().default('0.0.0.0'),
  /**
   * How long a process takes, at most, from SIGTERM to exit: below every Deployment's
   * terminationGracePeriodSeconds (k8s/base), so Kubernetes never has to kill it.
   */
  SHUTDOWN_GRACE_MS: z.coerce.number().int().positive().default(45_000),
  SANDBOX_PORT: int(4010),
  ADMIN_API_KEY: z.string().min(16, 'ADMIN_API_KEY must be at least 16 characters').optional(),
  /** Encrypts webhook subscription secrets at rest (gateway and webhooks app; see docs/webhooks.md). */
  WEBHOOK_SECRET_KEY: z.string().min(32, 'WEBHOOK_SECRET_KEY must be at least 32 characters').optional(),
  PAYSTORE_BASE_URL: z.string().url().default('http://127.0.0.1:4010'),
  PAYSTORE_CLIENT_ID: z.string().default('ecr-bridge-sandbox'),
  PAYSTORE_CLIENT_SECRET: z.string().default('sandbox-secret'),
  PAYSTORE_SUBNET_ACQUIRER_ID: z.string().default('1'),
  PAYSTORE_TIMEOUT_MS: int(10_000),
  PAYSTORE_CONFIRMATION_REQUIRED: bool(false),
  /** How long a PayStore operation's open breaker rests before it lets one trial call through. */
  PAYSTORE_BREAKER_RESET_MS: z.coerce.number().int().positive().default(10_000),
  /** Klio SmartPos (see docs/klio-wire.md); the defaults reach the sandbox. */
  KLIO_BASE_URL: z.string().url().default('http://127.0.0.1:4010'),
  KLIO_CLIENT_ID: z.string().default('klio-sandbox'),
  KLIO_CLIENT_SECRET: z.string().default('klio-sandbox-secret'),
  KLIO_TIMEOUT_MS: int(10_000),
  /** Where Klio posts task callbacks (the gateway's `/v1/providers/klio/callbacks`); unset: no callbacks. */
  KLIO_CALLBACK_URL: z.string().url().optional(),
  /** When set, a Klio callback must carry it as `?token=`. */
  KLIO_CALLBACK_TOKEN: z.string().min(16, 'KLIO_CALLBACK_TOKEN must be at least 16 characters').optional(),
  /** pagoUno (see docs/pagouno-wire.md); the defaults reach the sandbox. */
  PAGOUNO_BASE_URL: z.string().url().default('http://127.0.0.1:4010/pagouno'),
  PAGOUNO_PRIVATE_KEY: z.string().default('pagouno-sandbox-private-key'),
  PAGOUNO_PUBLIC_KEY: z.string().default('pagouno-sandbox-public-key'),
  PAGOUNO_TIMEOUT_MS: int(15_000),
  POLL_INTERVAL_MS: int(1000),
  /** How long a job waits (up to 1.5×, jittered) before it looks again while its provider's breaker is open. */
  BREAKER_WAIT_MS: z.coerce.number().int().positive().default(5000),
  UNKNOWN_OUTCOME_WINDOW_MS: int(120_000),
  SWEEP_INTERVAL_MS: int(5000),
  /** How often workers delete idempotency keys past their 30-day window. */
  IDEMPOTENCY_PURGE_INTERVAL_MS: int(3_600_000),
  WORKER_CONCURRENCY: int(50),
  JOB_LOCK_MS: int(10_000),
  OUTBOX_POLL_MS: int(1000),
  /** Gateway: requests per minute per merchant API key, counted in Redis across replicas (0: no limit). */
  RATE_LIMIT_PER_MINUTE: int(3000),
  /** Gateway: requests per minute with the admin key, all replicas together (0: no limit). */
  RATE_LIMIT_ADMIN_PER_MINUTE: int(600),
  /** Gateway: failed authentications (401) per minute per client address before it gets 429s (0: no limit). */
  RATE_LIMIT_AUTH_FAILURES_PER_MINUTE: int(30),
  /**
   * Gateway: whether to take the client address from `X-Forwarded-For` (Fastify's `trustProxy`):
   * `false`, `true`, a hop count, or a comma-separated list of proxy addresses/CIDRs.
   */
  TRUST_PROXY: z
    .string()
    .default('false')
    .transform((v): boolean | number | string => {
      const value = v.trim();
      if (value === 'false' || value === '0' || value === '') return false;
      if (value === 'true') return true;
      if (/^\d+$/.test(value)) return Number(value);
      return value;
    }),
});

export type AppConfig = z.infer<typeof configSchema>;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n');
    throw new Error(`Invalid configuration:\n${lines}`);
  }
  return parsed.data;
}
