// A strict TypeScript consumer of the published types.
import Fastify from 'fastify';
import { bff, type BffOptions, type SessionStore, type RefreshCoordinator } from '@bff/fastify-bff';
import { Browser } from '@bff/fastify-bff/testing';
import { ERROR_CODES, type SessionInfo } from '@bff/shared';
import { startIdp } from '@bff/dev-idp';

const options: BffOptions = {
  publicUrl: 'https://app.example.com',
  issuer: 'https://idp.example.com',
  clientId: 'app',
  apiUpstream: 'https://api.example.com',
  sessionSecret: 'x'.repeat(32),
  tokenEncryptionKeys: [Buffer.alloc(32)],
};
export async function main(store: SessionStore, coordinator: RefreshCoordinator): Promise<SessionInfo | undefined> {
  const app = Fastify();
  await app.register(bff, { ...options, sessionStore: store, refreshCoordinator: coordinator });
  const idp = await startIdp({ port: 0, bffPublicUrl: 'http://localhost:3000', apiAudience: 'http://localhost:4001' });
  await idp.close();
  void new Browser();
  void ERROR_CODES;
  return undefined;
}
