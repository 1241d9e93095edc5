import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { startApi, type RunningApi } from '@bff/api';
import { PROFILES, startIdp, type ProfileName, type RunningIdp } from '@bff/idp';
import { bff, type BffOptions } from '../../src/index.js';
import { Browser } from './browser.js';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export interface StackOptions {
  profile?: ProfileName;
  accessTokenTtl?: number;
  refreshTokenTtl?: number;
  /** overrides of the BFF's options */
  bff?: Partial<BffOptions>;
  /** proxy to this upstream instead of the demo API */
  upstream?: string;
  /** use the public client (token_endpoint_auth_method none) */
  publicClient?: boolean;
}

export interface Stack {
  idp: RunningIdp;
  api: RunningApi;
  app: FastifyInstance;
  bffUrl: string;
  /** Moves the BFF's clock (not the IdP's): tokens look older to the BFF without sleeping. */
  advance(ms: number): void;
  browser(): Browser;
  close(): Promise<void>;
}

/** A real dev IdP, the real demo API and a real BFF, each on its own loopback port. */
export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const profileName = options.profile ?? 'seed-002';
  const profile = PROFILES[profileName];
  const bffPort = await freePort();
  const bffUrl = `http://127.0.0.1:${bffPort}`;
  const idpPort = await freePort();
  const idp = await startIdp({
    port: idpPort,
    host: '127.0.0.1',
    issuer: `http://127.0.0.1:${idpPort}`,
    profile: profileName,
    ...(options.accessTokenTtl ? { accessTokenTtl: options.accessTokenTtl } : {}),
    ...(options.refreshTokenTtl ? { refreshTokenTtl: options.refreshTokenTtl } : {}),
    bffPublicUrl: bffUrl,
    apiAudience: 'http://demo-api.test',
  });
  const api = await startApi({ port: 0, host: '127.0.0.1', issuer: idp.issuer, audience: 'http://demo-api.test' });
  let offset = 0;
  const app = Fastify({ logger: false });
  await app.register(bff, {
    publicUrl: bffUrl,
    issuer: idp.issuer,
    clientId: options.publicClient ? `${idp.clientId}-public` : idp.clientId,
    clientSecret: options.publicClient ? undefined : idp.clientSecret,
    tokenAuthMethod: options.publicClient ? 'none' : profile.tokenEndpointAuthMethod,
    tokenRequestEncoding: profile.tokenRequestEncoding,
    apiUpstream: options.upstream ?? api.url,
    sessionSecret: randomBytes(32).toString('hex'),
    tokenEncryptionKeys: [randomBytes(32)],
    idpTimeoutSeconds: 2,
    clock: () => Date.now() + offset,
    ...options.bff,
  });
  await app.listen({ port: bffPort, host: '127.0.0.1' });
  return {
    idp,
    api,
    app,
    bffUrl,
    advance: (ms) => {
      offset += ms;
    },
    browser: () => new Browser(),
    close: async () => {
      await app.close();
      await api.close();
      await idp.close();
    },
  };
}

/** The store id behind a browser's signed session cookie. */
export function sessionIdOf(stack: Stack, browser: Browser): string {
  const raw = browser.cookies.get('bff.sid');
  if (!raw) throw new Error('the browser has no session cookie');
  const unsigned = stack.app.unsignCookie(decodeURIComponent(raw));
  if (!unsigned.valid || !unsigned.value) throw new Error('the session cookie does not verify');
  return unsigned.value;
}

/** The plaintext token set of a browser's session, read the way only the server can. */
export async function tokensOf(stack: Stack, browser: Browser) {
  const stored = await stack.app.bff.store.get(sessionIdOf(stack, browser));
  if (stored?.state !== 'active') throw new Error(`session is ${stored?.state ?? 'gone'}`);
  return { session: stored, tokens: stack.app.bff.tokens.open(stored) };
}
