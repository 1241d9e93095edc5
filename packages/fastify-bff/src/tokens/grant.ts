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
}

/** A refused grant ends the session; an unavailable IdP ends nothing. */
export type GrantFailure =
  | {
      type: 'refused';
      code: 'EXPIRED_TOKEN' | 'TOKEN_REVOKED' | 'INVALID_GRANT';
      error: BffError;
      /** for logs: never a token */ detail?: object;
    }
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
