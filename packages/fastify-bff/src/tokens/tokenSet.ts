import type { DpopKey, TokenSet, TokenState } from '../session/store.js';
import type { TokenCipher } from '../crypto/tokenCipher.js';

/** The fields of a token endpoint response the BFF reads (RFC 6749 5.1 plus the IdPs' refresh-token expiry extensions). */
export interface TokenResponse {
  access_token: string;
  token_type?: string;
  expires_in?: number;
  refresh_token?: string;
  id_token?: string;
  scope?: string;
  /** Entra ID and the dev IdP. */
  refresh_token_expires_in?: number;
  /** Keycloak. */
  refresh_expires_in?: number;
}

/** When neither expires_in nor a JWT `exp` says how long an access token lives, assume this (seconds). */
export const ASSUMED_ACCESS_TOKEN_LIFETIME = 300;

/**
 * Builds the next token set from a token response (docs/architecture.md, rule 4): a new
 * refresh token replaces the old one; no refresh token in the response (a
 * non-rotating IdP, seed 003) keeps the old one and its known expiry.
 * With `resourceKey` the response's access token is that API's own
 * (`apis`): it goes beside the main one, which stays as it was.
 */
export function nextTokenState(
  cipher: TokenCipher,
  response: TokenResponse,
  now: number,
  previous?: { set: TokenSet; state: TokenState },
  options: { keepIdToken?: boolean; dpopKey?: DpopKey | undefined; resourceKey?: string | undefined } = {},
): { set: TokenSet; state: TokenState } {
  const lifetime = accessTokenLifetime(response, now);
  const rotated = typeof response.refresh_token === 'string' && response.refresh_token.length > 0;
  const refreshLifetime = numberOr(response.refresh_token_expires_in, response.refresh_expires_in);
  const forResource = options.resourceKey ? options.resourceKey : undefined;
  if (forResource !== undefined && !previous) throw new Error('an API token is only ever asked for in a session that has its main one');
  const resourceTokens = forResource
    ? { ...previous?.set.resourceTokens, [forResource]: response.access_token }
    : previous?.set.resourceTokens;
  const resources = forResource
    ? { ...previous?.state.resources, [forResource]: { expiresAt: now + lifetime * 1000, lifetime } }
    : previous?.state.resources;
  const set: TokenSet = {
    accessToken: forResource ? previous!.set.accessToken : response.access_token,
    refreshToken: rotated ? response.refresh_token : previous?.set.refreshToken,
    // kept only for logout's id_token_hint when that is wanted: otherwise a token stored for nothing
    idToken: options.keepIdToken ? (response.id_token ?? previous?.set.idToken) : undefined,
    // sealed in every idle session: nothing goes in that nobody reads (the granted scope is not used;
    // the token type only when it is not the Bearer every proxied request assumes)
    ...(response.token_type && response.token_type.toLowerCase() !== 'bearer' ? { tokenType: response.token_type } : {}),
    // the key the tokens are bound to stays with them: a session keeps its key for life
    ...(options.dpopKey || previous?.set.dpopKey ? { dpopKey: options.dpopKey ?? previous?.set.dpopKey } : {}),
    ...(resourceTokens ? { resourceTokens } : {}),
  };
  const state: TokenState = {
    sealed: cipher.seal(set),
    accessTokenExpiresAt: forResource ? previous!.state.accessTokenExpiresAt : now + lifetime * 1000,
    accessTokenLifetime: forResource ? previous!.state.accessTokenLifetime : lifetime,
    refreshTokenExpiresAt: rotated
      ? refreshLifetime !== undefined
        ? now + refreshLifetime * 1000
        : undefined
      : previous?.state.refreshTokenExpiresAt,
    hasRefreshToken: Boolean(set.refreshToken),
    ...(resources ? { resources } : {}),
  };
  return { set, state };
}

/** Seconds: expires_in, else the JWT's own `exp`, else the assumed lifetime. */
function accessTokenLifetime(response: TokenResponse, now: number): number {
  if (typeof response.expires_in === 'number' && response.expires_in > 0) return response.expires_in;
  const exp = jwtExpiry(response.access_token);
  if (exp !== undefined && exp * 1000 > now) return Math.floor((exp * 1000 - now) / 1000);
  return ASSUMED_ACCESS_TOKEN_LIFETIME;
}

/** Reads `exp` from a JWT without verifying it: only used to schedule a refresh, never to trust the token. */
function jwtExpiry(token: string): number | undefined {
  const payload = token.split('.')[1];
  if (!payload) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { exp?: unknown };
    return typeof claims.exp === 'number' ? claims.exp : undefined;
  } catch {
    return undefined;
  }
}

function numberOr(...values: unknown[]): number | undefined {
  for (const value of values) if (typeof value === 'number' && Number.isFinite(value) && value > 0) return value;
  return undefined;
}
