import { apiKeyHint, generateApiKey, hashApiKey, secretsEqual } from './api-key.codec';

describe('API key codec', () => {
  it('issues ecr_ keys with 32 random bytes, never the same twice', () => {
    const a = generateApiKey();
    const b = generateApiKey();
    expect(a).toMatch(/^ecr_[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(a.slice(4), 'base64url')).toHaveLength(32);
    expect(a).not.toBe(b);
  });

  it('stores a key as its SHA-256 in hex and hints its last four characters', () => {
    expect(hashApiKey('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(hashApiKey('ecr_abc')).not.toBe(hashApiKey('ecr_abd'));
    expect(apiKeyHint('ecr_0123456789wxyz')).toBe('wxyz');
  });

  it('compares secrets of any length', () => {
    expect(secretsEqual('admin-key-0123456789', 'admin-key-0123456789')).toBe(true);
    expect(secretsEqual('admin-key-0123456789', 'admin-key-012345678')).toBe(false);
    expect(secretsEqual('', 'x')).toBe(false);
  });
});
