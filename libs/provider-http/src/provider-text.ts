// Provider text can end up in logs and error messages: one line, bounded, secrets taken out.

export type Redact = (text: string) => string;

/** `text` redacted, on one line, cut to `maxLength` characters (with `…` when cut). */
export function clipProviderText(text: string, redact: Redact, maxLength: number): string {
  const flat = redact(text).replace(/\s+/g, ' ').trim();
  return flat.length > maxLength ? `${flat.slice(0, maxLength)}…` : flat;
}

/** A non-empty string, or a finite number as text; anything else is no text. */
export function textOf(value: unknown): string | undefined {
  if (typeof value === 'string' && value.length > 0) return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}
