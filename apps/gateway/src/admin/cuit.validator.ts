// CUIT (Argentine tax id): 11 digits, a known type prefix, and a mod-11 check digit. Accepted with
// or without hyphens; stored and answered hyphenated (`30-71234567-1`), as PayStore wants it.

const WEIGHTS = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2] as const;
/** People 20/23/24/27 (25/26 older), companies 30/33/34, foreign entities 50/51/55. */
const PREFIXES = new Set(['20', '23', '24', '25', '26', '27', '30', '33', '34', '50', '51', '55']);

/** The check digit for the first ten digits, or null when none exists (mod-11 gives 10). */
export function cuitCheckDigit(first10: string): number | null {
  const sum = WEIGHTS.reduce((acc, w, i) => acc + w * Number(first10[i]), 0);
  const digit = 11 - (sum % 11);
  if (digit === 11) return 0;
  if (digit === 10) return null;
  return digit;
}

/** The 11 digits of a well-formed CUIT (`20123456786` or `20-12345678-6`), else null. */
export function cuitDigits(input: string): string | null {
  const match = /^(\d{2})-?(\d{8})-?(\d)$/.exec(input.trim());
  if (!match) return null;
  const digits = match[1] + match[2] + match[3];
  return digits;
}

export function isValidCuit(input: string): boolean {
  const digits = cuitDigits(input);
  if (!digits || !PREFIXES.has(digits.slice(0, 2))) return false;
  return cuitCheckDigit(digits.slice(0, 10)) === Number(digits[10]);
}

export function formatCuit(input: string): string {
  const digits = cuitDigits(input);
  if (!digits) throw new Error('not a CUIT');
  return `${digits.slice(0, 2)}-${digits.slice(2, 10)}-${digits[10]}`;
}
