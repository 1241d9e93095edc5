/**
 * The code blocks of packages/fastify-bff/README.md, verbatim inside
 * functions, so that `pnpm --filter @bff/example-minimal typecheck` fails
 * when the README shows an API that no longer exists. Nothing here runs.
 * Keep each block in step with the README section named above it.
 */
// README "Quick start"
export async function quickStart(): Promise<void> {
  const { default: Fastify } = await import('fastify');
  const { default: fastifyStatic } = await import('@fastify/static');
  const { bff, notFound } = await import('@bff/fastify-bff');
  // ---- README block starts
  const app = Fastify({ logger: true });

  await app.register(bff, {
    publicUrl: 'https://app.example.com', // what the browser sees; https => Secure, __Host- cookies
    issuer: 'https://idp.example.com/realms/demo', // OIDC discovery
    clientId: 'my-bff',
    clientSecret: process.env.OIDC_CLIENT_SECRET, // absent: a public client
    apiUpstream: 'http://api.internal:8080', // /api/notes -> http://api.internal:8080/notes
    sessionSecret: process.env.SESSION_SECRET!, // >= 32 characters, signs the cookie
    tokenEncryptionKeys: [Buffer.from(process.env.TOKEN_ENCRYPTION_KEY!, 'base64')], // 32 bytes: AES-256-GCM at rest
  });

  // the SPA's build, same origin; client-side routes fall back to index.html
  await app.register(fastifyStatic, { root: new URL('./web/dist/', import.meta.url), wildcard: false });
  app.setNotFoundHandler((request, reply) =>
    request.method === 'GET' && request.headers.accept?.includes('text/html') ? reply.sendFile('index.html') : notFound(request, reply),
  );

  await app.listen({ port: 3000, host: '0.0.0.0' });
  // ---- README block ends
}

// README "Configuration from the environment"
export async function fromEnvironment(): Promise<void> {
  const { default: Fastify } = await import('fastify');
  const { bff, configFromEnv, ConfigError } = await import('@bff/fastify-bff');
  // ---- README block starts
  let config;
  try {
    config = configFromEnv(process.env); // reads BFF_PUBLIC_URL, OIDC_*, API_UPSTREAM, SESSION_*, TOKEN_ENCRYPTION_KEY, ...
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message); // one message naming every bad variable
      process.exit(1);
    }
    throw err;
  }
  const app = Fastify({ logger: true });
  await app.register(bff, config.bff);
  await app.listen({ port: config.port, host: config.host });
  // ---- README block ends
}

// README "Using the token manager without Fastify"
export async function tokenManagerElsewhere(): Promise<void> {
  const client = await import('openid-client');
  const { MemoryRefreshCoordinator, MemorySessionStore, TokenCipher, TokenManager, classifyGrantError, nextTokenState, parseEncryptionKeys } = await import('@bff/fastify-bff');
  type ActiveSession = import('@bff/fastify-bff').ActiveSession;
  type TokenResponse = import('@bff/fastify-bff').TokenResponse;
  // ---- README block starts
  const oidc = await client.discovery(new URL('https://idp.example.com'), 'my-bff', undefined, client.ClientSecretBasic(process.env.OIDC_CLIENT_SECRET!), {
    timeout: 5,
  });
  const store = new MemorySessionStore({ clock: Date.now, maxSessions: 10_000 }); // or your own SessionStore
  const coordinator = new MemoryRefreshCoordinator({ clock: Date.now }); // one replica; RedisRefreshCoordinator for several
  const cipher = new TokenCipher(parseEncryptionKeys(process.env.TOKEN_ENCRYPTION_KEY!));
  const tokens = new TokenManager({
    store,
    coordinator,
    cipher,
    // openid-client's errors become our codes in classifyGrantError, the one place that knows them
    refreshGrant: (refreshToken, context) =>
      client.refreshTokenGrant(oidc, refreshToken).then(
        (response) => ({ type: 'tokens' as const, response }),
        (err: unknown) => classifyGrantError(err, context),
      ),
    clock: Date.now,
    refreshSkewSeconds: 60,
    idpTimeoutMs: 5_000,
    sessionTtlMs: (session, now) => session.absoluteExpiresAt - now,
  });

  // after your own authorization-code callback: keep the tokens, sealed, in a new session
  async function createSession(id: string, response: TokenResponse, sub: string): Promise<void> {
    const now = Date.now();
    const session: ActiveSession = {
      state: 'active', id, version: 1, user: { sub }, createdAt: now, lastSeenAt: now,
      absoluteExpiresAt: now + 12 * 3600_000, tokens: nextTokenState(cipher, response, now).state,
    };
    await store.create(session, 12 * 3600_000);
  }

  // before every call to the API: a fresh access token, or why there is none
  async function bearer(id: string): Promise<string> {
    const stored = await store.get(id);
    if (stored?.state !== 'active') throw new Error(stored ? stored.reason : 'UNAUTHENTICATED');
    const result = await tokens.accessToken(stored); // { force: true } after the API answered 401
    if (result.type === 'bearer') return result.accessToken;
    throw result.error; // BffError: .code, .statusCode; result.ended says whether the session is over
  }
  // ---- README block ends
  void createSession;
  void bearer;
}

// README "app.bff: the decoration"
export async function ownRoute(): Promise<void> {
  const { default: Fastify } = await import('fastify');
  const { bff } = await import('@bff/fastify-bff');
  const app = Fastify();
  await app.register(bff, {} as import('@bff/fastify-bff').BffOptions);
  // ---- README block starts
  app.get('/reports/export', async (request, reply) => {
    const session = await app.bff.sessions.require(request, reply);
    const result = await app.bff.tokens.accessToken(session);
    if (result.type === 'error') throw result.error; // a BffError; answer it with handleError() or your own handler
    // call the other API with `Bearer ${result.accessToken}`
  });
  // ---- README block ends
}

// README "Mounting into an existing app"
export async function mounted(options: import('@bff/fastify-bff').BffOptions): Promise<void> {
  const { default: Fastify } = await import('fastify');
  const { bff } = await import('@bff/fastify-bff');
  const app = Fastify();
  // ---- README block starts
  await app.register(bff, {
    ...options, // as in the quick start
    prefix: '/bff', // Fastify's own register option: everything moves under it
    authPath: '/sso', // default /auth: /bff/sso/login, /bff/sso/callback, /bff/sso/session, ...
    apiPath: '/gateway', // default /api: /bff/gateway/notes -> ${apiUpstream}/notes
    healthRoutes: false, // the app has its own /healthz
  });
  // ---- README block ends
}

// README "Testing helpers"
export async function testingBrowser(bffUrl: string): Promise<void> {
  const { Browser } = await import('@bff/fastify-bff/testing');
  // ---- README block starts
  const browser = new Browser();
  await browser.signIn(bffUrl, 'alice', '/notes'); // /auth/login -> the IdP's login form -> /auth/callback; answers { landedOn }
  const me = await browser.api(`${bffUrl}/api/me`); // sends X-CSRF: 1 and JSON, answers { status, body, headers }
  const refreshed = await browser.api(`${bffUrl}/auth/refresh`, { method: 'POST' });
  // ---- README block ends
  void me;
  void refreshed;
}

// README "Custom session stores and refresh coordinators"
declare const MyStore: new () => import('@bff/fastify-bff').SessionStore;
declare const MyCoordinator: new () => import('@bff/fastify-bff').RefreshCoordinator;
// ---- README block starts
import { refreshCoordinatorContract, sessionStoreContract } from '@bff/fastify-bff/testing/contract';

sessionStoreContract('my store', async () => new MyStore());
refreshCoordinatorContract('my coordinator', async () => new MyCoordinator());
// ---- README block ends
