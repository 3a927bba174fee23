// Signing and verifying webhook deliveries. A delivery carries `Webhook-Id` (the event id, the same
// on every retry), `Webhook-Timestamp` (Unix seconds of this attempt) and `Webhook-Signature`:
// `v1,` + base64 HMAC-SHA256 of `<id>.<timestamp>.<body>`, keyed with the UTF-8 bytes of the
// subscription's secret. The header may hold several signatures separated by spaces (a sender
// signing with the old and the new secret during a rotation); a delivery is genuine when any of
// them matches any of the receiver's secrets. The body must be the raw bytes received, not JSON
// parsed and serialized again.
import { createHmac, timingSafeEqual } from 'node:crypto';

export const WEBHOOK_ID_HEADER = 'Webhook-Id';
export const WEBHOOK_TIMESTAMP_HEADER = 'Webhook-Timestamp';
export const WEBHOOK_SIGNATURE_HEADER = 'Webhook-Signature';

/** How far a timestamp may be from the receiver's clock, either way, by default. */
export const DEFAULT_TOLERANCE_SECONDS = 300;

const VERSION = 'v1';
const TIMESTAMP = /^\d{1,12}$/;

export type WebhookBody = string | Uint8Array;

function digest(secret: string, id: string, timestamp: string, body: WebhookBody): Buffer {
  return createHmac('sha256', Buffer.from(secret, 'utf8')).update(`${id}.${timestamp}.`).update(body).digest();
}

/** The `Webhook-Signature` value for one secret: `v1,<base64>`. */
export function signWebhook(secret: string, id: string, timestamp: number | string, body: WebhookBody): string {
  return `${VERSION},${digest(secret, id, String(timestamp), body).toString('base64')}`;
}

/** Headers as Node's IncomingMessage, fetch's Headers or a plain object hold them (any case). */
export type WebhookHeaders = Headers | Readonly<Record<string, string | readonly string[] | undefined>>;

export interface VerifyWebhookInput {
  /** The subscription's secret; several during a rotation. */
  secret: string | readonly string[];
  headers: WebhookHeaders;
  /** The raw body as received. */
  body: WebhookBody;
  toleranceSeconds?: number;
  now?: Date;
}

export type VerifyWebhookFailure = 'missing_headers' | 'stale' | 'bad_signature';
export type VerifyWebhookResult = { ok: true } | { ok: false; reason: VerifyWebhookFailure };

function headerOf(headers: WebhookHeaders, name: string): string | undefined {
  if (typeof Headers !== 'undefined' && headers instanceof Headers) return headers.get(name) ?? undefined;
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers as Readonly<Record<string, string | readonly string[] | undefined>>)) {
    if (key.toLowerCase() !== wanted || value === undefined) continue;
    return typeof value === 'string' ? value : value.join(' ');
  }
  return undefined;
}

/**
 * Checks a delivery: the three headers are present and well formed (else `missing_headers`), the
 * timestamp is within `toleranceSeconds` of now, past or future (else `stale`), and a `v1`
 * signature matches (else `bad_signature`). Comparisons take constant time.
 */
export function verifyWebhook(input: VerifyWebhookInput): VerifyWebhookResult {
  const id = headerOf(input.headers, WEBHOOK_ID_HEADER)?.trim();
  const timestamp = headerOf(input.headers, WEBHOOK_TIMESTAMP_HEADER)?.trim();
  const signatures = headerOf(input.headers, WEBHOOK_SIGNATURE_HEADER)?.trim();
  if (!id || !timestamp || !signatures || !TIMESTAMP.test(timestamp)) return { ok: false, reason: 'missing_headers' };

  const tolerance = input.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  const nowSeconds = Math.floor((input.now ?? new Date()).getTime() / 1000);
  if (Math.abs(nowSeconds - Number(timestamp)) > tolerance) return { ok: false, reason: 'stale' };

  const secrets = typeof input.secret === 'string' ? [input.secret] : input.secret;
  const expected = secrets.filter((s) => s.length > 0).map((s) => digest(s, id, timestamp, input.body));
  for (const token of signatures.split(/\s+/)) {
    const comma = token.indexOf(',');
    if (comma < 0 || token.slice(0, comma) !== VERSION) continue;
    const candidate = Buffer.from(token.slice(comma + 1), 'base64');
    for (const mac of expected) {
      if (candidate.length === mac.length && timingSafeEqual(candidate, mac)) return { ok: true };
    }
  }
  return { ok: false, reason: 'bad_signature' };
}
