// Merchant API keys: `ecr_` + 32 random bytes (base64url). Only their SHA-256 is stored: a 256-bit
// random secret needs no salt or slow hash, and the digest makes lookup a single indexed read.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export const API_KEY_PREFIX = 'ecr_';

export function generateApiKey(): string {
  return API_KEY_PREFIX + randomBytes(32).toString('base64url');
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** The last four characters, so an operator can tell keys apart without seeing them. */
export function apiKeyHint(key: string): string {
  return key.slice(-4);
}

/** Compares two secrets in constant time, whatever their lengths. */
export function secretsEqual(a: string, b: string): boolean {
  const da = createHash('sha256').update(a, 'utf8').digest();
  const db = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(da, db);
}
