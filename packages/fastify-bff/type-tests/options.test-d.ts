/**
 * Type tests of @bff/fastify-bff's public API. Nothing here runs: `tsc`
 * compiling this file IS the test. Every positive case must compile, and
 * every line under `// @ts-expect-error` must NOT compile (tsc reports an
 * unused directive otherwise), so a type that gets looser fails here too.
 *
 * Two cases are tied to packages/fastify-bff/README.md on purpose: the list
 * of every option (`satisfies Required<BffOptions>`) and the exact DEFAULTS.
 * A new option or a changed default fails here until the README says so.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import {
  bff,
  configFromEnv,
  type DEFAULTS,
  MemoryRefreshCoordinator,
  MemorySessionStore,
  TokenCipher,
  TokenManager,
  type AccessTokenResult,
  type ActiveSession,
  type BffOptions,
  type BffRuntime,
  type GrantResult,
  type ServerConfig,
  type SessionStore,
  type TokenAuthMethod,
  type TokenResponse,
} from '@bff/fastify-bff';
import { Browser } from '@bff/fastify-bff/testing';
import type { ErrorCode } from '@bff/shared';

/** true only when A and B are the same type, not merely assignable to each other. */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
// eslint-disable-next-line @typescript-eslint/no-unused-vars -- the type argument is the assertion
declare function assertTrue<T extends true>(): void;
declare function expectType<T>(value: T): void;

const required = {
  publicUrl: 'https://app.example.com',
  issuer: 'https://idp.example.com',
  clientId: 'bff',
  apiUpstream: 'https://api.example.com',
  sessionSecret: 'a-session-secret-of-at-least-32-characters',
  tokenEncryptionKeys: [Buffer.alloc(32)],
} satisfies BffOptions;

export async function registersWithTheQuickStartOptions(app: FastifyInstance): Promise<void> {
  await app.register(bff, { ...required, clientSecret: 'secret' });
  // mounted into an existing app: Fastify's own prefix, the plugin's paths under it
  await app.register(bff, { ...required, prefix: '/bff', authPath: '/sso', apiPath: '/gateway' });
  // a public client: no secret
  await app.register(bff, { ...required, tokenAuthMethod: 'none' });
  // several session secrets (the first signs) for rotation
  await app.register(bff, {
    ...required,
    sessionSecret: ['new-secret-of-at-least-32-characters!', 'old-secret-of-at-least-32-characters!'],
  });
}

export function listsEveryOption(): Required<BffOptions> {
  // every option of BffOptions, each with a value of its type: adding an option fails here until it is listed (and documented)
  return {
    ...required,
    clientSecret: 'secret',
    scopes: 'openid profile email offline_access',
    tokenAuthMethod: 'client_secret_post',
    tokenRequestEncoding: 'json',
    resource: 'https://api.example.com',
    authParams: { audience: 'https://api.example.com' },
    logoutIdTokenHint: false,
    clientPrivateKey: '-----BEGIN PRIVATE KEY-----\n...\n-----END PRIVATE KEY-----',
    pushedAuthorizationRequests: true,
    dpop: { algorithm: 'EdDSA' },
    apis: [
      { prefix: '/api', upstream: 'https://api.internal', resource: 'https://api.example.com' },
      { prefix: '/billing', upstream: 'https://billing.internal', resource: 'https://billing.example.com', scopes: 'invoices:read' },
    ],
    sessionStore: 'redis',
    redisUrl: 'redis://127.0.0.1:6379',
    redisClusterNodes: ['127.0.0.1:7000', '127.0.0.1:7001'],
    redisSentinels: ['127.0.0.1:26379'],
    redisSentinelName: 'mymaster',
    refreshCoordinator: new MemoryRefreshCoordinator({ clock: Date.now }),
    sessionIdleTimeout: 1800,
    sessionAbsoluteTimeout: 43_200,
    refreshSkewSeconds: 60,
    idpTimeoutSeconds: 5,
    refreshGrantTimeoutSeconds: 60,
    upstreamTimeoutSeconds: 30,
    upstreamIdleTimeoutSeconds: 60,
    proxyBodyLimit: 1024 * 1024,
    memoryStoreMaxSessions: 100_000,
    rateLimit: { login: 30, callback: 30, refresh: 60, timeWindowMs: 60_000 },
    metrics: { port: 9464, host: '127.0.0.1' },
    hooks: {
      onSignIn: ({ user }) => (user.email?.endsWith('@example.com') ? user : { refuse: 'Only example.com accounts may sign in.' }),
      onSessionEnd: ({ reason }) => void reason,
      onTokensRefreshed: ({ rotated }) => void rotated,
    },
    cookieName: 'app.sid',
    authPath: '/sso',
    apiPath: '/gateway',
    healthRoutes: { live: '/bff/healthz', ready: '/bff/readyz' },
    devEndpoints: false,
    clock: () => Date.now(),
  } satisfies Required<BffOptions>;
}

export function defaultsAreTheDocumentedOnes(): void {
  assertTrue<
    Equal<
      typeof DEFAULTS,
      {
        readonly scopes: 'openid profile email offline_access';
        readonly tokenRequestEncoding: 'form';
        readonly sessionIdleTimeout: 1800;
        readonly sessionAbsoluteTimeout: 43_200;
        readonly refreshSkewSeconds: 60;
        readonly idpTimeoutSeconds: 5;
        readonly refreshGrantTimeoutSeconds: 60;
        readonly upstreamTimeoutSeconds: 30;
        readonly upstreamIdleTimeoutSeconds: 60;
        readonly proxyBodyLimit: number;
        readonly memoryStoreMaxSessions: 100_000;
        readonly rateLimit: { readonly login: 30; readonly callback: 30; readonly refresh: 60; readonly timeWindowMs: 60_000 };
      }
    >
  >();
}

export async function refusesWrongOptions(app: FastifyInstance): Promise<void> {
  const { issuer: _issuer, ...withoutIssuer } = required;
  // @ts-expect-error issuer is required
  await app.register(bff, withoutIssuer);
  // @ts-expect-error tokenEncryptionKeys are required (the cookie secret never encrypts tokens)
  await app.register(bff, { ...required, tokenEncryptionKeys: undefined });
  // @ts-expect-error client_secret_jwt is not offered: client_secret_basic | client_secret_post | private_key_jwt | none
  await app.register(bff, { ...required, tokenAuthMethod: 'client_secret_jwt' });
  // @ts-expect-error DPoP signs with ES256 or EdDSA
  await app.register(bff, { ...required, dpop: { algorithm: 'RS256' } });
  // @ts-expect-error tokenRequestEncoding is form | json
  await app.register(bff, { ...required, tokenRequestEncoding: 'multipart' });
  // @ts-expect-error clientId is a string, not a number
  await app.register(bff, { ...required, clientId: 42 });
  // @ts-expect-error timeouts are numbers of seconds, not strings
  await app.register(bff, { ...required, sessionIdleTimeout: '30m' });
  // @ts-expect-error the keys are 32-byte Buffers (parseEncryptionKeys turns TOKEN_ENCRYPTION_KEY into them), not a base64 string
  await app.register(bff, { ...required, tokenEncryptionKeys: 'ZGV2LW9ubHk=' });
  // @ts-expect-error sessionStore is memory | redis | a SessionStore
  await app.register(bff, { ...required, sessionStore: 'postgres' });
  // @ts-expect-error authParams values are strings (OIDC_AUTH_PARAMS is a query string)
  await app.register(bff, { ...required, authParams: { max_age: 300 } });
  // @ts-expect-error rateLimit needs all three limits, or false
  await app.register(bff, { ...required, rateLimit: { login: 10 } });
  // @ts-expect-error an unknown option is a typo, not a setting
  const typo: BffOptions = { ...required, sessionIdleTimout: 600 };
  void typo;
}

export function decoratesTheInstance(app: FastifyInstance): void {
  assertTrue<Equal<typeof app.bff, BffRuntime>>();
  // resolved options: defaults applied, nothing optional left
  assertTrue<Equal<typeof app.bff.options.sessionIdleTimeout, number>>();
  assertTrue<Equal<typeof app.bff.options.tokenAuthMethod, TokenAuthMethod>>();
  assertTrue<Equal<typeof app.bff.options.clientSecret, string | undefined>>();
  assertTrue<Equal<typeof app.bff.options.sessionSecrets, readonly string[]>>();
  assertTrue<Equal<typeof app.bff.options.secureCookies, boolean>>();
  assertTrue<Equal<typeof app.bff.tokens, TokenManager>>();
  assertTrue<Equal<typeof app.bff.store, SessionStore>>();
  // @ts-expect-error resolved options carry sessionSecrets (always a list), not sessionSecret
  void app.bff.options.sessionSecret;
}

export async function tokenManagerAnswersAClosedUnion(store: SessionStore, session: ActiveSession): Promise<string | undefined> {
  const cipher = new TokenCipher([Buffer.alloc(32)]);
  const clock = () => Date.now();
  const coordinator = new MemoryRefreshCoordinator({ clock: Date.now });
  const tokens = new TokenManager({
    store,
    coordinator,
    cipher,
    refreshGrant: async (refreshToken: string): Promise<GrantResult> => {
      const response: TokenResponse = { access_token: `new-for-${refreshToken.length}`, expires_in: 300 };
      return { type: 'tokens', response };
    },
    clock,
    refreshSkewSeconds: 60,
    idpTimeoutMs: 5_000,
    sessionTtlMs: () => 30 * 60_000,
  });
  // @ts-expect-error refreshGrant is required: the manager calls no IdP of its own
  new TokenManager({ store, coordinator, cipher, clock, refreshSkewSeconds: 60, idpTimeoutMs: 5_000, sessionTtlMs: () => 1 });
  // @ts-expect-error force is a boolean
  void tokens.accessToken(session, { force: 'yes' });

  const result = await tokens.accessToken(session, { force: true });
  assertTrue<Equal<typeof result, AccessTokenResult>>();
  // @ts-expect-error there is no third outcome: no session is an `error` with code UNAUTHENTICATED
  if (result.type === 'none') return undefined;
  switch (result.type) {
    case 'bearer':
      expectType<ActiveSession>(result.session);
      return result.accessToken;
    case 'error':
      expectType<ErrorCode>(result.error.code);
      expectType<number>(result.error.statusCode);
      expectType<boolean>(result.ended);
      // @ts-expect-error an error outcome carries no token
      return result.accessToken;
    default: {
      const exhaustive: never = result;
      return exhaustive;
    }
  }
}

export function configFromEnvBuildsPluginOptions(): void {
  const config = configFromEnv({ NODE_ENV: 'production', OIDC_ISSUER: 'https://idp.example.com' });
  assertTrue<Equal<typeof config, ServerConfig>>();
  expectType<number>(config.port);
  expectType<string>(config.host);
  expectType<boolean>(config.production);
  void Fastify().register(bff, config.bff);
  // @ts-expect-error environment values are strings
  configFromEnv({ PORT: 3000 });
}

export async function acceptsACustomSessionStore(app: FastifyInstance): Promise<void> {
  const store: SessionStore = new MemorySessionStore({ clock: () => Date.now(), maxSessions: 1_000 });
  await app.register(bff, { ...required, sessionStore: store });
  // @ts-expect-error a store implements the whole interface: compare-and-set, refresh locks, lookups by sub and sid
  const partial: SessionStore = { kind: 'partial', get: async () => undefined, ping: async () => undefined, close: async () => undefined };
  void partial;
}

export async function testingBrowserSignsInAsADemoUser(): Promise<void> {
  const browser = new Browser();
  const { landedOn } = await browser.signIn('http://127.0.0.1:3000', 'alice', '/notes');
  expectType<string>(landedOn);
  const refreshed = await browser.api('http://127.0.0.1:3000/auth/refresh', { method: 'POST' });
  expectType<number>(refreshed.status);
  expectType<Map<string, string>>(browser.cookies);
  // @ts-expect-error only the dev IdP's demo users exist
  await browser.signIn('http://127.0.0.1:3000', 'carol');
}
