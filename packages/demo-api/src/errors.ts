import type { FastifyReply } from 'fastify';
import { errors as jose } from 'jose';

/** The IdP's signing keys could not be fetched: the token may be fine, so this is never a 401. */
export class KeysUnavailableError extends Error {
  readonly code = 'ERR_API_KEYS_UNAVAILABLE';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'KeysUnavailableError';
  }
}

/** RFC 6750 section 3.1: a request without credentials gets the bare challenge, no error code. */
export function sendAuthenticationRequired(reply: FastifyReply): FastifyReply {
  return reply
    .code(401)
    .header('www-authenticate', 'Bearer realm="demo-api"')
    .send({ error: 'invalid_token', error_description: 'a bearer access token is required' });
}

/** `description` must be one of our fixed sentences: it goes into a quoted header value (no `"` or `\`). */
export function sendInvalidToken(reply: FastifyReply, description: string): FastifyReply {
  return reply
    .code(401)
    .header('www-authenticate', `Bearer error="invalid_token", error_description="${description}"`)
    .send({ error: 'invalid_token', error_description: description });
}

/**
 * RFC 9449, 7.1 and 9: a refused DPoP proof is answered with a `DPoP`
 * challenge naming the error (`invalid_dpop_proof`, `use_dpop_nonce`), and a
 * fresh `DPoP-Nonce` when this API asks for nonces.
 */
export function sendDpopChallenge(reply: FastifyReply, refused: { error: string; description: string }, nonce?: string): FastifyReply {
  if (nonce !== undefined) reply.header('dpop-nonce', nonce);
  return reply
    .code(401)
    .header('www-authenticate', `DPoP error="${refused.error}", error_description="${refused.description}", algs="ES256 EdDSA"`)
    .send({ error: refused.error, error_description: refused.description });
}

export function sendTemporarilyUnavailable(reply: FastifyReply): FastifyReply {
  return reply.code(503).send({
    error: 'temporarily_unavailable',
    error_description: 'the signing keys of the identity provider could not be fetched; try again shortly',
  });
}

/**
 * Our own sentence for why jose refused a token. jose's messages quote claim names and
 * could change, so they never reach the client.
 */
export function describeTokenError(error: jose.JOSEError): string {
  if (error instanceof jose.JWTExpired) return 'the access token has expired';
  if (error instanceof jose.JWTClaimValidationFailed) {
    switch (error.claim) {
      case 'iss':
        return 'the access token was issued by another issuer';
      case 'aud':
        return 'the access token is meant for another audience';
      case 'typ':
        return 'the token is not an access token (typ must be at+jwt)';
      case 'nbf':
        return 'the access token is not valid yet';
      default:
        return `the access token lacks a valid ${error.claim} claim`;
    }
  }
  if (error instanceof jose.JWSSignatureVerificationFailed) return 'the access token signature is invalid';
  if (error instanceof jose.JOSEAlgNotAllowed) return 'the access token algorithm is not accepted';
  if (error instanceof jose.JWKSNoMatchingKey) return 'no signing key of the issuer matches the access token';
  return 'the access token is malformed';
}
