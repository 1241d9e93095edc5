import type { ErrorCode } from './errors.js';
import type { SessionEndsBy } from './sessionEnd.js';

/** Who is signed in, as far as the browser needs to know. Never a token. */
export interface SessionUser {
  sub: string;
  name?: string;
  email?: string;
  /**
   * Present when the subject is a DID (`did:plc:...`, `did:web:...`), as with
   * AT Protocol providers (seed 000): the same value as `sub`.
   */
  did?: string;
  /** With `did`: the person's handle (`alice.bsky.social`), from the `handle` claim; the DID itself when the IdP sent none. */
  handle?: string;
}

/** `POST /auth/refresh`'s `session` for an ordinary subject. */
export interface RefreshedSession {
  sub: string;
  name: string;
  /** The new session expiry (ISO 8601). */
  expiresAt: string;
}

/** `POST /auth/refresh`'s `session` when the subject is a DID: exactly seed 000's shape. */
export interface RefreshedDidSession {
  did: string;
  handle: string;
  /** The new session expiry (ISO 8601). */
  expiresAt: string;
}

/** `GET /auth/session` when a session exists. Times are ISO 8601 strings. */
export interface AuthenticatedSessionInfo {
  authenticated: true;
  user: SessionUser;
  accessTokenExpiresAt: string;
  /** When the person must sign in again: the earliest of idle, absolute and refresh-token expiry. */
  sessionExpiresAt: string;
  /** Which deadline `sessionExpiresAt` is (sessionEnd.ts says what each one means for the person). */
  sessionEndsBy: SessionEndsBy;
  refreshTokenExpiresAt?: string;
  /**
   * Where the browser navigates to sign out (`GET /auth/logout?sid=...`):
   * guarded by the session's `sid`, not a header, so that it works as a
   * top-level navigation and the BFF can answer with the IdP's end-session URL.
   */
  logoutUrl: string;
  /** The BFF's clock, so the SPA can correct its countdown for skew. */
  serverTime: string;
}

/** `GET /auth/session` without a usable session. */
export interface AnonymousSessionInfo {
  authenticated: false;
  /** Why the previous session ended, when the BFF knows. */
  reason?: ErrorCode;
  serverTime?: string;
}

export type SessionInfo = AuthenticatedSessionInfo | AnonymousSessionInfo;

/** `POST /auth/refresh` on success (seed 000's shape): `{ did, handle, expiresAt }` when the subject is a DID, else `{ sub, name, expiresAt }`. */
export interface RefreshResult {
  success: true;
  session: RefreshedSession | RefreshedDidSession;
  message: string;
}

/** `POST /auth/logout`. */
export interface LogoutResult {
  endSessionUrl: string | null;
}

/** `GET /healthz`, `GET /readyz`. */
export interface HealthResult {
  status: 'ok' | 'unavailable';
  checks?: Record<string, 'ok' | 'unavailable'>;
}
