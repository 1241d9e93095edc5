import { createECDH, createPrivateKey, hkdfSync, webcrypto } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import * as client from 'openid-client';
import type { DpopKey } from '../session/store.js';

/** The DPoP proof algorithms the BFF signs with (RFC 9449): ES256 by default, EdDSA (Ed25519) where the IdP takes it. */
export type DpopAlgorithm = DpopKey['alg'];

/**
 * openid-client's DPoP handle (oauth4webapi's DPoPHandler) with the two
 * methods its own resource requests call (oauth4webapi `resourceRequest`):
 * the proxy forwards through its own connection pool, not through
 * `fetchProtectedResource`, so it asks the same handle for the proof and
 * hands it the nonce a resource server sent. No JWS is written here.
 */
export interface ProofHandle extends client.DPoPHandle {
  addProof(url: URL, headers: Headers, htm: string, accessToken?: string): Promise<void>;
  cacheNonce(response: { headers: { get(name: string): string | null } }, url: URL): void;
}

/** The order of the P-256 group. */
const P256_ORDER = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
/** PKCS #8 DER of an Ed25519 private key, up to its 32-byte seed (RFC 8410, 7). */
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

const PARAMETERS: Record<DpopAlgorithm, webcrypto.EcKeyImportParams | webcrypto.Algorithm> = {
  ES256: { name: 'ECDSA', namedCurve: 'P-256' },
  EdDSA: { name: 'Ed25519' },
};

/**
 * Per-session DPoP keys: made at sign-in, opened into a handle once per
 * replica and kept (a key import and the handle's nonce memory are not
 * redone per request), at most 10 000 handles.
 */
export class DpopKeys {
  /** Keyed by the public key's `x`: one per session, found again without the session id (the callback has none yet). */
  readonly #handles = new LRUCache<string, Promise<ProofHandle>>({ maxSize: 10_000, sizeCalculation: () => 1 });

  constructor(readonly algorithm: DpopAlgorithm) {}

  /**
   * A new key pair for a new session. The private key never leaves the
   * server: it is sealed in the session's TokenSet, and only its public part
   * travels, inside each proof's header.
   */
  async generate(): Promise<DpopKey> {
    const pair = await client.randomDPoPKeyPair(this.algorithm, { extractable: true });
    const jwk = await webcrypto.subtle.exportKey('jwk', pair.privateKey);
    // only the members a JWK of this key needs: key_ops / ext are WebCrypto's, not the key's
    const { kty, crv, x, y, d } = jwk;
    return { kty, crv, x, ...(y ? { y } : {}), d, alg: this.algorithm } as DpopKey;
  }

  /**
   * The key of the sign-in that `state` names, derived (HKDF-SHA256) from a
   * server secret and the state: the same at /auth/login, where the pushed
   * authorization request or `dpop_jkt` binds the code to it, and at the
   * callback, where it becomes the session's key, on whichever replica.
   * So the private key never has to travel in the login cookie, and nothing
   * is stored between the two (docs/architecture.md, "DPoP").
   */
  derive(secret: Uint8Array, state: string): DpopKey {
    const seed = Buffer.from(hkdfSync('sha256', secret, Buffer.from(state, 'utf8'), 'refresh-bff dpop key v1', 48));
    if (this.algorithm === 'EdDSA') {
      // an Ed25519 private key is any 32 bytes (RFC 8032, 5.1.5)
      const der = Buffer.concat([ED25519_PKCS8_PREFIX, seed.subarray(0, 32)]);
      const { kty, crv, x, d } = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }).export({ format: 'jwk' });
      return { kty, crv, x: x!, d, alg: 'EdDSA' };
    }
    // a P-256 scalar in [1, n-1] from 384 bits (FIPS 186-5 A.2.1: the extra 128 bits make the bias negligible)
    const d = (BigInt(`0x${seed.toString('hex')}`) % (P256_ORDER - 1n)) + 1n;
    const ecdh = createECDH('prime256v1');
    ecdh.setPrivateKey(Buffer.from(d.toString(16).padStart(64, '0'), 'hex'));
    const point = ecdh.getPublicKey(); // 0x04 || x || y
    return {
      kty: 'EC',
      crv: 'P-256',
      x: point.subarray(1, 33).toString('base64url'),
      y: point.subarray(33, 65).toString('base64url'),
      d: ecdh.getPrivateKey().toString('base64url'),
      alg: 'ES256',
    };
  }

  /** The key's handle for `config`, opened once per replica. */
  handle(config: client.Configuration, key: DpopKey): Promise<ProofHandle> {
    const cached = this.#handles.get(key.x);
    if (cached) return cached;
    const handle = openHandle(config, key);
    this.#handles.set(key.x, handle);
    handle.catch(() => this.#handles.delete(key.x));
    return handle;
  }

  /** A fresh proof (`htm`, `htu`, `iat`, `jti`, `ath`, and the origin's last nonce) for one request. */
  async proof(handle: ProofHandle, url: URL, method: string, accessToken: string): Promise<string> {
    const headers = new Headers();
    await handle.addProof(url, headers, method, accessToken);
    return headers.get('dpop')!;
  }

  /** Remembers a `DPoP-Nonce` a resource server sent, for the next proofs to its origin. */
  rememberNonce(handle: ProofHandle, url: URL, nonce: string): void {
    handle.cacheNonce({ headers: { get: (name) => (name.toLowerCase() === 'dpop-nonce' ? nonce : null) } }, url);
  }
}

async function openHandle(config: client.Configuration, key: DpopKey): Promise<ProofHandle> {
  const { d: _private, ...publicJwk } = key;
  const parameters = PARAMETERS[key.alg];
  const [privateKey, publicKey] = await Promise.all([
    webcrypto.subtle.importKey('jwk', key, parameters, false, ['sign']),
    // the handle exports the public key into every proof's header: it must be extractable
    webcrypto.subtle.importKey('jwk', publicJwk, parameters, true, ['verify']),
  ]);
  return client.getDPoPHandle(config, { privateKey, publicKey }) as ProofHandle;
}

/** Whether a resource server's 401 asks for a (new) nonce: `WWW-Authenticate: DPoP error="use_dpop_nonce"` (RFC 9449, 9). */
export function asksForNonce(wwwAuthenticate: string | string[] | undefined): boolean {
  const value = Array.isArray(wwwAuthenticate) ? wwwAuthenticate.join(', ') : wwwAuthenticate;
  // the error name is DPoP's own, whichever challenge (of several) carries it
  return value !== undefined && /\berror\s*=\s*"?use_dpop_nonce\b/i.test(value);
}
