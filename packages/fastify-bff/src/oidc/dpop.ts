import { webcrypto } from 'node:crypto';
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
