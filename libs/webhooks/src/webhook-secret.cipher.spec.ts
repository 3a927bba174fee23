import { generateWebhookSecret, WebhookSecretCipher, WebhookSecretUnreadable } from './webhook-secret.cipher';

const key = 'k'.repeat(32);

describe('WebhookSecretCipher', () => {
  it('issues whsec_ secrets of 32 random bytes', () => {
    const a = generateWebhookSecret();
    expect(a).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(a).not.toBe(generateWebhookSecret());
  });

  it('stores nothing readable with a key, and opens it again', () => {
    const cipher = new WebhookSecretCipher(key);
    const secret = generateWebhookSecret();
    const stored = cipher.seal('whk_1', secret);
    expect(stored).not.toContain(secret.slice(6));
    expect(stored).not.toBe(cipher.seal('whk_1', secret));
    expect(cipher.open('whk_1', stored)).toBe(secret);
  });

  it('does not open a sealed secret on another subscription, under another key or without a key', () => {
    const stored = new WebhookSecretCipher(key).seal('whk_1', 'whsec_x');
    expect(() => new WebhookSecretCipher(key).open('whk_2', stored)).toThrow(WebhookSecretUnreadable);
    expect(() => new WebhookSecretCipher('z'.repeat(32)).open('whk_1', stored)).toThrow(WebhookSecretUnreadable);
    expect(() => new WebhookSecretCipher(undefined).open('whk_1', stored)).toThrow(/WEBHOOK_SECRET_KEY is not set/);
  });

  it('stores secrets as they are without a key, and still reads them once a key is set', () => {
    const stored = new WebhookSecretCipher(undefined).seal('whk_1', 'whsec_x');
    expect(stored).toBe('plain:whsec_x');
    expect(new WebhookSecretCipher(key).open('whk_1', stored)).toBe('whsec_x');
  });

  it('refuses a key shorter than 32 characters', () => {
    expect(() => new WebhookSecretCipher('short')).toThrow(/at least 32/);
    expect(WebhookSecretCipher.fromEnv({ WEBHOOK_SECRET_KEY: '' }).encrypts).toBe(false);
    expect(WebhookSecretCipher.fromEnv({ WEBHOOK_SECRET_KEY: key }).encrypts).toBe(true);
  });
});
