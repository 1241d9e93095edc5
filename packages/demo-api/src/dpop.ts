import { createHash, randomBytes } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { calculateJwkThumbprint, EmbeddedJWK, errors as jose, jwtVerify } from 'jose';

/** Proof algorithms accepted: those the BFF signs with (ES256, EdDSA), both asymmetric. */
const PROOF_ALGORITHMS = ['ES256', 'EdDSA', 'Ed25519'];
/** How old a proof's `iat` may be, and how far ahead of our clock (seconds): RFC 9449, 11.1 leaves the window to the server. */
const IAT_PAST_SECONDS = 60;
const IAT_FUTURE_SECONDS = 5;
/** A nonce is good for this long after it stops being the current one. */
const NONCE_LIFETIME_MS = 5 * 60_000;

/** Why a proof was refused: one of our fixed sentences (they go into a quoted header value), and whether a nonce would fix it. */
export class ProofRefused extends Error {
  constructor(
    readonly description: string,
    readonly error: 'invalid_dpop_proof' | 'use_dpop_nonce' | 'invalid_token' = 'invalid_dpop_proof',
  ) {
    super(description);
    this.name = 'ProofRefused';
  }
}

export interface DpopVerifierOptions {
  /** Require a nonce this API issued in every proof (RFC 9449, 9). Default false. */
  requireNonce?: boolean;
  /** Most `jti`s remembered (the replay cache). Default 100 000. */
  maxJtis?: number;
}

/**
 * Checks DPoP proofs for DPoP-bound access tokens (RFC 9449, 7.1 and 4.3),
 * with jose: the proof is a `dpop+jwt` signed by the key in its own header;
 * that key's thumbprint is the token's `cnf.jkt` (the binding); `htm` and
 * `htu` are this request's; `ath` is the hash of this token; `iat` is inside
 * the window; its `jti` was never seen before (the replay cache); and, when
 * asked, its `nonce` is one this API issued.
 */
export class DpopVerifier {
  readonly #jtis = new Map<string, number>();
  readonly #maxJtis: number;
  readonly #requireNonce: boolean;
  #nonce = { value: newNonce(), since: Date.now() };
  #previousNonce: { value: string; until: number } | undefined;

  constructor(options: DpopVerifierOptions = {}) {
    this.#requireNonce = options.requireNonce ?? false;
    this.#maxJtis = options.maxJtis ?? 100_000;
  }

  /** The nonce to hand out now (rotated every NONCE_LIFETIME_MS). */
  currentNonce(now = Date.now()): string {
    if (now - this.#nonce.since >= NONCE_LIFETIME_MS) {
      this.#previousNonce = { value: this.#nonce.value, until: now + NONCE_LIFETIME_MS };
      this.#nonce = { value: newNonce(), since: now };
    }
    return this.#nonce.value;
  }

  get requiresNonce(): boolean {
    return this.#requireNonce;
  }

  /** Resolves when `proof` proves possession of the key `jkt` names for this request and `accessToken`; throws ProofRefused. */
  async verify(request: FastifyRequest, proof: string | string[] | undefined, accessToken: string, jkt: unknown): Promise<void> {
    if (typeof jkt !== 'string') throw new ProofRefused('the access token is not DPoP-bound', 'invalid_token');
    if (typeof proof !== 'string' || proof === '') throw new ProofRefused('a DPoP proof is required with a DPoP-bound token');
    let verified;
    try {
      verified = await jwtVerify(proof, EmbeddedJWK, { typ: 'dpop+jwt', algorithms: PROOF_ALGORITHMS });
    } catch (error) {
      if (error instanceof jose.JOSEError) throw new ProofRefused('the DPoP proof is malformed or its signature is invalid');
      throw error;
    }
    const { payload, protectedHeader } = verified;
    if ((await calculateJwkThumbprint(protectedHeader.jwk!, 'sha256')) !== jkt) {
      throw new ProofRefused('the DPoP proof is signed by another key than the token is bound to');
    }
    if (payload['htm'] !== request.method) throw new ProofRefused('the DPoP proof is for another method');
    if (payload['htu'] !== requestUri(request)) throw new ProofRefused('the DPoP proof is for another URL');
    if (payload['ath'] !== createHash('sha256').update(accessToken).digest('base64url')) {
      throw new ProofRefused('the DPoP proof is for another access token');
    }
    const now = Date.now();
    const iat = payload.iat;
    if (typeof iat !== 'number' || iat * 1000 < now - IAT_PAST_SECONDS * 1000 || iat * 1000 > now + IAT_FUTURE_SECONDS * 1000) {
      throw new ProofRefused('the DPoP proof is too old or from the future');
    }
    if (this.#requireNonce && !this.#knownNonce(payload['nonce'], now)) {
      throw new ProofRefused('a fresh DPoP nonce is required', 'use_dpop_nonce');
    }
    // last: a proof refused for another reason has not been used up
    const jti = payload.jti;
    if (typeof jti !== 'string' || jti === '') throw new ProofRefused('the DPoP proof has no jti');
    this.#forgetOld(now);
    if (this.#jtis.has(jti)) throw new ProofRefused('the DPoP proof was already used');
    this.#jtis.set(jti, now + (IAT_PAST_SECONDS + IAT_FUTURE_SECONDS) * 1000);
  }

  #knownNonce(nonce: unknown, now: number): boolean {
    if (typeof nonce !== 'string') return false;
    if (nonce === this.currentNonce(now)) return true;
    return this.#previousNonce !== undefined && nonce === this.#previousNonce.value && now < this.#previousNonce.until;
  }

  /** A jti only needs remembering while a proof carrying it could still pass the iat window; the oldest go first when full. */
  #forgetOld(now: number): void {
    for (const [jti, until] of this.#jtis) {
      if (until > now && this.#jtis.size < this.#maxJtis) break;
      this.#jtis.delete(jti);
    }
  }
}

function newNonce(): string {
  return randomBytes(16).toString('base64url');
}

/** The URL the client addressed, without query or fragment (RFC 9449, 4.3, check 9): scheme and host as this server is reached. */
function requestUri(request: FastifyRequest): string {
  const path = request.url.split('?')[0] ?? '/';
  return `${request.protocol}://${request.host}${path}`;
}
