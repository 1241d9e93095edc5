import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { TokenCipher } from '../tokenCipher.js';

describe('TokenCipher', () => {
  it('round-trips and never contains the plaintext', () => {
    const cipher = new TokenCipher([randomBytes(32)]);
    const sealed = cipher.seal({ accessToken: 'eyJhbGciOi.secret-access', refreshToken: 'refresh-secret' });
    expect(sealed).not.toContain('secret');
    expect(cipher.open(sealed)).toEqual({ accessToken: 'eyJhbGciOi.secret-access', refreshToken: 'refresh-secret' });
  });

  it('encrypts with the first key and still decrypts what an older key sealed', () => {
    const oldKey = randomBytes(32);
    const newKey = randomBytes(32);
    const before = new TokenCipher([oldKey]).encrypt('token');
    const rotated = new TokenCipher([newKey, oldKey]);
    expect(rotated.decrypt(before)).toBe('token');
    expect(new TokenCipher([newKey]).decrypt(rotated.encrypt('token'))).toBe('token');
    expect(() => new TokenCipher([newKey]).decrypt(before)).toThrow(/no longer configured/);
  });

  it('refuses a ciphertext that was altered', () => {
    const cipher = new TokenCipher([randomBytes(32)]);
    const sealed = cipher.encrypt('token');
    const flipped = sealed.slice(0, -2) + (sealed.at(-2) === 'A' ? 'B' : 'A') + sealed.at(-1);
    expect(() => cipher.decrypt(flipped)).toThrow();
    expect(() => cipher.decrypt('v1.x')).toThrow(/format/);
  });

  it('insists on 32-byte keys', () => {
    expect(() => new TokenCipher([randomBytes(16)])).toThrow(/32 bytes/);
  });
});
