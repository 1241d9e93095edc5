import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';
import { bffError } from '../errors.js';
import type { BffRuntime } from '../runtime.js';

const BACKCHANNEL_EVENT = 'http://schemas.openid.net/event/backchannel-logout';
const jwksByUri = new Map<string, ReturnType<typeof createRemoteJWKSet>>();

/**
 * OpenID Connect Back-Channel Logout 1.0, section 2.6: the logout token is
 * fully validated (signature, iss, aud, iat, typ, the event, no nonce, a sid
 * or sub), then every session it names ends with TOKEN_REVOKED, which the
 * SPA hears as "signed out elsewhere".
 */
export async function backchannelLogout(bff: BffRuntime, logoutToken: string): Promise<number> {
  const config = await bff.oidc.configuration();
  const metadata = config.serverMetadata();
  if (!metadata.jwks_uri) throw bffError('BAD_REQUEST', 'The IdP publishes no keys to verify a logout token.');
  let jwks = jwksByUri.get(metadata.jwks_uri);
  if (!jwks) jwksByUri.set(metadata.jwks_uri, (jwks = createRemoteJWKSet(new URL(metadata.jwks_uri))));

  let claims: JWTPayload;
  try {
    const verified = await jwtVerify(logoutToken, jwks, {
      issuer: metadata.issuer,
      audience: bff.options.clientId,
      maxTokenAge: '5 minutes',
      clockTolerance: 5,
      currentDate: new Date(bff.options.clock()),
    });
    claims = verified.payload;
    const typ = verified.protectedHeader.typ;
    if (typ !== undefined && typ !== 'logout+jwt' && typ !== 'JWT') throw new Error('unexpected typ');
  } catch (err) {
    throw bffError('BAD_REQUEST', 'The logout token is not valid.', err);
  }
  const events = claims.events as Record<string, unknown> | undefined;
  if (typeof events !== 'object' || events === null || !(BACKCHANNEL_EVENT in events)) {
    throw bffError('BAD_REQUEST', 'The logout token carries no back-channel logout event.');
  }
  if ('nonce' in claims) throw bffError('BAD_REQUEST', 'A logout token must not carry a nonce.');
  const sid = typeof claims.sid === 'string' ? claims.sid : undefined;
  const sub = typeof claims.sub === 'string' ? claims.sub : undefined;
  if (!sid && !sub) throw bffError('BAD_REQUEST', 'The logout token names neither sid nor sub.');

  // sid names one IdP session; sub alone means every session of the user
  const ended = await bff.sessions.endAll(sid ? { sid } : { sub }, 'TOKEN_REVOKED');
  bff.events({ type: 'backchannel.logout', ended, by: sid ? 'sid' : 'sub' });
  return ended;
}
