import { createHash, createPrivateKey, createPublicKey, webcrypto, type JsonWebKey, type KeyObject } from 'node:crypto';

/**
 * The BFF's own keys for `private_key_jwt` client authentication
 * (OIDC_CLIENT_PRIVATE_KEY). Several may be configured for a rotation: the
 * first signs, every one is published in the BFF's JWKS so that the IdP
 * still accepts the others' assertions while its cache catches up.
 */

/** A private key as configured: PEM text (one or more blocks), JSON (a JWK, an array of JWKs, or a JWKS), or a JWK object. */
export type ClientKeyInput = string | JsonWebKey;
export type ClientKeyOption = ClientKeyInput | readonly ClientKeyInput[];

export type ClientKeyAlgorithm = 'ES256' | 'RS256';

/** The public half as published: public members only, whitelisted (never `d`, `p`, `q` ...). */
export interface PublicClientJwk {
  kty: 'EC' | 'RSA';
  kid: string;
  alg: ClientKeyAlgorithm;
  use: 'sig';
  crv?: string;
  x?: string;
  y?: string;
  n?: string;
  e?: string;
}

export interface ClientKey {
  kid: string;
  alg: ClientKeyAlgorithm;
  privateKey: KeyObject;
  publicJwk: PublicClientJwk;
}

const FORMS = 'a PEM private key, a private JWK (JSON), or a JSON array of up to two of them';
const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]+?-----END \1-----/g;

/**
 * Parses and checks the configured keys. Throws a TypeError whose message
 * says what is wrong and which key (never any key material); optionsSchema.ts
 * prefixes it with the option's or variable's name.
 */
export function parseClientKeys(option: ClientKeyOption): ClientKey[] {
  const inputs = (Array.isArray(option) ? option : [option]) as readonly ClientKeyInput[];
  const flat = inputs.flatMap(expand);
  if (flat.length === 0) throw new TypeError(`must be ${FORMS}`);
  const keys = flat.map((input, i) => {
    try {
      return clientKey(input);
    } catch (err) {
      const message = (err as Error).message;
      throw new TypeError(flat.length > 1 ? `key ${i + 1} of ${flat.length}: ${message}` : message, { cause: err });
    }
  });
  const kids = keys.map((key) => key.kid);
  const repeated = kids.find((kid, i) => kids.indexOf(kid) !== i);
  if (repeated !== undefined) throw new TypeError(`two keys have the kid "${repeated}": each key needs its own`);
  return keys;
}

/** The problem with the configured keys, or undefined when they are fine (for the options schema). */
export function clientKeyProblem(option: unknown): string | undefined {
  try {
    parseClientKeys(option as ClientKeyOption);
    return undefined;
  } catch (err) {
    return err instanceof TypeError ? err.message : `must be ${FORMS}`;
  }
}

/** The signing key as WebCrypto wants it for openid-client's PrivateKeyJwt. */
export async function signingCryptoKey(key: ClientKey): Promise<webcrypto.CryptoKey> {
  const algorithm = key.alg === 'ES256' ? { name: 'ECDSA', namedCurve: 'P-256' } : { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
  return webcrypto.subtle.importKey('pkcs8', key.privateKey.export({ type: 'pkcs8', format: 'der' }), algorithm, false, ['sign']);
}

/** One string may hold several keys: PEM blocks one after the other, or a JSON array / JWKS. */
function expand(input: ClientKeyInput): ClientKeyInput[] {
  if (typeof input !== 'string') return [input];
  // env files often carry PEM newlines as the two characters \n
  const text = input.replace(/\\n/g, '\n').trim();
  if (text.startsWith('{') || text.startsWith('[')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      // JSON.parse's own message quotes the text: never let key material into a message
      throw new TypeError(`must be ${FORMS}; this JSON does not parse`);
    }
    if (Array.isArray(parsed)) return parsed as JsonWebKey[];
    const jwks = parsed as { keys?: unknown };
    return Array.isArray(jwks.keys) ? (jwks.keys as JsonWebKey[]) : [parsed as JsonWebKey];
  }
  const blocks = text.match(PEM_BLOCK);
  if (!blocks) throw new TypeError(`must be ${FORMS}`);
  return blocks;
}

function clientKey(input: ClientKeyInput): ClientKey {
  if (typeof input === 'string' && /-----BEGIN [A-Z ]*PUBLIC KEY-----/.test(input)) {
    throw new TypeError('is a public key: configure the private key (the BFF publishes its public half itself)');
  }
  if (typeof input !== 'string' && (typeof input !== 'object' || input === null)) throw new TypeError(`must be ${FORMS}`);
  if (typeof input !== 'string' && typeof input.d !== 'string') {
    throw new TypeError('is not a private JWK (it has no "d"): configure the private key');
  }
  let privateKey: KeyObject;
  try {
    privateKey = typeof input === 'string' ? createPrivateKey(input) : createPrivateKey({ key: input, format: 'jwk' });
  } catch {
    throw new TypeError(`must be ${FORMS}; this one cannot be read as a private key`);
  }
  const alg = algorithmOf(privateKey);
  const declared = typeof input === 'string' ? undefined : (input as { alg?: unknown }).alg;
  if (declared !== undefined && declared !== alg) throw new TypeError(`says alg "${String(declared)}" but is an ${alg} key`);
  const exported = createPublicKey(privateKey).export({ format: 'jwk' });
  const members =
    alg === 'ES256'
      ? { kty: 'EC' as const, crv: exported.crv, x: exported.x, y: exported.y }
      : { kty: 'RSA' as const, n: exported.n, e: exported.e };
  const ownKid = typeof input === 'string' ? undefined : (input as { kid?: unknown }).kid;
  if (ownKid !== undefined && (typeof ownKid !== 'string' || ownKid === ''))
    throw new TypeError('has a kid that is not a non-empty string');
  const kid = ownKid ?? jwkThumbprint(members);
  return { kid, alg, privateKey, publicJwk: { ...members, kid, alg, use: 'sig' } };
}

function algorithmOf(key: KeyObject): ClientKeyAlgorithm {
  const details = key.asymmetricKeyDetails;
  if (key.asymmetricKeyType === 'ec' && details?.namedCurve === 'prime256v1') return 'ES256';
  if (key.asymmetricKeyType === 'rsa' && (details?.modulusLength ?? 0) >= 2048) return 'RS256';
  throw new TypeError('must be an ES256 key (EC P-256) or an RS256 key (RSA, 2048 bits or more)');
}

/** RFC 7638: SHA-256 over the required members in lexicographic order, base64url. */
export function jwkThumbprint(members: Record<string, string | undefined>): string {
  const required = members.kty === 'EC' ? ['crv', 'kty', 'x', 'y'] : ['e', 'kty', 'n'];
  const canonical = JSON.stringify(Object.fromEntries(required.map((name) => [name, members[name]])));
  return createHash('sha256').update(canonical).digest('base64url');
}
