import { AuthorizationResponseError, ClientError, ResponseBodyError, WWWAuthenticateChallengeError } from 'openid-client';
import type { ErrorCode } from '@bff/shared';
import { BffError, DEFAULT_MESSAGES } from '../errors.js';
import { unavailable, type GrantContext, type GrantFailure } from '../tokens/grant.js';
import { DiscoveryError } from './discoveryError.js';

const MESSAGES = {
  EXPIRED_TOKEN: 'Your sign-in has expired. Please sign in again.',
  TOKEN_REVOKED: 'You were signed out elsewhere. Please sign in again.',
  INVALID_GRANT: 'Your sign-in is no longer valid. Please sign in again.',
  IDP_UNAVAILABLE: 'The sign-in service is not reachable right now. Your session is kept; retry shortly.',
  RESOURCE_REFUSED: 'Your sign-in does not give access to this API. Your session is kept.',
} as const;

/** Token-endpoint errors about the token asked for, not the refresh token (RFC 8707 2.2, RFC 6749 5.2). */
const RESOURCE_ERRORS = new Set(['invalid_target', 'invalid_scope']);

/** Token-endpoint errors about the DPoP proof (RFC 9449, 5 and 8), not about the grant. */
const DPOP_PROOF_ERRORS = new Set(['invalid_dpop_proof', 'use_dpop_nonce']);

/**
 * The ONE place where openid-client and network failures of a token request
 * become our codes (docs/architecture.md, rule 6). The original error stays as `cause`.
 *
 * - Any 4xx from the token endpoint is a refusal, JSON body or not, except
 *   408 and 429, which say "later", not "no".
 * - 5xx, timeouts, network errors and unparseable success responses are
 *   transient: the session is kept.
 * - A refused DPoP proof (`invalid_dpop_proof`, or `use_dpop_nonce` still
 *   after openid-client's one retry with the nonce) says nothing about the
 *   refresh token: transient too.
 * - For an API with its own token, `invalid_target` / `invalid_scope` refuse
 *   that API's token, not the refresh token: RESOURCE_REFUSED, session kept.
 * - Why a grant was refused: the refresh token's known expiry has passed ->
 *   EXPIRED_TOKEN; the IdP's error_description says expired / revoked ->
 *   that; otherwise INVALID_GRANT (reuse detected, unknown token ...).
 * - `invalid_client` is no refusal of the grant but of the BFF's own
 *   credentials: transient, the session is kept (docs/architecture.md, rule 6).
 */
export function classifyGrantError(err: unknown, context: GrantContext): GrantFailure {
  // ending every session for a key or secret out of step would punish the users for a configuration problem that a fix undoes
  if (isClientAuthRefusal(err)) return unavailable(err, describeGrantError(err));
  if (err instanceof ResponseBodyError && DPOP_PROOF_ERRORS.has(err.error)) {
    // the IdP refused the proof, not the refresh token (a clock apart, a nonce it forgot): the grant is intact, so is the session
    return unavailable(err, describeGrantError(err));
  }
  if (context.target && err instanceof ResponseBodyError && RESOURCE_ERRORS.has(err.error)) {
    // the IdP will not give THIS API a token (RFC 8707 invalid_target, or scopes not granted): the refresh token is fine
    return {
      type: 'resourceRefused',
      code: 'RESOURCE_REFUSED',
      error: new BffError('RESOURCE_REFUSED', MESSAGES.RESOURCE_REFUSED, { cause: err }),
      detail: describeGrantError(err),
    };
  }
  const status = httpStatusOf(err);
  if (status !== undefined && status >= 400 && status < 500 && status !== 408 && status !== 429) {
    const description = err instanceof ResponseBodyError ? `${err.error} ${err.error_description ?? ''}` : '';
    let code: 'EXPIRED_TOKEN' | 'TOKEN_REVOKED' | 'INVALID_GRANT' = 'INVALID_GRANT';
    if (context.refreshTokenExpiresAt !== undefined && context.refreshTokenExpiresAt <= context.now) code = 'EXPIRED_TOKEN';
    else if (/expired/i.test(description)) code = 'EXPIRED_TOKEN';
    else if (/revoked/i.test(description)) code = 'TOKEN_REVOKED';
    return { type: 'refused', code, error: new BffError(code, MESSAGES[code], { cause: err }), detail: describeGrantError(err) };
  }
  return unavailable(err, describeGrantError(err));
}

/** The HTTP status an openid-client error carries, if any. */
export function httpStatusOf(err: unknown): number | undefined {
  if (err instanceof ResponseBodyError) return err.status;
  if (err instanceof WWWAuthenticateChallengeError) return err.status;
  if (err instanceof ClientError && err.cause instanceof Response) {
    // OAUTH_RESPONSE_IS_NOT_CONFORM / _NOT_JSON keep the Response as cause
    return err.cause.status === 200 ? undefined : err.cause.status;
  }
  return undefined;
}

/** For logs: what kind of failure it was, never the token. */
export function describeGrantError(err: unknown): { name: string; code?: string; status?: number; error?: string } {
  const base = { name: err instanceof Error ? err.name : typeof err };
  const status = httpStatusOf(err);
  const code = err instanceof ClientError || err instanceof ResponseBodyError ? (err.code as string | undefined) : undefined;
  return {
    ...base,
    ...(code ? { code } : {}),
    ...(status ? { status } : {}),
    ...(err instanceof ResponseBodyError ? { error: `${err.error}: ${err.error_description ?? ''}` } : {}),
  };
}

export type { ErrorCode };

/**
 * Failures of the authorization-code callback: the IdP said no
 * (access_denied ...), the state/nonce/PKCE checks failed, or the code was
 * refused (replayed, expired): all BAD_REQUEST with no session; an IdP that
 * cannot be reached is IDP_UNAVAILABLE.
 */
export function classifyCallbackError(err: unknown, clientAuth?: string): BffError {
  if (err instanceof BffError) return err;
  if (isClientAuthRefusal(err)) return clientAuthFailed(err, clientAuth);
  if (err instanceof DiscoveryError) return new BffError('IDP_UNAVAILABLE', MESSAGES.IDP_UNAVAILABLE, { cause: err });
  if (err instanceof AuthorizationResponseError) {
    return new BffError('BAD_REQUEST', `The sign-in was not completed (${err.error}).`, { cause: err });
  }
  if (err instanceof ResponseBodyError && (err.error === 'invalid_dpop_proof' || /\bDPoP\b/.test(err.error_description ?? ''))) {
    // the IdP takes only DPoP-bound token requests (dpop_bound_access_tokens; oidc-provider says
    // invalid_grant "DPoP proof JWT not provided") and this BFF sends none: signing in again cannot help
    return new BffError(
      'SIGN_IN_REFUSED',
      'The identity provider accepts only sender-constrained (DPoP) tokens, which this app is not set up to use (OIDC_DPOP). Ask its administrator.',
      { cause: err },
    );
  }
  const status = httpStatusOf(err);
  if (status !== undefined && status >= 400 && status < 500) {
    return new BffError('BAD_REQUEST', 'The sign-in could not be completed: the authorization code was refused. Please sign in again.', {
      cause: err,
    });
  }
  if (status !== undefined || err instanceof TypeError || (err instanceof ClientError && /TIMEOUT|ABORT/.test(err.code ?? ''))) {
    return new BffError('IDP_UNAVAILABLE', MESSAGES.IDP_UNAVAILABLE, { cause: err });
  }
  // state, nonce, issuer or ID token checks: a response we must not trust
  return new BffError('BAD_REQUEST', 'The sign-in response did not pass validation. Please sign in again.', { cause: err });
}

/** `invalid_client`: the IdP did not accept the BFF's own client authentication (wrong secret, unknown or wrong key). */
export function isClientAuthRefusal(err: unknown): boolean {
  return err instanceof ResponseBodyError && err.error === 'invalid_client';
}

/**
 * The person reads that the fault is ours (CLIENT_AUTH_FAILED, 502); the log
 * gets how the BFF authenticated (method, key id) and the IdP's own words.
 */
function clientAuthFailed(err: unknown, clientAuth = 'its client authentication'): BffError {
  const said = err instanceof ResponseBodyError ? `${err.error}: ${err.error_description ?? ''}`.trim() : String(err);
  const cause = new Error(`The IdP refused ${clientAuth} (${said}); check that it knows this client's current secret or public key`, {
    cause: err,
  });
  return new BffError('CLIENT_AUTH_FAILED', DEFAULT_MESSAGES.CLIENT_AUTH_FAILED, { cause });
}

/**
 * Failures of `/auth/login`: discovery or the pushed authorization request
 * (RFC 9126). Nobody is signed in yet, so an unreachable IdP gets its own
 * words ("your session is kept" would not be true); a PAR endpoint that
 * refuses anything but the client is a configuration problem (INTERNAL,
 * logged with the IdP's error).
 */
export function classifyLoginError(err: unknown, clientAuth?: string): BffError {
  const error = classifyCallbackError(err, clientAuth);
  if (error.code === 'IDP_UNAVAILABLE') {
    return new BffError('IDP_UNAVAILABLE', 'The sign-in service is not reachable right now. Please try again in a moment.', { cause: err });
  }
  if (error.code === 'BAD_REQUEST') {
    const said = err instanceof ResponseBodyError ? ` (${err.error}: ${err.error_description ?? ''})` : '';
    return new BffError('INTERNAL', `The IdP refused the authorization request${said}.`, { cause: err });
  }
  return error;
}
