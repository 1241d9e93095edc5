import type { webcrypto } from 'node:crypto';
import type { ErrorCode, SessionUser } from '@bff/shared';

/** What the token manager needs to decide without decrypting anything. */
export interface TokenState {
  /** The TokenSet, sealed with the TokenCipher (AES-256-GCM). */
  sealed: string;
  /** Epoch ms. */
  accessTokenExpiresAt: number;
  /** Seconds the access token lived when issued (caps the refresh skew). */
  accessTokenLifetime: number;
  /** Epoch ms, when the IdP said (refresh_token_expires_in / refresh_expires_in). */
  refreshTokenExpiresAt?: number | undefined;
  hasRefreshToken: boolean;
  /**
   * The access tokens of the APIs that have their own (`apis` with a
   * resource or scopes), by token key: when each expires. Absent until the
   * first request to such an API asks for its token.
   */
  resources?: Record<string, { expiresAt: number; lifetime: number }> | undefined;
}

/** The plaintext of `TokenState.sealed`. Never leaves the server. */
export interface TokenSet {
  accessToken: string;
  refreshToken?: string | undefined;
  idToken?: string | undefined;
  /** Only when the IdP said other than Bearer. */
  tokenType?: string | undefined;
  /** The access tokens of the APIs that have their own, by token key (TokenState.resources says when each expires). */
  resourceTokens?: Record<string, string> | undefined;
  /** With DPoP: the session's private key, which the access token (and for public clients the refresh token) is bound to. */
  dpopKey?: DpopKey | undefined;
}

/** A session's DPoP key (RFC 9449): a private JWK, kept only sealed in its TokenSet. */
export type DpopKey = webcrypto.JsonWebKey & { alg: 'ES256' | 'EdDSA'; x: string };

export interface ActiveSession {
  state: 'active';
  id: string;
  /** Bumped by every token update: the compare-and-set guard against lost updates. */
  version: number;
  user: SessionUser;
  /** The IdP's session id (`sid` claim), for back-channel logout. */
  sid?: string | undefined;
  createdAt: number;
  lastSeenAt: number;
  absoluteExpiresAt: number;
  tokens: TokenState;
}

/** What is left of a session that ended for a reason the SPA should hear (a tombstone). */
export interface EndedSession {
  state: 'ended';
  id: string;
  reason: ErrorCode;
  endedAt: number;
}

export type StoredSession = ActiveSession | EndedSession;

/**
 * Where session records live: one per session id, with the user, the
 * deadlines and the sealed token state. Both built-in stores (memory, redis)
 * keep the same semantics; `@bff/fastify-bff/testing/contract` runs yours
 * through the same suite. Every method may reject with a StoreUnavailableError
 * when the store cannot be reached (answered 503 SESSION_STORE_UNAVAILABLE).
 *
 * Locking and refresh coordination are not a store's job: that is the
 * separate RefreshCoordinator seam (tokens/refreshCoordinator.ts).
 */
export interface SessionStore {
  readonly kind: string;
  get(id: string): Promise<StoredSession | undefined>;
  /**
   * The read at the start of a request, which a store may serve from a
   * replica-local cache that it keeps coherent (redis: the server
   * invalidates it on every write, from any replica). Never used where a
   * decision must see the latest write: the refresh path reads with `get`.
   * Absent: `get` serves.
   */
  getForRequest?(id: string): Promise<StoredSession | undefined>;
  create(session: ActiveSession, ttlMs: number): Promise<void>;
  /**
   * Replaces the token state if and only if the stored version still equals
   * `expectedVersion`; the stored version becomes expectedVersion + 1.
   * Returns false (and writes nothing) when the version moved on.
   */
  updateTokens(id: string, expectedVersion: number, tokens: TokenState, ttlMs: number): Promise<boolean>;
  /** Moves the idle deadline. Touches nothing else (never the tokens). */
  touch(id: string, lastSeenAt: number, ttlMs: number): Promise<void>;
  /** Replaces the session by a tombstone carrying the reason. */
  end(id: string, reason: ErrorCode, at: number, tombstoneTtlMs: number): Promise<void>;
  destroy(id: string): Promise<void>;
  /** Ids of the active sessions of a user (`sub`) or of an IdP session (`sid`), for back-channel logout. */
  findIds(by: { sub?: string | undefined; sid?: string | undefined }): Promise<string[]>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** The store could not be reached: answered as 503 SESSION_STORE_UNAVAILABLE, nothing is lost. */
export class StoreUnavailableError extends Error {
  override readonly name = 'StoreUnavailableError';
}
