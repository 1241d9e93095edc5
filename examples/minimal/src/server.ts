import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { bff, type BffOptions } from '@bff/fastify-bff';
import { PAGE } from './page.js';

// log paths, never query strings: /auth/callback carries the authorization code in its query
const LOGGER = {
  serializers: { req: (request: { method: string; url: string }) => ({ method: request.method, path: request.url.split('?')[0] }) },
};

/** The whole integration: a Fastify app, one plugin registration, one page on the same origin. */
export async function buildServer(options: BffOptions, fastify: FastifyServerOptions = { logger: LOGGER }): Promise<FastifyInstance> {
  const app = Fastify(fastify);
  await app.register(bff, options); // adds /auth/*, /api/* (proxied to options.apiUpstream), /healthz, /readyz
  app.get('/', (_request, reply) => reply.type('text/html; charset=utf-8').send(PAGE));
  return app;
}

// `pnpm --filter @bff/example-minimal start`, configured from the environment
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const need = (name: string) => process.env[name] ?? (console.error(`${name} is required`), process.exit(1));
  const app = await buildServer({
    publicUrl: process.env.BFF_PUBLIC_URL ?? 'http://localhost:3000',
    issuer: need('OIDC_ISSUER'),
    clientId: need('OIDC_CLIENT_ID'),
    clientSecret: process.env.OIDC_CLIENT_SECRET, // absent: a public client
    apiUpstream: need('API_UPSTREAM'),
    sessionSecret: need('SESSION_SECRET'), // >= 32 characters
    tokenEncryptionKeys: [Buffer.from(need('TOKEN_ENCRYPTION_KEY'), 'base64')], // 32 bytes: `openssl rand -base64 32`
  });
  await app.listen({ port: Number(process.env.PORT ?? 3000) });
}
