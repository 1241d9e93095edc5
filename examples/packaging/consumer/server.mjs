// An adopter's server, as the plugin's README quick start has it, with the packages installed from npm tarballs.
import Fastify from 'fastify';
import { bff } from '@bff/fastify-bff';

const app = Fastify();
await app.register(bff, {
  publicUrl: process.env.BFF_PUBLIC_URL,
  issuer: process.env.OIDC_ISSUER,
  clientId: 'bff-demo',
  clientSecret: 'bff-demo-secret',
  apiUpstream: process.env.API_UPSTREAM,
  sessionSecret: 'a-session-secret-of-at-least-32-characters',
  tokenEncryptionKeys: [Buffer.alloc(32, 7)],
  // POST /auth/__test/expire-access-token and expire-session, for @bff/playwright's fixtures
  devEndpoints: process.env.BFF_DEV_ENDPOINTS === '1',
});
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
process.stdout.write('listening\n');
