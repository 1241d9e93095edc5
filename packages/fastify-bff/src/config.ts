import * as z from 'zod';
import { systemClock } from './clock.js';
import { parseEncryptionKeys } from './crypto/tokenCipher.js';
import { DEFAULTS, type BffOptions, type ResolvedBffOptions } from './options.js';

/**
 * Configuration from the environment (DESIGN.md, "Configuration"). Parsed
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

const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });
const seconds = z.coerce.number({ error: 'must be a number of seconds' }).int('must be a whole number of seconds').positive('must be positive');

const envSchema = z.object({
  PORT: z.coerce.number({ error: 'must be a port number' }).int().min(0).max(65_535).default(3000),
  HOST: z.string().default('localhost'),
  BFF_PUBLIC_URL: httpUrl.transform((u) => u.replace(/\/+$/, '')),
  OIDC_ISSUER: httpUrl,
  OIDC_CLIENT_ID: z.string().min(1, 'must not be empty'),
  OIDC_CLIENT_SECRET: z.string().min(1, 'must not be empty when set').optional(),
  OIDC_SCOPES: z.string().min(1).default(DEFAULTS.scopes),
  OIDC_TOKEN_AUTH_METHOD: z.enum(['client_secret_basic', 'client_secret_post', 'none'], { error: 'must be client_secret_basic, client_secret_post or none' }).optional(),
  OIDC_TOKEN_REQUEST_ENCODING: z.enum(['form', 'json'], { error: 'must be form or json' }).default('form'),
  OIDC_RESOURCE: z.url({ error: 'must be an absolute URI' }).optional(),
  OIDC_AUTH_PARAMS: z.string().optional(),
  API_UPSTREAM: httpUrl.transform((u) => u.replace(/\/+$/, '')),
  SESSION_SECRET: z.string().min(32, 'must be at least 32 characters'),
  TOKEN_ENCRYPTION_KEY: z.string().refine(
    (value) => {
      const keys = parseEncryptionKeys(value);
      return keys.length > 0 && keys.every((key) => key.length === 32);
    },
    { error: 'must be one or more comma-separated base64 keys of exactly 32 bytes (e.g. `openssl rand -base64 32`)' },
  ),
  SESSION_STORE: z.enum(['memory', 'redis'], { error: 'must be memory or redis' }).default('memory'),
  REDIS_URL: z.url({ protocol: /^rediss?$/, error: 'must be a redis:// or rediss:// URL' }).optional(),
  SESSION_IDLE_TIMEOUT: seconds.default(DEFAULTS.sessionIdleTimeout),
  SESSION_ABSOLUTE_TIMEOUT: seconds.default(DEFAULTS.sessionAbsoluteTimeout),
  REFRESH_SKEW_SECONDS: z.coerce.number({ error: 'must be a number of seconds' }).int().min(0, 'must not be negative').default(DEFAULTS.refreshSkewSeconds),
  IDP_TIMEOUT_SECONDS: seconds.default(DEFAULTS.idpTimeoutSeconds),
  BFF_DEV_ENDPOINTS: z.enum(['0', '1', 'true', 'false']).optional(),
  OIDC_LOGOUT_ID_TOKEN_HINT: z.enum(['0', '1', 'true', 'false'], { error: 'must be 0, 1, true or false' }).optional(),
});

export interface ServerConfig {
  port: number;
  host: string;
  production: boolean;
  bff: BffOptions;
}

/** Reads DESIGN.md's variables. Throws ConfigError naming every bad or (in production) missing variable. */
export function configFromEnv(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const production = env.NODE_ENV === 'production';
  const problems: string[] = [];
  const source: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(env)) source[name] = value === '' ? undefined : value;
  for (const name of REQUIRED_IN_PRODUCTION) {
    if (source[name] !== undefined) continue;
    if (production) {
      // a public client legitimately has no secret
      if (name !== 'OIDC_CLIENT_SECRET') problems.push(`${name}: is required when NODE_ENV=production`);
    } else if (!(name === 'OIDC_CLIENT_SECRET' && source.OIDC_TOKEN_AUTH_METHOD === 'none')) {
      source[name] = DEV_DEFAULTS[name];
    }
  }
  const parsed = envSchema.safeParse(source);
  if (!parsed.success) {
    const missing = new Set(problems.map((problem) => problem.split(':')[0]));
    for (const issue of parsed.error.issues) {
      const name = issue.path.join('.');
      // a variable already reported as missing needs no second line
      if (!missing.has(name)) problems.push(`${name}: ${issue.message}`);
    }
  }
  if (problems.length > 0 || !parsed.success) throw new ConfigError(problems);
  const e = parsed.data;

  if (e.SESSION_STORE === 'redis' && !e.REDIS_URL) problems.push('REDIS_URL: is required when SESSION_STORE=redis');
  if (e.SESSION_ABSOLUTE_TIMEOUT < e.SESSION_IDLE_TIMEOUT) {
    problems.push('SESSION_ABSOLUTE_TIMEOUT: must not be shorter than SESSION_IDLE_TIMEOUT');
  }
  const method = e.OIDC_TOKEN_AUTH_METHOD ?? (e.OIDC_CLIENT_SECRET ? 'client_secret_basic' : 'none');
  if (method !== 'none' && !e.OIDC_CLIENT_SECRET) problems.push(`OIDC_CLIENT_SECRET: is required with OIDC_TOKEN_AUTH_METHOD=${method}`);
  let authParams: Record<string, string> = {};
  if (e.OIDC_AUTH_PARAMS) {
    authParams = Object.fromEntries(new URLSearchParams(e.OIDC_AUTH_PARAMS));
    const reserved = ['state', 'nonce', 'code_challenge', 'code_challenge_method', 'redirect_uri', 'client_id', 'response_type'];
    const clash = Object.keys(authParams).filter((key) => reserved.includes(key));
    if (clash.length > 0) problems.push(`OIDC_AUTH_PARAMS: must not set ${clash.join(', ')} (the BFF sets them)`);
  }
  if (production && !e.BFF_PUBLIC_URL.startsWith('https://')) {
    problems.push('BFF_PUBLIC_URL: must be https when NODE_ENV=production (cookies must be Secure)');
  }
  if (problems.length > 0) throw new ConfigError(problems);

  return Object.freeze({
    port: e.PORT,
    host: e.HOST,
    production,
    bff: Object.freeze({
      publicUrl: e.BFF_PUBLIC_URL,
      issuer: e.OIDC_ISSUER,
      clientId: e.OIDC_CLIENT_ID,
      clientSecret: method === 'none' ? undefined : e.OIDC_CLIENT_SECRET,
      scopes: e.OIDC_SCOPES,
      tokenAuthMethod: method,
      tokenRequestEncoding: e.OIDC_TOKEN_REQUEST_ENCODING,
      resource: e.OIDC_RESOURCE,
      authParams,
      logoutIdTokenHint: e.OIDC_LOGOUT_ID_TOKEN_HINT === '1' || e.OIDC_LOGOUT_ID_TOKEN_HINT === 'true',
      apiUpstream: e.API_UPSTREAM,
      sessionSecret: e.SESSION_SECRET.split(',').map((s) => s.trim()),
      tokenEncryptionKeys: parseEncryptionKeys(e.TOKEN_ENCRYPTION_KEY),
      sessionStore: e.SESSION_STORE,
      redisUrl: e.REDIS_URL,
      sessionIdleTimeout: e.SESSION_IDLE_TIMEOUT,
      sessionAbsoluteTimeout: e.SESSION_ABSOLUTE_TIMEOUT,
      refreshSkewSeconds: e.REFRESH_SKEW_SECONDS,
      idpTimeoutSeconds: e.IDP_TIMEOUT_SECONDS,
      devEndpoints: !production && (e.BFF_DEV_ENDPOINTS === '1' || e.BFF_DEV_ENDPOINTS === 'true'),
    }),
  });
}

/** Checks plugin options (named as options, not env variables) and applies defaults. */
export function resolveOptions(options: BffOptions): ResolvedBffOptions {
  const problems: string[] = [];
  const need = (ok: boolean, message: string) => ok || problems.push(message);
  const isUrl = (value: unknown) => typeof value === 'string' && URL.canParse(value) && /^https?:$/.test(new URL(value).protocol);
  need(isUrl(options.publicUrl), 'publicUrl must be an http(s) URL');
  need(isUrl(options.issuer), 'issuer must be an http(s) URL');
  need(typeof options.clientId === 'string' && options.clientId.length > 0, 'clientId must be a non-empty string');
  need(isUrl(options.apiUpstream), 'apiUpstream must be an http(s) URL');
  const secrets = typeof options.sessionSecret === 'string' ? [options.sessionSecret] : [...(options.sessionSecret ?? [])];
  need(secrets.length > 0 && secrets.every((s) => typeof s === 'string' && s.length >= 32), 'sessionSecret must be at least 32 characters');
  need(
    Array.isArray(options.tokenEncryptionKeys) && options.tokenEncryptionKeys.length > 0 && options.tokenEncryptionKeys.every((k) => k.length === 32),
    'tokenEncryptionKeys must be one or more 32-byte keys',
  );
  const method = options.tokenAuthMethod ?? (options.clientSecret ? 'client_secret_basic' : 'none');
  need(method === 'none' || Boolean(options.clientSecret), `clientSecret is required with tokenAuthMethod ${method}`);
  const positive = (name: keyof BffOptions, value: number | undefined) =>
    need(value === undefined || (Number.isFinite(value) && value > 0), `${name} must be a positive number`);
  positive('sessionIdleTimeout', options.sessionIdleTimeout);
  positive('sessionAbsoluteTimeout', options.sessionAbsoluteTimeout);
  positive('idpTimeoutSeconds', options.idpTimeoutSeconds);
  positive('upstreamTimeoutSeconds', options.upstreamTimeoutSeconds);
  positive('refreshGrantTimeoutSeconds', options.refreshGrantTimeoutSeconds);
  positive('proxyBodyLimit', options.proxyBodyLimit);
  need(options.refreshSkewSeconds === undefined || options.refreshSkewSeconds >= 0, 'refreshSkewSeconds must not be negative');
  need(options.sessionStore !== 'redis' || Boolean(options.redisUrl), 'redisUrl is required with sessionStore redis');
  need(!(options.devEndpoints && process.env.NODE_ENV === 'production'), 'devEndpoints must not be enabled when NODE_ENV=production');
  if (problems.length > 0) throw new ConfigError(problems);

  return Object.freeze({
    publicUrl: options.publicUrl.replace(/\/+$/, ''),
    issuer: options.issuer,
    clientId: options.clientId,
    clientSecret: method === 'none' ? undefined : options.clientSecret,
    scopes: options.scopes ?? DEFAULTS.scopes,
    tokenAuthMethod: method,
    tokenRequestEncoding: options.tokenRequestEncoding ?? DEFAULTS.tokenRequestEncoding,
    resource: options.resource,
    authParams: options.authParams ?? {},
    logoutIdTokenHint: options.logoutIdTokenHint ?? false,
    apiUpstream: options.apiUpstream.replace(/\/+$/, ''),
    sessionSecrets: Object.freeze(secrets),
    tokenEncryptionKeys: options.tokenEncryptionKeys,
    sessionStore: options.sessionStore ?? 'memory',
    refreshCoordinator: options.refreshCoordinator,
    redisUrl: options.redisUrl,
    sessionIdleTimeout: options.sessionIdleTimeout ?? DEFAULTS.sessionIdleTimeout,
    sessionAbsoluteTimeout: options.sessionAbsoluteTimeout ?? DEFAULTS.sessionAbsoluteTimeout,
    refreshSkewSeconds: options.refreshSkewSeconds ?? DEFAULTS.refreshSkewSeconds,
    idpTimeoutSeconds: options.idpTimeoutSeconds ?? DEFAULTS.idpTimeoutSeconds,
    refreshGrantTimeoutSeconds: Math.max(options.refreshGrantTimeoutSeconds ?? DEFAULTS.refreshGrantTimeoutSeconds, options.idpTimeoutSeconds ?? DEFAULTS.idpTimeoutSeconds),
    upstreamTimeoutSeconds: options.upstreamTimeoutSeconds ?? DEFAULTS.upstreamTimeoutSeconds,
    proxyBodyLimit: options.proxyBodyLimit ?? DEFAULTS.proxyBodyLimit,
    memoryStoreMaxSessions: options.memoryStoreMaxSessions ?? DEFAULTS.memoryStoreMaxSessions,
    devEndpoints: options.devEndpoints ?? false,
    rateLimit: options.rateLimit === false ? false : { ...DEFAULTS.rateLimit, ...options.rateLimit },
    clock: options.clock ?? systemClock,
    secureCookies: options.publicUrl.startsWith('https://'),
  });
}
