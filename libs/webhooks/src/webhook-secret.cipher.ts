// Subscription secrets have to be readable again to sign deliveries, so unlike API keys they
// cannot be stored as a hash. With WEBHOOK_SECRET_KEY set they are stored encrypted: AES-256-GCM
// under a key derived from it (HKDF-SHA256), with the subscription id as associated data so a
// ciphertext copied onto another row does not open. Without the key they are stored as they are.
// The stored form says which it is, so setting the key later still reads the rows written before.
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/** The environment variable that holds the key that encrypts subscription secrets at rest. */
export const WEBHOOK_SECRET_KEY_ENV = 'WEBHOOK_SECRET_KEY';
export const MIN_SECRET_KEY_LENGTH = 32;

const PLAIN = 'plain:';
const SEALED = 'aesgcm:';

/** A new subscription secret: `whsec_` + 32 random bytes (base64url). */
export function generateWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64url')}`;
}

export class WebhookSecretUnreadable extends Error {
  constructor(subscriptionId: string, why: string) {
    super(`the secret of webhook ${subscriptionId} cannot be read: ${why}`);
    this.name = 'WebhookSecretUnreadable';
  }
}

export class WebhookSecretCipher {
  private readonly key: Buffer | null;

  constructor(masterKey: string | undefined) {
    if (masterKey !== undefined && masterKey.length < MIN_SECRET_KEY_LENGTH) {
      throw new Error(`${WEBHOOK_SECRET_KEY_ENV} must be at least ${MIN_SECRET_KEY_LENGTH} characters`);
    }
    this.key = masterKey ? Buffer.from(hkdfSync('sha256', masterKey, 'ecr-bridge', 'webhook subscription secrets', 32)) : null;
  }

  /** Reads the key from the environment (unset or empty: secrets are stored as they are). */
  static fromEnv(env: NodeJS.ProcessEnv = process.env): WebhookSecretCipher {
    const value = env[WEBHOOK_SECRET_KEY_ENV];
    return new WebhookSecretCipher(value ? value : undefined);
  }

  get encrypts(): boolean {
    return this.key !== null;
  }

  /** The form to store for `secret` on subscription `subscriptionId`. */
  seal(subscriptionId: string, secret: string): string {
    if (!this.key) return PLAIN + secret;
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(subscriptionId, 'utf8'));
    const body = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
    return `${SEALED}${iv.toString('base64url')}.${cipher.getAuthTag().toString('base64url')}.${body.toString('base64url')}`;
  }

  /** The secret from its stored form; throws WebhookSecretUnreadable without the right key. */
  open(subscriptionId: string, stored: string): string {
    if (stored.startsWith(PLAIN)) return stored.slice(PLAIN.length);
    if (!stored.startsWith(SEALED)) throw new WebhookSecretUnreadable(subscriptionId, 'unknown stored form');
    if (!this.key) throw new WebhookSecretUnreadable(subscriptionId, `it is encrypted and ${WEBHOOK_SECRET_KEY_ENV} is not set`);
    const [iv, tag, body] = stored.slice(SEALED.length).split('.').map((part) => Buffer.from(part, 'base64url'));
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, iv);
      decipher.setAAD(Buffer.from(subscriptionId, 'utf8'));
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
    } catch {
      throw new WebhookSecretUnreadable(subscriptionId, `${WEBHOOK_SECRET_KEY_ENV} is not the key it was encrypted with`);
    }
  }
}
