import * as z from 'zod';
import { clientKeyProblem } from './oidc/clientKeys.js';
import { PROXY_BODY_LIMIT_MAX, type BffOptions } from './options.js';
import { DEFAULT_API_PATH, DEFAULT_AUTH_PATH, isWithin } from './paths.js';

/**
 * The ONE validation of the plugin's options. `resolveOptions` runs it on
 * options given in code; `configFromEnv` turns the environment into options
 * (types only: numbers, lists, flags) and runs the same. So every rule holds
 * for both, and a problem is reported under the name the user wrote: the
 * option (`sessionIdleTimeout`) or the variable (`SESSION_IDLE_TIMEOUT`).
 * Messages may name another option as `{option}`; it is rendered the same way.
 */
export const ENV_NAMES = {
  publicUrl: 'BFF_PUBLIC_URL',
  issuer: 'OIDC_ISSUER',
  clientId: 'OIDC_CLIENT_ID',
  clientSecret: 'OIDC_CLIENT_SECRET',
  scopes: 'OIDC_SCOPES',
  tokenAuthMethod: 'OIDC_TOKEN_AUTH_METHOD',
  clientPrivateKey: 'OIDC_CLIENT_PRIVATE_KEY',
  pushedAuthorizationRequests: 'OIDC_PAR',
  tokenRequestEncoding: 'OIDC_TOKEN_REQUEST_ENCODING',
  resource: 'OIDC_RESOURCE',
  authParams: 'OIDC_AUTH_PARAMS',
  logoutIdTokenHint: 'OIDC_LOGOUT_ID_TOKEN_HINT',
  dpop: 'OIDC_DPOP',
  apiUpstream: 'API_UPSTREAM',
  apis: 'APIS',
  sessionSecret: 'SESSION_SECRET',
  tokenEncryptionKeys: 'TOKEN_ENCRYPTION_KEY',
  sessionStore: 'SESSION_STORE',
  redisUrl: 'REDIS_URL',
  redisClusterNodes: 'REDIS_CLUSTER_NODES',
  redisSentinels: 'REDIS_SENTINELS',
  redisSentinelName: 'REDIS_SENTINEL_NAME',
  sessionIdleTimeout: 'SESSION_IDLE_TIMEOUT',
  sessionAbsoluteTimeout: 'SESSION_ABSOLUTE_TIMEOUT',
  refreshSkewSeconds: 'REFRESH_SKEW_SECONDS',
  idpTimeoutSeconds: 'IDP_TIMEOUT_SECONDS',
  upstreamTimeoutSeconds: 'UPSTREAM_TIMEOUT_SECONDS',
  upstreamIdleTimeoutSeconds: 'UPSTREAM_IDLE_TIMEOUT_SECONDS',
  proxyBodyLimit: 'PROXY_BODY_LIMIT',
  devEndpoints: 'BFF_DEV_ENDPOINTS',
  metrics: 'METRICS_PORT',
} as const satisfies Partial<Record<keyof BffOptions, string>>;

/** Whether the check runs for NODE_ENV=production: set by optionProblems for its (synchronous) parse. */
let productionNow = false;

const RESERVED_AUTH_PARAMS = [
  'state',
  'nonce',
  'code_challenge',
  'code_challenge_method',
  'redirect_uri',
  'client_id',
  'response_type',
  'request_uri',
];

const httpUrl = z
  .string({ error: 'must be an http(s) URL' })
  .refine((v) => URL.canParse(v) && /^https?:$/.test(new URL(v).protocol), 'must be an http(s) URL');
const seconds = z
  .number({ error: 'must be a positive whole number of seconds' })
  .int('must be a positive whole number of seconds')
  .positive('must be a positive whole number of seconds');
const positive = z.number({ error: 'must be a positive number' }).positive('must be a positive number').finite('must be a positive number');
const count = z
  .number({ error: 'must be a positive whole number' })
  .int('must be a positive whole number')
  .positive('must be a positive whole number');
const bodyLimitMessage = `must be a whole number of bytes from 0 to ${PROXY_BODY_LIMIT_MAX} (16 MiB); larger bodies stream to the API instead of being buffered`;
const flag = z.boolean({ error: 'must be true or false (0 or 1)' });
const secret = z.string().min(32, 'must be at least 32 characters');
// static segments only: `:` and `*` would be route parameters to Fastify, `?` and `#` end a path
const PATH_SEGMENTS = /^(\/[A-Za-z0-9._~@-]+)+$/;
const routePath = z
  .string({ error: 'must be a path such as /auth' })
  .regex(PATH_SEGMENTS, 'must be a path such as /auth: a leading /, no trailing /, letters, digits and . _ ~ @ - only');
// Fastify's own register option: a trailing slash is fine there, and / is the root
const mountPrefix = z
  .string({ error: 'must be a path such as /bff' })
  .refine(
    (v) => v === '' || v === '/' || PATH_SEGMENTS.test(v.replace(/\/+$/, '').replace(/^(?!\/)/, '/')),
    'must be a path such as /bff: letters, digits and . _ ~ @ - only',
  );
const instance = (what: string, method: string) =>
  z.custom<object>(
    (v) => typeof v === 'object' && v !== null && typeof (v as Record<string, unknown>)[method] === 'function',
    `must be ${what}`,
  );

const schema = z
  .object({
    publicUrl: httpUrl,
    issuer: httpUrl,
    clientId: z.string({ error: 'must not be empty' }).min(1, 'must not be empty'),
    clientSecret: z.string().min(1, 'must not be empty when set').optional(),
    scopes: z.string().min(1, 'must not be empty').optional(),
    tokenAuthMethod: z
      .enum(['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none'], {
        error: 'must be client_secret_basic, client_secret_post, private_key_jwt or none',
      })
      .optional(),
    clientPrivateKey: z
      .unknown()
      .superRefine((value, ctx) => {
        const problem = value === undefined ? undefined : clientKeyProblem(value);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      })
      .optional(),
    pushedAuthorizationRequests: flag.optional(),
    tokenRequestEncoding: z.enum(['form', 'json'], { error: 'must be form or json' }).optional(),
    resource: z
      .string()
      .refine((v) => URL.canParse(v), 'must be an absolute URI')
      .optional(),
    authParams: z
      .record(z.string(), z.string())
      .refine((params) => !Object.keys(params).some((key) => RESERVED_AUTH_PARAMS.includes(key)), {
        error: (issue) =>
          `must not set ${Object.keys(issue.input as object)
            .filter((key) => RESERVED_AUTH_PARAMS.includes(key))
            .join(', ')} (the BFF sets them)`,
      })
      .optional(),
    logoutIdTokenHint: flag.optional(),
    dpop: z
      .union([flag, z.strictObject({ algorithm: z.enum(['ES256', 'EdDSA']).optional() })], {
        error: 'must be true or false (0 or 1), or { algorithm: ES256 | EdDSA } (OIDC_DPOP_ALG)',
      })
      .optional(),
    apiUpstream: httpUrl.optional(),
    apis: z
      .array(
        z.strictObject(
          {
            prefix: z
              .string()
              .regex(/^(\/[A-Za-z0-9._~!$&'()*+,;=:@-]+)+$/, 'each prefix must be a path such as /api or /billing (no trailing slash)'),
            upstream: httpUrl,
            resource: z
              .string()
              .refine((v) => URL.canParse(v), 'each resource must be an absolute URI')
              .optional(),
            scopes: z.string().min(1, 'scopes must not be empty when set').optional(),
          },
          { error: 'must be a JSON array of { prefix, upstream, resource?, scopes? }' },
        ),
        { error: 'must be a JSON array of { prefix, upstream, resource?, scopes? }' },
      )
      .min(1, 'must list at least one API')
      .refine((apis) => new Set(apis.map((api) => api.prefix)).size === apis.length, 'must not list a prefix twice')
      .optional(),
    sessionSecret: z.union([secret, z.array(secret).min(1, 'must list at least one secret')], { error: 'must be at least 32 characters' }),
    tokenEncryptionKeys: z
      .array(z.instanceof(Buffer), { error: 'must be one or more keys of exactly 32 bytes (base64: `openssl rand -base64 32`)' })
      .min(1, 'must be one or more keys of exactly 32 bytes (base64: `openssl rand -base64 32`)')
      .refine(
        (keys) => keys.every((key) => key.length === 32),
        'must be one or more keys of exactly 32 bytes (base64: `openssl rand -base64 32`)',
      ),
    sessionStore: z
      .union([z.enum(['memory', 'redis']), instance('a SessionStore', 'updateTokens')], {
        error: 'must be memory or redis (or a SessionStore)',
      })
      .optional(),
    redisUrl: z
      .string()
      .refine((v) => URL.canParse(v) && /^rediss?:$/.test(new URL(v).protocol), 'must be a redis:// or rediss:// URL')
      .optional(),
    redisClusterNodes: z
      .array(z.string().regex(/^[^\s:]+:\d{1,5}$/, 'must list host:port, comma-separated'), {
        error: 'must list host:port, comma-separated',
      })
      .min(1, 'must list host:port, comma-separated')
      .optional(),
    redisSentinels: z
      .array(z.string().regex(/^[^\s:]+:\d{1,5}$/, 'must list host:port, comma-separated'), {
        error: 'must list host:port, comma-separated',
      })
      .min(1, 'must list host:port, comma-separated')
      .optional(),
    redisSentinelName: z.string().min(1, 'must not be empty').optional(),
    refreshCoordinator: instance('a RefreshCoordinator', 'acquireRefreshLock').optional(),
    sessionIdleTimeout: seconds.optional(),
    sessionAbsoluteTimeout: seconds.optional(),
    refreshSkewSeconds: z
      .number({ error: 'must be a whole number of seconds, 0 or more' })
      .int('must be a whole number of seconds, 0 or more')
      .min(0, 'must be a whole number of seconds, 0 or more')
      .optional(),
    idpTimeoutSeconds: positive.optional(),
    refreshGrantTimeoutSeconds: positive.optional(),
    upstreamTimeoutSeconds: positive.optional(),
    upstreamIdleTimeoutSeconds: positive.optional(),
    proxyBodyLimit: z
      .number({ error: bodyLimitMessage })
      .int(bodyLimitMessage)
      .min(0, bodyLimitMessage)
      .max(PROXY_BODY_LIMIT_MAX, bodyLimitMessage)
      .optional(),
    memoryStoreMaxSessions: count.optional(),
    rateLimit: z
      .union([z.literal(false), z.object({ login: count, callback: count, refresh: count, timeWindowMs: count.optional() })], {
        error: 'must be false or { login, callback, refresh }',
      })
      .optional(),
    metrics: z
      .union(
        [
          z.literal(false),
          z.strictObject({ port: z.number().int().min(0).max(65_535), host: z.string().min(1).optional() }),
          z.strictObject({ bearerToken: z.string().min(32, 'bearerToken must be at least 32 characters') }),
        ],
        { error: 'must be false, { port, host? } or { bearerToken } (METRICS_PORT: a port number)' },
      )
      .optional(),
    hooks: z
      .object(
        {
          onSignIn: z.custom<() => unknown>((v) => typeof v === 'function', 'onSignIn must be a function').optional(),
          onSessionEnd: z.custom<() => unknown>((v) => typeof v === 'function', 'onSessionEnd must be a function').optional(),
          onTokensRefreshed: z.custom<() => unknown>((v) => typeof v === 'function', 'onTokensRefreshed must be a function').optional(),
        },
        { error: 'must be an object of hook functions' },
      )
      .optional(),
    cookieName: z
      .string()
      .regex(/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/, "must be a cookie name (letters, digits, and !#$%&'*+-.^_`|~)")
      .optional(),
    prefix: mountPrefix.optional(),
    authPath: routePath.optional(),
    apiPath: routePath.optional(),
    healthRoutes: z
      .union([z.literal(false), z.object({ live: routePath, ready: routePath })], {
        error: 'must be false or { live, ready } paths such as /healthz',
      })
      .optional(),
    devEndpoints: flag.optional(),
    clock: z.custom<() => number>((v) => typeof v === 'function', 'must be a function returning epoch milliseconds').optional(),
  })
  .superRefine((o, ctx) => {
    const production = productionNow;
    if (o.apiUpstream === undefined && o.apis === undefined)
      ctx.addIssue({ code: 'custom', path: ['apiUpstream'], message: 'is required (or {apis}: several APIs)' });
    if (o.apiUpstream !== undefined && o.apis !== undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['apis'],
        message: 'cannot be combined with {apiUpstream}, its one-API shorthand: name the APIs in one place',
      });
    const method = o.tokenAuthMethod ?? (o.clientSecret ? 'client_secret_basic' : 'none');
    if (method === 'private_key_jwt') {
      if (o.clientPrivateKey === undefined)
        ctx.addIssue({ code: 'custom', path: ['clientPrivateKey'], message: 'is required with {tokenAuthMethod}=private_key_jwt' });
    } else if (method !== 'none' && !o.clientSecret) {
      ctx.addIssue({ code: 'custom', path: ['clientSecret'], message: `is required with {tokenAuthMethod}=${method}` });
    }
    if (o.sessionStore === 'redis' && !o.redisUrl && !o.redisClusterNodes && !o.redisSentinels) {
      ctx.addIssue({
        code: 'custom',
        path: ['redisUrl'],
        message: 'is required when {sessionStore}=redis (or {redisClusterNodes}, or {redisSentinels})',
      });
    }
    if (o.redisClusterNodes && o.redisSentinels)
      ctx.addIssue({ code: 'custom', path: ['redisSentinels'], message: 'cannot be combined with {redisClusterNodes}: name one topology' });
    if (o.redisSentinels && !o.redisSentinelName)
      ctx.addIssue({ code: 'custom', path: ['redisSentinelName'], message: 'is required with {redisSentinels}' });
    if (o.sessionAbsoluteTimeout !== undefined && o.sessionIdleTimeout !== undefined && o.sessionAbsoluteTimeout < o.sessionIdleTimeout) {
      ctx.addIssue({ code: 'custom', path: ['sessionAbsoluteTimeout'], message: 'must not be shorter than {sessionIdleTimeout}' });
    }
    if (production && !o.publicUrl.startsWith('https://')) {
      ctx.addIssue({ code: 'custom', path: ['publicUrl'], message: 'must be https when NODE_ENV=production (cookies must be Secure)' });
    }
    const authPath = o.authPath ?? DEFAULT_AUTH_PATH;
    if (o.apis && o.apiPath !== undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['apiPath'],
        message: "is the one-API shorthand's path: with {apis}, give each API its prefix there",
      });
    // the host-route guard asks every route under an API path for X-CSRF and a session: sign-in and health would fail there
    const apiPaths = o.apis ? o.apis.map((api) => api.prefix) : [o.apiPath ?? DEFAULT_API_PATH];
    const apiOption = o.apis ? 'apis' : 'apiPath';
    for (const apiPath of apiPaths) {
      if (isWithin(authPath, apiPath) || isWithin(apiPath, authPath)) {
        ctx.addIssue({ code: 'custom', path: [apiOption], message: `must not be ${authPath} ({authPath}), lie under it or contain it` });
      }
    }
    for (const health of o.healthRoutes ? [o.healthRoutes.live, o.healthRoutes.ready] : []) {
      if (isWithin(health, authPath) || apiPaths.some((apiPath) => isWithin(health, apiPath))) {
        ctx.addIssue({ code: 'custom', path: ['healthRoutes'], message: `${health} must not lie under {${apiOption}} or {authPath}` });
      }
    }
    if (production && o.devEndpoints)
      ctx.addIssue({ code: 'custom', path: ['devEndpoints'], message: 'must not be enabled when NODE_ENV=production' });
  });

/**
 * Every problem with the options, each as `name: message`, names in the
 * caller's language: option names, or with `env` the variable names.
 * Fields the caller did not set are checked against their defaults too.
 */
export function optionProblems(
  options: BffOptions,
  defaults: Partial<BffOptions>,
  naming: 'options' | 'env',
  production: boolean,
): string[] {
  const withDefaults = { ...defaults, ...stripUndefined(options) };
  productionNow = production;
  const parsed = schema.safeParse(withDefaults);
  if (parsed.success) return [];
  const nameOf = (option: string) => (naming === 'env' ? ((ENV_NAMES as Record<string, string>)[option] ?? option) : option);
  const seen = new Set<string>();
  const problems: string[] = [];
  for (const issue of parsed.error.issues) {
    const option = String(issue.path[0] ?? '');
    if (seen.has(option)) continue; // one problem per name is enough to fix it
    seen.add(option);
    problems.push(`${nameOf(option)}: ${issue.message.replace(/\{(\w+)\}/g, (_, other: string) => nameOf(other))}`);
  }
  return problems;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
