import { BffError, DEFAULT_MESSAGES } from '../errors.js';
import type { DpopKey } from '../session/store.js';
import type { TokenResponse } from './tokenSet.js';

/** What the token manager knows when it asks for a grant, for classifying a refusal (rule 6). */
export interface GrantContext {
  now: number;
  /** The refresh token's known expiry (epoch ms), if the IdP told us. */
  refreshTokenExpiresAt?: number | undefined;
  /** With DPoP: the session's key, which signs the grant's proof. */
  dpopKey?: DpopKey | undefined;
  /** For an API with a token of its own (`apis`): what to ask the token for (RFC 8707 `resource`, `scope`). */
  target?: TokenTarget | undefined;
}

/**
 * Which access token of a session a request needs: the main one (no target,
 * or key ''), or that of an API with its own resource or scopes.
 */
export interface TokenTarget {
  /** Where the token is kept in the session (ResolvedApi.tokenKey); '' is the main token. */
  key: string;
  resource?: string | undefined;
  scopes?: string | undefined;
}

/** A refused grant ends the session; an unavailable IdP ends nothing. */
export type GrantFailure =
  | {
      type: 'refused';
      code: 'EXPIRED_TOKEN' | 'TOKEN_REVOKED' | 'INVALID_GRANT';
      error: BffError;
      /** for logs: never a token */ detail?: object;
    }
  /** The IdP will not issue a token for that API (invalid_target, invalid_scope): the refresh token is fine, so is the session. */
  | { type: 'resourceRefused'; code: 'RESOURCE_REFUSED'; error: BffError; detail?: object }
  | { type: 'unavailable'; code: 'IDP_UNAVAILABLE'; error: BffError; detail?: object };

/** What a refresh_token grant answers, classified where the OIDC library is known (oidc/classify.ts). */
export type GrantResult = { type: 'tokens'; response: TokenResponse } | GrantFailure;

/** An IdP that could not be asked or did not answer: the session is kept. */
export function unavailable(cause: unknown, detail?: object): GrantFailure {
  return {
    type: 'unavailable',
    code: 'IDP_UNAVAILABLE',
    error: new BffError('IDP_UNAVAILABLE', DEFAULT_MESSAGES.IDP_UNAVAILABLE, { cause }),
    ...(detail ? { detail } : cause instanceof Error ? { detail: { name: cause.name, message: cause.message } } : {}),
  };
}
