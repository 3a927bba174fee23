// Checks of a provider client's options and the pieces of a request URL, the same for every
// provider. `client` names the client in the error (`KlioClient option baseUrl is required`).

export function requireText(client: string, name: string, value: unknown): string {
  if (typeof value !== 'string' || value.trim().length === 0) throw new TypeError(`${client} option ${name} is required`);
  return value;
}

export function positiveMs(client: string, name: string, value: number | undefined, fallback: number): number {
  const v = value ?? fallback;
  if (!Number.isFinite(v) || v <= 0) throw new TypeError(`${client} option ${name} must be a positive number`);
  return v;
}

/** A required absolute base URL, without its trailing slashes. */
export function absoluteBaseUrl(client: string, value: unknown): string {
  const baseUrl = requireText(client, 'baseUrl', value);
  try {
    new URL(baseUrl);
  } catch {
    throw new TypeError(`${client} option baseUrl must be an absolute URL`);
  }
  return baseUrl.replace(/\/+$/, '');
}

export type QueryValue = string | number | boolean | string[] | undefined;

/**
 * `baseUrl` + `path` (with `{id}` replaced by the encoded id) + the query string. Undefined query
 * values are left out; an array gives the key once per value.
 */
export function operationUrl(baseUrl: string, path: string, id?: string, query?: Record<string, QueryValue>): string {
  let p = path;
  if (id !== undefined) p = p.split('{id}').join(encodeURIComponent(id));
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const v of value) params.append(key, v);
    else params.append(key, String(value));
  }
  const qs = params.toString();
  return `${baseUrl}${p.startsWith('/') ? '' : '/'}${p}${qs ? `?${qs}` : ''}`;
}

/** Takes every secret of four characters or more out of `text`. */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (secret.length >= 4) out = out.split(secret).join('[redacted]');
  return out;
}
