// What of a command entry may be copied elsewhere (the dead-letter stream). A command carries the
// merchant's API key; the copy must not. The key in `data.apiKey` is replaced by its hint (its last
// four characters, as operators see keys), and whatever still looks like a key or equals one of the
// known secrets is blanked in every field, wherever a publisher put it, parseable or not.
import { API_KEY_PREFIX, apiKeyHint } from '../auth/api-key.codec';

export const REDACTED = '[redacted]';

/** `ecr_` and enough of a key's characters to matter: a fragment of a key is kept out as well. */
const KEY_LIKE = new RegExp(`${API_KEY_PREFIX}[A-Za-z0-9_-]{8,}`, 'g');

/** Values shorter than this are no credential of ours (keys are 47 characters, the admin key 16 or more). */
const MIN_SECRET_LENGTH = 16;

function blank(text: string, secrets: readonly string[]): string {
  let out = text.replace(KEY_LIKE, REDACTED);
  for (const secret of secrets) {
    // A secret inside the JSON of `event` may be escaped there.
    for (const form of new Set([secret, JSON.stringify(secret).slice(1, -1)])) out = out.split(form).join(REDACTED);
  }
  return out;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The `event` field with `data.apiKey` swapped for `data.apiKeyHint`, and the key it held, if any. */
function withoutApiKey(event: string): { event: string; apiKey: string | null } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(event);
  } catch {
    return { event, apiKey: null };
  }
  if (!isObject(parsed) || !isObject(parsed.data) || !('apiKey' in parsed.data)) return { event, apiKey: null };
  const { apiKey, ...data } = parsed.data;
  const key = typeof apiKey === 'string' ? apiKey : null;
  return { event: JSON.stringify({ ...parsed, data: { ...data, ...(key ? { apiKeyHint: apiKeyHint(key) } : {}) } }), apiKey: key };
}

/** The redactor for RedisStreamsServer's `redactFields`; `secrets` are other values never to copy (the admin key). */
export function commandFieldsRedactor(secrets: readonly (string | undefined)[] = []): (fields: Readonly<Record<string, string>>) => Record<string, string> {
  return (fields) => {
    const { event, apiKey } = fields.event === undefined ? { event: undefined, apiKey: null } : withoutApiKey(fields.event);
    const known = [apiKey, ...secrets].filter((s): s is string => typeof s === 'string' && s.length >= MIN_SECRET_LENGTH);
    const out: Record<string, string> = {};
    for (const [name, value] of Object.entries(fields)) out[name] = blank(name === 'event' && event !== undefined ? event : value, known);
    return out;
  };
}
