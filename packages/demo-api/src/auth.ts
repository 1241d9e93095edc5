import type { FastifyReply, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import { errors as jose, jwtVerify, type JWTVerifyGetKey } from 'jose';
import type { Me } from '@bff/shared';
import {
  KeysUnavailableError,
  describeTokenError,
  sendAuthenticationRequired,
  sendDpopChallenge,
  sendInvalidToken,
  sendTemporarilyUnavailable,
} from './errors.js';
import { ProofRefused, type DpopVerifier } from './dpop.js';
import type { ResolvedApiOptions } from './options.js';

/** Asymmetric algorithms only: an HS256 token would be signed with a secret the API does not have. */
const ALGORITHMS = ['RS256', 'ES256', 'PS256', 'EdDSA'];
/** RFC 6750 section 2.1 (and RFC 9449, 7.1 for `DPoP`): the scheme followed by a b64token. */
const CREDENTIALS = /^(Bearer|DPoP) +([A-Za-z0-9\-._~+/]+=*) *$/i;

const users = new WeakMap<FastifyRequest, Me>();

/** The user an authenticated route serves; only valid behind the hook of `createAuthenticator`. */
export function userOf(request: FastifyRequest): Me {
  const user = users.get(request);
  if (user === undefined) throw new Error('userOf() called on a route without authentication');
  return user;
}

/**
 * An onRequest hook that accepts only RFC 9068 access tokens (typ at+jwt) from our issuer, for
 * our audience, unexpired. The token itself is never logged nor echoed.
 */
export function createAuthenticator(options: ResolvedApiOptions, getKey: JWTVerifyGetKey, dpop: DpopVerifier): onRequestAsyncHookHandler {
  return async function authenticate(request: FastifyRequest, reply: FastifyReply) {
    const header = request.headers.authorization;
    if (header === undefined || !/^(Bearer|DPoP)(\s|$)/i.test(header)) return sendAuthenticationRequired(reply);
    const [, scheme, token] = CREDENTIALS.exec(header) ?? [];
    if (token === undefined) return sendInvalidToken(reply, 'the access token is malformed');
    try {
      const { payload } = await jwtVerify(token, getKey, {
        issuer: options.issuer,
        audience: options.audience,
        algorithms: ALGORITHMS,
        typ: 'at+jwt',
        clockTolerance: options.clockToleranceSeconds,
        requiredClaims: ['sub', 'exp'],
      });
      if (typeof payload.sub !== 'string' || payload.sub === '') {
        return sendInvalidToken(reply, 'the access token lacks a valid sub claim');
      }
      // a DPoP-bound token (cnf.jkt) is worth nothing without a proof by its key: as a bearer token it is refused
      const jkt = (payload['cnf'] as { jkt?: unknown } | undefined)?.jkt;
      if (scheme?.toLowerCase() === 'dpop' || jkt !== undefined) {
        if (scheme?.toLowerCase() !== 'dpop')
          return sendInvalidToken(reply, 'the access token is DPoP-bound: present it with a DPoP proof');
        await dpop.verify(request, request.headers['dpop'], token, jkt);
      }
      const user: Me = { sub: payload.sub };
      if (typeof payload['name'] === 'string') user.name = payload['name'];
      if (typeof payload['email'] === 'string') user.email = payload['email'];
      users.set(request, user);
    } catch (error) {
      if (error instanceof ProofRefused) {
        request.log.info({ reason: error.description }, 'DPoP proof refused');
        return sendDpopChallenge(reply, error, dpop.requiresNonce ? dpop.currentNonce() : undefined);
      }
      if (error instanceof KeysUnavailableError) {
        request.log.warn({ err: error }, 'access token not checked: the IdP keys are unavailable');
        return sendTemporarilyUnavailable(reply);
      }
      if (error instanceof jose.JOSEError) {
        request.log.info({ code: error.code }, 'access token refused');
        return sendInvalidToken(reply, describeTokenError(error));
      }
      throw error;
    }
  };
}
