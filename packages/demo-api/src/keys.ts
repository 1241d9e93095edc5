import { createRemoteJWKSet, errors as jose, type JWTVerifyGetKey, type RemoteJWKSet } from 'jose';
import { KeysUnavailableError } from './errors.js';

/** How long one discovery or JWKS request may take before the IdP counts as down. */
const FETCH_TIMEOUT_MS = 5_000;
/**
 * A token with an unknown `kid` makes jose refetch the JWKS (an IdP key change), but at most
 * once per cooldown: short, so that a restarted dev IdP with new keys is picked up within
 * seconds; not zero, so that forged `kid`s cannot turn into a stream of requests to the IdP.
 */
const UNKNOWN_KID_COOLDOWN_MS = 5_000;

/** Failures that are the token's fault (401); anything else while fetching keys is the IdP's (503). */
const TOKEN_FAULTS = [jose.JWKSNoMatchingKey, jose.JWKSMultipleMatchingKeys, jose.JOSENotSupported, jose.JOSEAlgNotAllowed];

/**
 * The key resolver for `jwtVerify`. Without `jwksUri`, the JWKS location is discovered from
 * the issuer lazily on the first request, and discovery is retried on the next request if it
 * failed (the IdP may start after the API).
 */
export function createKeyResolver(issuer: string, jwksUri: string | undefined): JWTVerifyGetKey {
  let remote: Promise<RemoteJWKSet> | undefined = jwksUri === undefined ? undefined : Promise.resolve(remoteSet(jwksUri));
  const resolveRemote = (): Promise<RemoteJWKSet> => {
    remote ??= discoverJwksUri(issuer).then(remoteSet, (cause: unknown) => {
      remote = undefined;
      throw new KeysUnavailableError(`discovery of ${issuer} failed`, { cause });
    });
    return remote;
  };
  return async (protectedHeader, token) => {
    const getKey = await resolveRemote();
    try {
      return await getKey(protectedHeader, token);
    } catch (error) {
      // rethrown as is: jwtVerify itself handles JWKSMultipleMatchingKeys by trying each key
      if (TOKEN_FAULTS.some((fault) => error instanceof fault)) throw error;
      throw new KeysUnavailableError(`the JWKS of ${issuer} could not be fetched`, { cause: error });
    }
  };
}

function remoteSet(jwksUri: string): RemoteJWKSet {
  return createRemoteJWKSet(new URL(jwksUri), {
    timeoutDuration: FETCH_TIMEOUT_MS,
    cooldownDuration: UNKNOWN_KID_COOLDOWN_MS,
  });
}

/** OpenID Connect Discovery 1.0, section 4: the document must name the same issuer. */
async function discoverJwksUri(issuer: string): Promise<string> {
  const url = `${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
  const response = await fetch(url, {
    headers: { accept: 'application/json' },
    redirect: 'manual',
    signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
  });
  if (response.status !== 200) throw new Error(`${url} answered ${response.status}`);
  const metadata: unknown = await response.json();
  if (typeof metadata !== 'object' || metadata === null) throw new Error(`${url} is not a JSON object`);
  const { issuer: advertised, jwks_uri: jwksUri } = metadata as Record<string, unknown>;
  if (advertised !== issuer) throw new Error(`${url} names the issuer ${String(advertised)}, expected ${issuer}`);
  if (typeof jwksUri !== 'string') throw new Error(`${url} has no jwks_uri`);
  return jwksUri;
}
