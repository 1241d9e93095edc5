import * as z from 'zod';
import { systemClock } from './clock.js';
import { parseEncryptionKeys } from './crypto/tokenCipher.js';
import { parseClientKeys } from './oidc/clientKeys.js';
import { DEFAULTS, type ApiRoute, type BffOptions, type ResolvedApi, type ResolvedBffOptions } from './options.js';
import { optionProblems } from './optionsSchema.js';
import type { DpopAlgorithm } from './oidc/dpop.js';
import { DEFAULT_API_PATH, DEFAULT_AUTH_PATH, mountedPath, normalizePrefix } from './paths.js';

/**
 * Configuration from the environment (README, "Configuration"). Parsed
 * once at startup; a bad value stops the start with ONE message that lists
 * every bad variable by name.
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly code = 'BFF_ERR_CONFIG';
  constructor(readonly problems: readonly string[]) {
    super(`Invalid BFF configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** Development defaults: one command runs the demo. Never used when NODE_ENV=production. */
export const DEV_DEFAULTS = {
  BFF_PUBLIC_URL: 'http://localhost:3000',
  OIDC_ISSUER: 'http://localhost:4000',
  OIDC_CLIENT_ID: 'bff-demo',
  OIDC_CLIENT_SECRET: 'bff-demo-secret',
  API_UPSTREAM: 'http://localhost:4001',
  SESSION_SECRET: 'dev-only-session-secret-0123456789abcdef',
  // 32 bytes, base64: dev only, printed nowhere, refused in production
  TOKEN_ENCRYPTION_KEY: 'ZGV2LW9ubHktdG9rZW4ta2V5LTMyLWJ5dGVzLWxvbmc=',
} as const;

const REQUIRED_IN_PRODUCTION = Object.keys(DEV_DEFAULTS) as Array<keyof typeof DEV_DEFAULTS>;

/**
 * The client key `OIDC_TOKEN_AUTH_METHOD=private_key_jwt` signs with when
 * OIDC_CLIENT_PRIVATE_KEY is unset: dev only (the dev IdP's seed-000 profile
 * fetches the BFF's JWKS, so any key works there), refused in production.
 * It is in this public source: it proves nothing about who holds it.
 */
export const DEV_CLIENT_PRIVATE_KEY = JSON.stringify({
  kty: 'EC',
  crv: 'P-256',
  x: 'CLKhseuAA-YgTeehWSQZyoIkplqudTvY2ePT-BOpAqI',
  y: 'kDJqcZ0VDuXpXIi_SptdTS4zEvTGRLuvDG-bpG8PC2I',
  d: 'J9qBf-P4GafEJlYZLpoIqfesV93Wu4HSQt8IyhsDG6I',
  kid: 'bff-dev-key-1',
});

// the server's own settings; everything else is a plugin option, checked by optionsSchema.ts
const serverSchema = z.object({
  PORT: z.coerce
    .number({ error: 'must be a port number' })
    .int('must be a port number')
    .min(0, 'must be a port number')
    .max(65_535, 'must be a port number')
    .default(3000),
  HOST: z.string().default('localhost'),
  // Fastify's trustProxy: whose X-Forwarded-* to believe (true: any; or the proxies' IPs/CIDRs)
  TRUST_PROXY: z
    .string()
    .optional()
    .transform((value): boolean | string[] => {
      if (value === undefined || value === 'false' || value === '0') return false;
      if (value === 'true' || value === '1') return true;
      return value.split(',').map((part) => part.trim());
    }),
});

export interface ServerConfig {
  port: number;
  host: string;
  /** Fastify's trustProxy (TRUST_PROXY): false, true, or the proxies' IPs/CIDRs. */
  trustProxy: boolean | string[];
  production: boolean;
  bff: BffOptions;
}

/**
 * Reads the variables of the configuration table (README). The environment is
 * turned into plugin options (types only), then checked by the same schema
 * as options given in code; problems are named by variable. Throws
 * ConfigError listing every bad or (in production) missing variable.
 */
export function configFromEnv(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const production = env.NODE_ENV === 'production';
  const problems: string[] = [];
  const source: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(env)) source[name] = value === '' ? undefined : value;
  for (const name of REQUIRED_IN_PRODUCTION) {
    if (source[name] !== undefined) continue;
    // APIS names the upstreams itself: API_UPSTREAM is its one-API shorthand, neither required nor defaulted then
    if (name === 'API_UPSTREAM' && source.APIS !== undefined) continue;
    if (production) {
      // a public client legitimately has no secret
      if (name !== 'OIDC_CLIENT_SECRET') problems.push(`${name}: is required when NODE_ENV=production`);
    } else if (!(name === 'OIDC_CLIENT_SECRET' && source.OIDC_TOKEN_AUTH_METHOD === 'none')) {
      source[name] = DEV_DEFAULTS[name];
    }
  }
  if (!production && source.OIDC_TOKEN_AUTH_METHOD === 'private_key_jwt') source.OIDC_CLIENT_PRIVATE_KEY ??= DEV_CLIENT_PRIVATE_KEY;
  const server = serverSchema.safeParse(source);
  if (!server.success) for (const issue of server.error.issues) problems.push(`${issue.path.join('.')}: ${issue.message}`);

  const options = optionsFromEnv(source);
  // a variable already reported as missing needs no second line
  const missing = new Set(problems.map((problem) => problem.split(':')[0]));
  for (const problem of optionProblems(options, DEFAULTS, 'env', production)) {
    if (!missing.has(problem.split(':')[0])) problems.push(problem);
  }
  if (problems.length > 0 || !server.success) throw new ConfigError(problems);
  // what the server will run with, defaults filled in, so that it can be logged and inspected
  const bff: BffOptions = {
    scopes: DEFAULTS.scopes,
    tokenRequestEncoding: DEFAULTS.tokenRequestEncoding,
    sessionStore: 'memory',
    sessionIdleTimeout: DEFAULTS.sessionIdleTimeout,
    sessionAbsoluteTimeout: DEFAULTS.sessionAbsoluteTimeout,
    refreshSkewSeconds: DEFAULTS.refreshSkewSeconds,
    idpTimeoutSeconds: DEFAULTS.idpTimeoutSeconds,
    authParams: {},
    logoutIdTokenHint: false,
    pushedAuthorizationRequests: false,
    devEndpoints: false,
    ...options,
    tokenAuthMethod: options.tokenAuthMethod ?? (options.clientSecret ? 'client_secret_basic' : 'none'),
  };
  return Object.freeze({
    port: server.data.PORT,
    host: server.data.HOST,
    trustProxy: server.data.TRUST_PROXY,
    production,
    bff: Object.freeze(bff),
  });
}

/** The environment as plugin options: strings become numbers, lists, keys and flags; nothing is judged here. */
function optionsFromEnv(e: Record<string, string | undefined>): BffOptions {
  const number = (value: string | undefined) => (value === undefined ? undefined : Number(value));
  const list = (value: string | undefined) =>
    value
      ?.split(',')
      .map((part) => part.trim())
      .filter(Boolean);
  const bool = (value: string | undefined): boolean | undefined => {
    if (value === undefined) return undefined;
    if (value === '1' || value === 'true') return true;
    if (value === '0' || value === 'false') return false;
    return value as unknown as boolean; // the schema says what is wrong with it, by name
  };
  const method = e.OIDC_TOKEN_AUTH_METHOD as BffOptions['tokenAuthMethod'];
  const options: BffOptions = {
    publicUrl: e.BFF_PUBLIC_URL?.replace(/\/+$/, '') as string,
    issuer: e.OIDC_ISSUER as string,
    clientId: e.OIDC_CLIENT_ID as string,
    clientSecret: method === 'none' || method === 'private_key_jwt' ? undefined : e.OIDC_CLIENT_SECRET,
    clientPrivateKey: method === 'private_key_jwt' ? e.OIDC_CLIENT_PRIVATE_KEY : undefined,
    pushedAuthorizationRequests: bool(e.OIDC_PAR),
    scopes: e.OIDC_SCOPES,
    tokenAuthMethod: method,
    tokenRequestEncoding: e.OIDC_TOKEN_REQUEST_ENCODING as BffOptions['tokenRequestEncoding'],
    resource: e.OIDC_RESOURCE,
    authParams: e.OIDC_AUTH_PARAMS === undefined ? undefined : Object.fromEntries(new URLSearchParams(e.OIDC_AUTH_PARAMS)),
    logoutIdTokenHint: bool(e.OIDC_LOGOUT_ID_TOKEN_HINT),
    dpop: dpopFromEnv(bool(e.OIDC_DPOP), e.OIDC_DPOP_ALG),
    apiUpstream: e.API_UPSTREAM?.replace(/\/+$/, ''),
    apis: e.APIS === undefined ? undefined : jsonOr(e.APIS),
    sessionSecret: (e.SESSION_SECRET ?? '').split(',').map((part) => part.trim()),
    tokenEncryptionKeys: e.TOKEN_ENCRYPTION_KEY === undefined ? [] : parseEncryptionKeys(e.TOKEN_ENCRYPTION_KEY),
    sessionStore: e.SESSION_STORE as BffOptions['sessionStore'],
    redisUrl: e.REDIS_URL,
    redisClusterNodes: list(e.REDIS_CLUSTER_NODES),
    redisSentinels: list(e.REDIS_SENTINELS),
    redisSentinelName: e.REDIS_SENTINEL_NAME,
    sessionIdleTimeout: number(e.SESSION_IDLE_TIMEOUT),
    sessionAbsoluteTimeout: number(e.SESSION_ABSOLUTE_TIMEOUT),
    refreshSkewSeconds: number(e.REFRESH_SKEW_SECONDS),
    idpTimeoutSeconds: number(e.IDP_TIMEOUT_SECONDS),
    upstreamTimeoutSeconds: number(e.UPSTREAM_TIMEOUT_SECONDS),
    upstreamIdleTimeoutSeconds: number(e.UPSTREAM_IDLE_TIMEOUT_SECONDS),
    proxyBodyLimit: number(e.PROXY_BODY_LIMIT),
    devEndpoints: bool(e.BFF_DEV_ENDPOINTS),
    metrics: e.METRICS_PORT === undefined ? undefined : { port: Number(e.METRICS_PORT) },
  };
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as unknown as BffOptions;
}

/** A JSON variable's value, or the raw string when it is not JSON: then the schema says what is wrong, by name. */
function jsonOr<T>(value: string): T {
  try {
    return JSON.parse(value) as T;
  } catch {
    return value as unknown as T;
  }
}

/**
 * The APIs the proxy serves: `apis`, or `apiUpstream` as the one API at
 * `apiPath` (`/api`), their prefixes mounted. Each gets the key of the access token it is proxied with: the
 * session's main token ('') when it names no resource other than the main
 * one and no scopes, else a token of its own per resource and scopes.
 */
function resolveApis(options: BffOptions, mainResource: string | undefined, mounted: (path: string) => string): ResolvedApi[] {
  const apis: readonly ApiRoute[] = options.apis ?? [
    { prefix: options.apiPath ?? DEFAULT_API_PATH, upstream: options.apiUpstream!, resource: options.resource },
  ];
  return apis.map((api) => {
    const ownToken = (api.resource !== undefined && api.resource !== mainResource) || api.scopes !== undefined;
    return Object.freeze({
      prefix: mounted(api.prefix),
      upstream: api.upstream.replace(/\/+$/, ''),
      resource: api.resource,
      scopes: api.scopes,
      tokenKey: ownToken ? `${api.resource ?? ''} ${api.scopes ?? ''}`.trim() : '',
    });
  });
}

/** OIDC_DPOP and OIDC_DPOP_ALG as the `dpop` option: an algorithm alone does not turn DPoP on. */
function dpopFromEnv(on: boolean | undefined, algorithm: string | undefined): BffOptions['dpop'] {
  if (on !== true || algorithm === undefined) return on;
  return { algorithm: algorithm as DpopAlgorithm }; // the schema judges it, naming OIDC_DPOP_ALG
}

/**
 * Checks plugin options with the one schema (optionsSchema.ts), names the
 * exact option, and applies defaults. `prefix` is Fastify's register option
 * and `contextPrefix` the prefix of the context the plugin is registered in:
 * the paths come out joined with both, as the browser sees them.
 */
export function resolveOptions(options: BffOptions & { prefix?: string }, contextPrefix = ''): ResolvedBffOptions {
  const problems = optionProblems(options, DEFAULTS, 'options', process.env.NODE_ENV === 'production');
  if (problems.length > 0) throw new ConfigError(problems);
  const mountPrefix = mountedPath(contextPrefix, normalizePrefix(options.prefix));
  const mounted = (path: string) => mountedPath(mountPrefix, path);
  const health = options.healthRoutes === false ? false : (options.healthRoutes ?? { live: '/healthz', ready: '/readyz' });
  const method = options.tokenAuthMethod ?? (options.clientSecret ? 'client_secret_basic' : 'none');
  const secrets = typeof options.sessionSecret === 'string' ? [options.sessionSecret] : [...options.sessionSecret];
  // the main token is for OIDC_RESOURCE, else for the first API's resource
  const mainResource = options.resource ?? options.apis?.[0]?.resource;
  const apis = resolveApis(options, mainResource, mounted);
  return Object.freeze({
    publicUrl: options.publicUrl.replace(/\/+$/, ''),
    issuer: options.issuer,
    clientId: options.clientId,
    clientSecret: method === 'none' || method === 'private_key_jwt' ? undefined : options.clientSecret,
    clientKeys:
      method === 'private_key_jwt' && options.clientPrivateKey !== undefined
        ? Object.freeze(parseClientKeys(options.clientPrivateKey))
        : [],
    pushedAuthorizationRequests: options.pushedAuthorizationRequests ?? false,
    scopes: options.scopes ?? DEFAULTS.scopes,
    tokenAuthMethod: method,
    tokenRequestEncoding: options.tokenRequestEncoding ?? DEFAULTS.tokenRequestEncoding,
    resource: mainResource,
    authParams: options.authParams ?? {},
    logoutIdTokenHint: options.logoutIdTokenHint ?? false,
    dpop: options.dpop ? { algorithm: (options.dpop === true ? undefined : options.dpop.algorithm) ?? 'ES256' } : false,
    apis: Object.freeze(apis),
    apiUpstream: apis[0]!.upstream,
    sessionSecrets: Object.freeze(secrets),
    tokenEncryptionKeys: options.tokenEncryptionKeys,
    sessionStore: options.sessionStore ?? 'memory',
    refreshCoordinator: options.refreshCoordinator,
    redisUrl: options.redisUrl,
    redisClusterNodes: options.redisClusterNodes,
    redisSentinels: options.redisSentinels,
    redisSentinelName: options.redisSentinelName,
    sessionIdleTimeout: options.sessionIdleTimeout ?? DEFAULTS.sessionIdleTimeout,
    sessionAbsoluteTimeout: options.sessionAbsoluteTimeout ?? DEFAULTS.sessionAbsoluteTimeout,
    refreshSkewSeconds: options.refreshSkewSeconds ?? DEFAULTS.refreshSkewSeconds,
    idpTimeoutSeconds: options.idpTimeoutSeconds ?? DEFAULTS.idpTimeoutSeconds,
    refreshGrantTimeoutSeconds: Math.max(
      options.refreshGrantTimeoutSeconds ?? DEFAULTS.refreshGrantTimeoutSeconds,
      options.idpTimeoutSeconds ?? DEFAULTS.idpTimeoutSeconds,
    ),
    upstreamTimeoutSeconds: options.upstreamTimeoutSeconds ?? DEFAULTS.upstreamTimeoutSeconds,
    upstreamIdleTimeoutSeconds: options.upstreamIdleTimeoutSeconds ?? DEFAULTS.upstreamIdleTimeoutSeconds,
    proxyBodyLimit: options.proxyBodyLimit ?? DEFAULTS.proxyBodyLimit,
    memoryStoreMaxSessions: options.memoryStoreMaxSessions ?? DEFAULTS.memoryStoreMaxSessions,
    devEndpoints: options.devEndpoints ?? false,
    metrics: !options.metrics
      ? false
      : 'port' in options.metrics
        ? { port: options.metrics.port, host: options.metrics.host ?? '127.0.0.1' }
        : options.metrics,
    hooks: options.hooks ?? {},
    cookieName: options.cookieName ?? 'bff.sid',
    mountPrefix,
    authPath: mounted(options.authPath ?? DEFAULT_AUTH_PATH),
    apiPath: apis[0]!.prefix,
    healthRoutes: health && { live: mounted(health.live), ready: mounted(health.ready) },
    rateLimit: options.rateLimit === false ? false : { ...DEFAULTS.rateLimit, ...options.rateLimit },
    clock: options.clock ?? systemClock,
    secureCookies: options.publicUrl.startsWith('https://'),
  });
}
