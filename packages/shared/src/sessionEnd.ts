import type { ReauthCode } from './errors.js';
import type { AuthenticatedSessionInfo } from './session.js';

/**
 * The deadlines a session can end by; `GET /auth/session` names the one its
 * `sessionExpiresAt` is, the earliest the BFF knows of. On a tie the BFF
 * names the one listed first here, the one a refresh is least able to move
 * (absolute, the access token's, the refresh token's, idle): that is the
 * one that really ends the session.
 *
 * - `absolute`: SESSION_ABSOLUTE_TIMEOUT after sign-in. Nothing moves it.
 * - `access_token`: no refresh token can take over when the access token
 *   expires (the IdP issued none, or it expires first). Nothing moves it.
 * - `refresh_token`: the refresh token's expiry, as the IdP stated it
 *   (`refresh_token_expires_in`, `refresh_expires_in`). A refresh moves it
 *   when the IdP gives each new refresh token a new lifetime (the dev IdP;
 *   Keycloak up to its SSO Session Max), not when it keeps the old one
 *   (seed 003, fixed lifetimes).
 * - `idle`: SESSION_IDLE_TIMEOUT after the last request that moved it. Any
 *   API call moves it; so does "Stay signed in" (`POST /auth/refresh`).
 */
export const SESSION_ENDS_BY = Object.freeze(['absolute', 'access_token', 'refresh_token', 'idle'] as const);

export type SessionEndsBy = (typeof SESSION_ENDS_BY)[number];

export function isSessionEndsBy(value: unknown): value is SessionEndsBy {
  return typeof value === 'string' && (SESSION_ENDS_BY as readonly string[]).includes(value);
}

/**
 * Whether "Stay signed in" (`POST /auth/refresh`) may move the end: offered
 * only then. Against `refresh_token` it depends on the IdP (above): a client
 * offers it, and stops offering it for an end that a refresh did not move.
 */
export function canStaySignedIn(endsBy: SessionEndsBy): boolean {
  return endsBy === 'idle' || endsBy === 'refresh_token';
}

/**
 * The code a request meets once `endsBy` has passed, and so the wording the
 * person reads: the BFF's own lifetimes end with SESSION_EXPIRED, the
 * tokens' with EXPIRED_TOKEN.
 */
export function sessionEndReason(endsBy: SessionEndsBy): ReauthCode {
  return endsBy === 'idle' || endsBy === 'absolute' ? 'SESSION_EXPIRED' : 'EXPIRED_TOKEN';
}

/**
 * True when a signed-in answer of `GET /auth/session` is already past its
 * own end, by the server's clock (`serverTime`). /auth/session never
 * refreshes, so it still names the user until a request meets the ended
 * refresh token; the person must sign in again all the same.
 */
export function isPastSessionEnd(info: Pick<AuthenticatedSessionInfo, 'sessionExpiresAt' | 'serverTime'>): boolean {
  const end = Date.parse(info.sessionExpiresAt);
  const now = Date.parse(info.serverTime);
  return Number.isFinite(end) && Number.isFinite(now) && end <= now;
}
