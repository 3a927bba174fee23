// Strings Postgres cannot store: text and jsonb refuse a NUL character, and jsonb an unpaired
// UTF-16 surrogate. Requests (HTTP and bus commands) are checked for them before any schema or
// query sees them, so such a value is a 400 naming the field instead of a failed query (a 500).
import type { FieldError } from '@app/contracts';

/** NUL, or a surrogate without its other half. */
// eslint-disable-next-line no-control-regex -- finding NUL is the point
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const MAX_DEPTH_WALKED = 64;

/** Fields (by path) whose string value or key Postgres could not store. */
export function unstorableFields(value: unknown, path: readonly string[], out: FieldError[], depth = 0): void {
  if (typeof value === 'string') {
    if (UNSTORABLE.test(value)) out.push({ field: path.join('.'), message: 'must not contain NUL characters or unpaired surrogates' });
    return;
  }
  if (value === null || typeof value !== 'object' || depth >= MAX_DEPTH_WALKED) return;
  for (const [key, item] of Object.entries(value)) {
    if (UNSTORABLE.test(key)) {
      out.push({ field: [...path, key.replace(new RegExp(UNSTORABLE.source, 'g'), '\ufffd')].join('.'), message: 'must not contain NUL characters or unpaired surrogates' });
      continue;
    }
    unstorableFields(item, [...path, key], out, depth + 1);
  }
}
