// Looks through log output for what must never be in it: the secrets a test knows (API keys, the
// admin key, the provider client secret, webhook signing secrets), anything shaped like a bearer
// token or an Authorization header value, and card numbers (13–19 digit runs, optionally grouped by
// spaces or hyphens, that pass the Luhn check).

export interface Finding {
  kind: 'secret' | 'bearer' | 'authorization' | 'pan';
  /** The line, with the finding masked (so a failing test does not print the secret either). */
  line: string;
  what: string;
}

/** Fields that are numbers by construction and may pass Luhn by chance: pino's epoch-ms `time`. */
const NUMERIC_FIELDS = new Set(['time']);

export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return false;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

/** Card-number-like runs in `text` that pass Luhn. */
export function panCandidates(text: string): string[] {
  const out: string[] = [];
  for (const match of text.matchAll(/(?<![\d])\d(?:[ -]?\d){12,18}(?![\d])/g)) {
    const digits = match[0].replace(/[ -]/g, '');
    if (digits.length >= 13 && digits.length <= 19 && luhnValid(digits)) out.push(match[0]);
  }
  return out;
}

function mask(line: string, value: string): string {
  return line.split(value).join(`<${value.length} chars>`);
}

/** A JSON log line without the fields that are numbers by construction; other lines as they are. */
function scannable(line: string): string {
  try {
    const json = JSON.parse(line) as unknown;
    if (json && typeof json === 'object' && !Array.isArray(json)) {
      const copy = { ...(json as Record<string, unknown>) };
      for (const field of NUMERIC_FIELDS) delete copy[field];
      return JSON.stringify(copy);
    }
  } catch {
    // not JSON: scanned as text
  }
  return line;
}

export function findSecrets(lines: readonly string[], secrets: readonly string[]): Finding[] {
  const findings: Finding[] = [];
  const known = secrets.filter((s) => s.length >= 8);
  for (const raw of lines) {
    const line = scannable(raw);
    for (const secret of known) {
      if (line.includes(secret)) findings.push({ kind: 'secret', line: mask(raw, secret), what: `a known secret (${secret.length} chars)` });
    }
    for (const match of line.matchAll(/bearer\s*[:=]?\s*["']?([A-Za-z0-9._~+/=-]{8,})/gi)) {
      findings.push({ kind: 'bearer', line: mask(raw, match[1]), what: 'a bearer token' });
    }
    const credential = /"?(authorization|access_?token|refresh_?token|client_?secret|api_?key)"?\s*[:=]\s*"?(?:(?:bearer|basic|token)\s+)?([^",}\s\\]+)/gi;
    for (const match of line.matchAll(credential)) {
      const value = match[2];
      if (value === '[redacted]' || value === 'null' || value.length < 8) continue;
      findings.push({ kind: 'authorization', line: mask(raw, value), what: `a credential field (${match[1]})` });
    }
    for (const pan of panCandidates(line)) findings.push({ kind: 'pan', line: mask(raw, pan), what: 'a card number' });
  }
  return findings;
}
