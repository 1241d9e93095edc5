import type { FastifyInstance } from 'fastify';
import type { PublicClientJwk } from '../oidc/clientKeys.js';

/** Where the BFF publishes its public client keys (README, "HTTP contract"), under the auth prefix. */
export const JWKS_PATH = '/jwks.json';

/**
 * `GET /auth/jwks.json`: the public halves of every `private_key_jwt` key,
 * the signing key first, for IdPs that fetch a client's keys from its
 * `jwks_uri`. Each JWK is built from whitelisted public members
 * (oidc/clientKeys.ts), so no private member can reach it. Cacheable for
 * five minutes: a rotation lists the next key second for longer than that
 * before it moves first.
 */
export async function jwksRoute(app: FastifyInstance): Promise<void> {
  const keys: PublicClientJwk[] = app.bff.options.clientKeys.map((key) => key.publicJwk);
  if (keys.length === 0) return;
  const body = JSON.stringify({ keys });
  app.get(JWKS_PATH, async (_request, reply) =>
    reply.header('cache-control', 'public, max-age=300').type('application/jwk-set+json').send(body),
  );
}
