import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK, type JWTPayload } from 'jose';

/** The audience the tests' API expects. */
export const AUDIENCE = 'http://api.test';

export interface SigningKey {
  kid: string;
  alg: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

export interface TokenOptions {
  /** merged over the defaults (iss, aud, sub, iat, exp in 5 min, jti, client_id, scope) */
  claims?: JWTPayload;
  typ?: string;
  key?: SigningKey;
  /** overrides `key.kid` in the header, e.g. to sign with a key the IdP does not publish */
  kid?: string;
}

/**
 * A stand-in for the IdP on a real loopback HTTP server: the discovery document, a JWKS and
 * a signer of RFC 9068 access tokens. Counts the requests it serves; `down` drops every
 * connection like a crashed server.
 */
export interface FakeIdp {
  issuer: string;
  jwksUri: string;
  keys: SigningKey[];
  requests: { discovery: number; jwks: number };
  down: boolean;
  /** `status` other than 200 makes the JWKS endpoint answer that status */
  jwksStatus: number;
  sign(sub: string, options?: TokenOptions): Promise<string>;
  close(): Promise<void>;
}

export async function createSigningKey(alg = 'ES256'): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg);
  const kid = randomUUID();
  return { kid, alg, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } };
}

export async function startFakeIdp(): Promise<FakeIdp> {
  const server: Server = createServer((request, response) => {
    if (idp.down) return void request.socket.destroy();
    const json = (status: number, body: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    if (request.url === '/.well-known/openid-configuration') {
      idp.requests.discovery += 1;
      return json(200, { issuer: idp.issuer, jwks_uri: idp.jwksUri });
    }
    if (request.url === '/jwks') {
      idp.requests.jwks += 1;
      return json(idp.jwksStatus, { keys: idp.keys.map((key) => key.publicJwk) });
    }
    json(404, { error: 'not_found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const idp: FakeIdp = {
    issuer,
    jwksUri: `${issuer}/jwks`,
    keys: [await createSigningKey()],
    requests: { discovery: 0, jwks: 0 },
    down: false,
    jwksStatus: 200,
    async sign(sub, { claims = {}, typ = 'at+jwt', key = idp.keys[0], kid } = {}) {
      if (key === undefined) throw new Error('the fake IdP has no signing key');
      const now = Math.floor(Date.now() / 1000);
      const payload: JWTPayload = {
        iss: issuer,
        aud: AUDIENCE,
        sub,
        iat: now,
        exp: now + 300,
        jti: randomUUID(),
        client_id: 'bff',
        scope: 'openid profile email',
        ...claims,
      };
      return new SignJWT(payload).setProtectedHeader({ alg: key.alg, typ, kid: kid ?? key.kid }).sign(key.privateKey);
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
  return idp;
}
