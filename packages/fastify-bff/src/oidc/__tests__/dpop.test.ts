import { webcrypto } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { asksForNonce, DpopKeys } from '../dpop.js';

const secret = Buffer.alloc(32, 7);

describe('DpopKeys.derive', () => {
  for (const algorithm of ['ES256', 'EdDSA'] as const) {
    it(`${algorithm}: the same key for the same sign-in, another for another, a valid pair either way`, async () => {
      const keys = new DpopKeys(algorithm);
      const login = keys.derive(secret, 'state-of-one-sign-in');
      expect(keys.derive(secret, 'state-of-one-sign-in')).toEqual(login);
      expect(keys.derive(secret, 'state-of-another').x).not.toBe(login.x);
      expect(keys.derive(Buffer.alloc(32, 8), 'state-of-one-sign-in').x).not.toBe(login.x);
      expect(login.alg).toBe(algorithm);

      // the private half signs what the public half verifies
      const parameters = algorithm === 'ES256' ? { name: 'ECDSA', namedCurve: 'P-256' } : { name: 'Ed25519' };
      const signing = algorithm === 'ES256' ? { name: 'ECDSA', hash: 'SHA-256' } : { name: 'Ed25519' };
      const { d: _private, ...publicJwk } = login;
      const privateKey = await webcrypto.subtle.importKey('jwk', login, parameters, false, ['sign']);
      const publicKey = await webcrypto.subtle.importKey('jwk', publicJwk, parameters, false, ['verify']);
      const signature = await webcrypto.subtle.sign(signing, privateKey, Buffer.from('proof'));
      expect(await webcrypto.subtle.verify(signing, publicKey, signature, Buffer.from('proof'))).toBe(true);
    });
  }
});

describe('asksForNonce', () => {
  it("recognises a resource server's use_dpop_nonce challenge, alone or among others", () => {
    expect(asksForNonce('DPoP error="use_dpop_nonce", error_description="Resource server requires nonce in DPoP proof"')).toBe(true);
    expect(asksForNonce(['Bearer realm="api"', 'DPoP algs="ES256", error="use_dpop_nonce"'])).toBe(true);
    expect(asksForNonce('DPoP error="invalid_dpop_proof"')).toBe(false);
    expect(asksForNonce('Bearer error="invalid_token"')).toBe(false);
    expect(asksForNonce(undefined)).toBe(false);
  });
});
