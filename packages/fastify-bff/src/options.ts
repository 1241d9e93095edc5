import type { Clock } from './clock.js';
import type { DpopAlgorithm } from './oidc/dpop.js';
import type { SessionStore } from './session/store.js';
import type { BffHooks } from './observability/hooks.js';
import type { RefreshCoordinator } from './tokens/refreshCoordinator.js';
import type { ClientKey, ClientKeyOption } from './oidc/clientKeys.js';

export type TokenAuthMethod = 'client_secret_basic' | 'client_secret_post' | 'private_key_jwt' | 'none';
export type TokenRequestEncoding = 'form' | 'json';

/**
 * Options of the `bff` plugin. Every field mirrors an environment variable of
 * the configuration table of the README (named in its comment); `configFromEnv` builds this object.
 */
export interface BffOptions {
  /** BFF_PUBLIC_URL: the origin the browser sees, e.g. https://app.example.com. https turns on Secure + __Host- cookies. */
  publicUrl: string;
  /** OIDC_ISSUER */
  issuer: string;
  /** OIDC_CLIENT_ID */
  clientId: string;
  /** OIDC_CLIENT_SECRET; absent for a public client. */
  clientSecret?: string | undefined;
  /** OIDC_SCOPES, default `openid profile email offline_access`. */
  scopes?: string;
  /** OIDC_TOKEN_AUTH_METHOD, default client_secret_basic with a secret, none without. */
  tokenAuthMethod?: TokenAuthMethod;
  /**
   * OIDC_CLIENT_PRIVATE_KEY, for `private_key_jwt`: ES256 or RS256 private
   * keys as PEM text, a JWK (object or JSON), a JSON array of JWKs, or a list
   * of them. The first signs the client assertions; all are published
   * (public halves only) at `GET /auth/jwks.json`. A key without `kid` gets
   * its RFC 7638 thumbprint.
   */
  clientPrivateKey?: ClientKeyOption | undefined;
  /**
   * OIDC_PAR: push every authorization request (RFC 9126) and send the
   * browser with `request_uri` only. Pushed anyway when discovery says
   * `require_pushed_authorization_requests`. Default false.
   */
  pushedAuthorizationRequests?: boolean;
  /** OIDC_TOKEN_REQUEST_ENCODING, default form. `json` sends token requests as a JSON body (seed 001). */
  tokenRequestEncoding?: TokenRequestEncoding;
  /** OIDC_RESOURCE: an RFC 8707 resource indicator sent with authorization and token requests. */
  resource?: string | undefined;
  /** OIDC_AUTH_PARAMS: extra authorization-request parameters. */
  authParams?: Record<string, string>;
  /**
   * OIDC_LOGOUT_ID_TOKEN_HINT: put the ID token into the end-session URL as
   * `id_token_hint`. Default false: that URL goes to the browser, and tokens
   * never do (docs/architecture.md, rule 8); the URL carries `client_id` instead, and some
   * IdPs then ask the user to confirm. When false the ID token is not stored.
   */
  logoutIdTokenHint?: boolean;
  /**
   * OIDC_DPOP=1 (OIDC_DPOP_ALG: ES256 or EdDSA): sender-constrained tokens
   * (RFC 9449). Each session gets its own key pair, sealed with its tokens;
   * the code exchange, every refresh and every proxied request carry a proof
   * signed with it, so a token that leaks without the key is useless.
   * Default false (bearer tokens).
   */
  dpop?: boolean | { algorithm?: DpopAlgorithm };
  /**
   * API_UPSTREAM: `/api/x` is proxied to `${apiUpstream}/x`. The one-API
   * shorthand of `apis` (prefix `/api`, the token of `resource`); give one of the two.
   */
  apiUpstream?: string | undefined;
  /**
   * APIS (a JSON array): several upstream APIs, each under its own path
   * prefix, each with its own access token when it names a `resource`
   * (RFC 8707) or `scopes`: the BFF gets that token from the session's one
   * refresh token, caches it in the session and refreshes it under the same
   * single-flight and compare-and-set rules as the first. An API that names
   * neither uses the session's main token.
   */
  apis?: readonly ApiRoute[] | undefined;
  /** SESSION_SECRET (>= 32 chars): signs the session cookie. Several for rotation: the first signs. */
  sessionSecret: string | readonly string[];
  /** TOKEN_ENCRYPTION_KEY: 32-byte keys; the first encrypts. */
  tokenEncryptionKeys: readonly Buffer[];
  /** SESSION_STORE / REDIS_URL: `memory` (default), `redis`, or a store instance. */
  sessionStore?: 'memory' | 'redis' | SessionStore;
  redisUrl?: string | undefined;
  /** REDIS_CLUSTER_NODES: seeds of a Redis Cluster, `host:port` each (`redisUrl`, if set, gives every node's credentials and TLS). */
  redisClusterNodes?: readonly string[] | undefined;
  /** REDIS_SENTINELS: the sentinels of a Sentinel-managed primary, `host:port` each, with `redisSentinelName`. */
  redisSentinels?: readonly string[] | undefined;
  /** REDIS_SENTINEL_NAME: the name the sentinels monitor the primary under. */
  redisSentinelName?: string | undefined;
  /**
   * The refresh lock and last-failure record shared by replicas. Default: the
   * redis one with `sessionStore: 'redis'`, else in-process (one replica).
   * Give one with a custom `sessionStore` that several replicas share.
   */
  refreshCoordinator?: RefreshCoordinator | undefined;
  /** SESSION_IDLE_TIMEOUT seconds, default 1800. */
  sessionIdleTimeout?: number;
  /** SESSION_ABSOLUTE_TIMEOUT seconds, default 43200 (12 h). */
  sessionAbsoluteTimeout?: number;
  /** REFRESH_SKEW_SECONDS, default 60, never more than a quarter of the token's lifetime. */
  refreshSkewSeconds?: number;
  /** Timeout of every call to the IdP, seconds. Default 5. */
  idpTimeoutSeconds?: number;
  /**
   * How long a refresh grant may run in the background after callers were
   * answered IDP_UNAVAILABLE (seconds; default 60). The grant is not
   * abandoned at idpTimeoutSeconds: the IdP may still rotate the refresh
   * token, and sending the old one again would be reuse.
   */
  refreshGrantTimeoutSeconds?: number;
  /** UPSTREAM_TIMEOUT_SECONDS: how long the API may take to start its answer (the response headers), seconds. Default 30. */
  upstreamTimeoutSeconds?: number;
  /**
   * UPSTREAM_IDLE_TIMEOUT_SECONDS: how long the API may stay silent between two
   * chunks of a response body, seconds. Default 60. A stream that keeps
   * talking (server-sent events) is never cut.
   */
  upstreamIdleTimeoutSeconds?: number;
  /**
   * PROXY_BODY_LIMIT: request bodies up to this many bytes are buffered so that
   * the one replay after an upstream 401 can resend them; larger ones stream
   * to the API and are never replayed. Default 1 MiB, at most
   * PROXY_BODY_LIMIT_MAX (16 MiB): each request in flight may hold this much.
   */
  proxyBodyLimit?: number;
  /** Most sessions the memory store keeps before it evicts the least recently created. Default 100 000. */
  memoryStoreMaxSessions?: number;
  /**
   * Requests per client IP per minute on /auth/login, /auth/callback and
   * /auth/refresh (each counted apart); `false` turns limiting off. Counted
   * per replica. Default { login: 30, callback: 30, refresh: 60 }.
   */
  rateLimit?: { login: number; callback: number; refresh: number; timeWindowMs?: number } | false;
  /**
   * METRICS_PORT: Prometheus text at `/metrics`. Off by default. `{ port }`
   * serves it on a listener of its own (host default 127.0.0.1);
   * `{ bearerToken }` serves it on this app, only to `Authorization: Bearer <token>`.
   */
  metrics?: { port: number; host?: string } | { bearerToken: string } | false;
  /** Integrators' hooks: onSignIn (map claims, or refuse), onSessionEnd, onTokensRefreshed. */
  hooks?: BffHooks;
  /** The session cookie's name when the plugin brings its own @fastify/session (`__Host-` is prepended under https). Default `bff.sid`. */
  cookieName?: string;
  /**
   * Where the management endpoints live, under the mount prefix (`app.register(bff, { prefix })`).
   * Default `/auth`. The redirect URI to register at the IdP is `${publicUrl}${prefix}${authPath}/callback`.
   */
  authPath?: string;
  /** Where the API proxy (and the host's own guarded API routes) live, under the mount prefix. Default `/api`. */
  apiPath?: string;
  /** Liveness and readiness routes: their paths (under the mount prefix), or false to leave health to the host app. Default `{ live: '/healthz', ready: '/readyz' }`. */
  healthRoutes?: { live: string; ready: string } | false;
  /** Whether dev-only test routes (`/auth/__test/*`) exist. Default false. */
  devEndpoints?: boolean;
  /** Injected clock (tests). */
  clock?: Clock;
}

/** One upstream API of `apis`. */
export interface ApiRoute {
  /** Where it is mounted on the BFF, e.g. `/api` or `/billing`: `${prefix}/x` goes to `${upstream}/x`. */
  prefix: string;
  /** Its base URL; a path in it is kept as a base path. */
  upstream: string;
  /** RFC 8707 resource indicator: the audience its access token is for. */
  resource?: string | undefined;
  /** Scopes its token is asked with (space-separated), a subset of what the sign-in granted. */
  scopes?: string | undefined;
}

/** An API after defaults: `tokenKey` names the access token it is proxied with ('' = the session's main token). */
export interface ResolvedApi extends ApiRoute {
  tokenKey: string;
}

/** Options after defaults: what the plugins read. Frozen. */
export interface ResolvedBffOptions extends Required<
  Omit<
    BffOptions,
    | 'clientSecret'
    | 'clientPrivateKey'
    | 'resource'
    | 'redisUrl'
    | 'redisClusterNodes'
    | 'redisSentinels'
    | 'redisSentinelName'
    | 'sessionSecret'
    | 'refreshCoordinator'
    | 'metrics'
    | 'dpop'
    | 'apiUpstream'
    | 'apis'
  >
> {
  /** Every API the proxy serves, the first being `apiUpstream`'s shorthand when that was given. At least one. */
  apis: readonly ResolvedApi[];
  /** The first API's upstream. */
  apiUpstream: string;
  /** DPoP on, with its algorithm; false: bearer tokens. */
  dpop: { algorithm: DpopAlgorithm } | false;
  redisClusterNodes: readonly string[] | undefined;
  redisSentinels: readonly string[] | undefined;
  redisSentinelName: string | undefined;
  refreshCoordinator: RefreshCoordinator | undefined;
  metrics: { port: number; host: string } | { bearerToken: string } | false;
  clientSecret: string | undefined;
  /** The parsed `clientPrivateKey`, the signing key first; empty unless `private_key_jwt`. */
  clientKeys: readonly ClientKey[];
  resource: string | undefined;
  redisUrl: string | undefined;
  sessionSecrets: readonly string[];
  secureCookies: boolean;
  /**
   * Where the plugin is mounted: the host context's prefix joined with the
   * register `prefix` (`''` at the root). `authPath`, `apiPath` and
   * `healthRoutes` above are already joined with it: they are the paths the
   * browser sees. Join any other path with `mountedPath` (paths.ts).
   */
  mountPrefix: string;
}

export const DEFAULTS = {
  scopes: 'openid profile email offline_access',
  tokenRequestEncoding: 'form',
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
} as const;

/** The hard maximum of `proxyBodyLimit`, bytes (16 MiB): what one request may hold in memory for its replay. */
export const PROXY_BODY_LIMIT_MAX = 16 * 1024 * 1024;
