import { describe, expect, it } from 'vitest';
import { ConfigError, configFromEnv, resolveOptions } from '../config.js';

const KEY = Buffer.alloc(32, 7).toString('base64');
const production = {
  NODE_ENV: 'production',
  BFF_PUBLIC_URL: 'https://app.example.com',
  OIDC_ISSUER: 'https://idp.example.com',
  OIDC_CLIENT_ID: 'app',
  OIDC_CLIENT_SECRET: 'secret',
  API_UPSTREAM: 'https://api.example.com',
  SESSION_SECRET: 'x'.repeat(32),
  TOKEN_ENCRYPTION_KEY: KEY,
};

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    configFromEnv(env);
  } catch (err) {
    if (err instanceof ConfigError) return [...err.problems];
    throw err;
  }
  return [];
}

describe('configFromEnv', () => {
  it('runs the demo with no variables at all outside production', () => {
    const config = configFromEnv({});
    expect(config.bff).toMatchObject({
      publicUrl: 'http://localhost:3000',
      issuer: 'http://localhost:4000',
      tokenAuthMethod: 'client_secret_basic',
      scopes: 'openid profile email offline_access',
      sessionStore: 'memory',
      refreshSkewSeconds: 60,
    });
    expect(config.port).toBe(3000);
  });

  it('refuses to start in production with a missing secret, naming each variable', () => {
    const { SESSION_SECRET: _s, TOKEN_ENCRYPTION_KEY: _k, ...rest } = production;
    expect(problemsOf(rest)).toEqual([
      'SESSION_SECRET: is required when NODE_ENV=production',
      'TOKEN_ENCRYPTION_KEY: is required when NODE_ENV=production',
    ]);
    expect(problemsOf({ NODE_ENV: 'production' })).toHaveLength(6);
  });

  it('accepts a complete production configuration', () => {
    expect(problemsOf(production)).toEqual([]);
  });

  it('lists every bad variable in one message', () => {
    let message = '';
    try {
      configFromEnv({
        PORT: 'eighty',
        BFF_PUBLIC_URL: 'not a url',
        SESSION_SECRET: 'short',
        TOKEN_ENCRYPTION_KEY: 'dG9vLXNob3J0',
        SESSION_STORE: 'postgres',
        OIDC_TOKEN_AUTH_METHOD: 'tls_client_auth',
        OIDC_TOKEN_REQUEST_ENCODING: 'xml',
        SESSION_IDLE_TIMEOUT: '-5',
        REFRESH_SKEW_SECONDS: 'soon',
      });
    } catch (err) {
      message = (err as Error).message;
    }
    for (const name of [
      'PORT',
      'BFF_PUBLIC_URL',
      'SESSION_SECRET',
      'TOKEN_ENCRYPTION_KEY',
      'SESSION_STORE',
      'OIDC_TOKEN_AUTH_METHOD',
      'OIDC_TOKEN_REQUEST_ENCODING',
      'SESSION_IDLE_TIMEOUT',
      'REFRESH_SKEW_SECONDS',
    ]) {
      expect(message).toMatch(new RegExp(`^  - ${name}: `, 'm'));
    }
  });

  it('needs REDIS_URL with the redis store and a secret with a secret-based auth method', () => {
    expect(problemsOf({ SESSION_STORE: 'redis' })).toEqual([
      'REDIS_URL: is required when SESSION_STORE=redis (or REDIS_CLUSTER_NODES, or REDIS_SENTINELS)',
    ]);
    expect(problemsOf({ ...production, OIDC_CLIENT_SECRET: undefined, OIDC_TOKEN_AUTH_METHOD: 'client_secret_post' })).toEqual([
      'OIDC_CLIENT_SECRET: is required with OIDC_TOKEN_AUTH_METHOD=client_secret_post',
    ]);
  });

  it('treats an absent client secret with method none as a public client', () => {
    const config = configFromEnv({ ...production, OIDC_CLIENT_SECRET: undefined, OIDC_TOKEN_AUTH_METHOD: 'none' });
    expect(config.bff.clientSecret).toBeUndefined();
    expect(config.bff.tokenAuthMethod).toBe('none');
  });

  it('reads extra authorization parameters and refuses ones the BFF owns', () => {
    expect(configFromEnv({ OIDC_AUTH_PARAMS: 'audience=https://api&prompt=consent' }).bff.authParams).toEqual({
      audience: 'https://api',
      prompt: 'consent',
    });
    expect(problemsOf({ OIDC_AUTH_PARAMS: 'state=x&redirect_uri=y' })).toEqual([
      'OIDC_AUTH_PARAMS: must not set state, redirect_uri (the BFF sets them)',
    ]);
  });

  it('accepts several encryption keys for rotation, the first one encrypting', () => {
    const second = Buffer.alloc(32, 9).toString('base64');
    expect(configFromEnv({ TOKEN_ENCRYPTION_KEY: `${KEY}, ${second}` }).bff.tokenEncryptionKeys).toHaveLength(2);
  });

  it('reads the replay buffer of the proxy and its two upstream timeouts', () => {
    const env = { PROXY_BODY_LIMIT: '0', UPSTREAM_TIMEOUT_SECONDS: '10', UPSTREAM_IDLE_TIMEOUT_SECONDS: '300' };
    expect(configFromEnv(env).bff).toMatchObject({ proxyBodyLimit: 0, upstreamTimeoutSeconds: 10, upstreamIdleTimeoutSeconds: 300 });
    const defaults = { proxyBodyLimit: 1024 * 1024, upstreamTimeoutSeconds: 30, upstreamIdleTimeoutSeconds: 60 };
    expect(resolveOptions(configFromEnv({}).bff)).toMatchObject(defaults);
  });

  it('reads OIDC_DPOP and OIDC_DPOP_ALG, and names a bad algorithm', () => {
    expect(configFromEnv({}).bff.dpop).toBeUndefined();
    expect(configFromEnv({ OIDC_DPOP: '1' }).bff.dpop).toBe(true);
    expect(configFromEnv({ OIDC_DPOP: '1', OIDC_DPOP_ALG: 'EdDSA' }).bff.dpop).toEqual({ algorithm: 'EdDSA' });
    expect(configFromEnv({ OIDC_DPOP: '0', OIDC_DPOP_ALG: 'EdDSA' }).bff.dpop).toBe(false);
    expect(problemsOf({ OIDC_DPOP: '1', OIDC_DPOP_ALG: 'RS256' })).toEqual([expect.stringMatching(/^OIDC_DPOP: .*ES256 \| EdDSA/)]);
    expect(problemsOf({ OIDC_DPOP: 'yes' })).toEqual([expect.stringMatching(/^OIDC_DPOP: /)]);
    expect(resolveOptions({ ...configFromEnv({ OIDC_DPOP: '1' }).bff }).dpop).toEqual({ algorithm: 'ES256' });
  });

  it('reads APIS as JSON, in place of API_UPSTREAM, and names each problem', () => {
    const apis = [
      { prefix: '/api', upstream: 'https://api.example.com/v1/', resource: 'https://api.example.com' },
      { prefix: '/billing', upstream: 'https://billing.example.com', resource: 'https://billing.example.com', scopes: 'invoices:read' },
    ];
    const config = configFromEnv({ ...production, API_UPSTREAM: undefined, APIS: JSON.stringify(apis) });
    expect(config.bff.apis).toEqual(apis);
    expect(config.bff.apiUpstream).toBeUndefined();
    const resolved = resolveOptions(config.bff);
    expect(resolved.resource).toBe('https://api.example.com');
    expect(resolved.apis.map(({ prefix, upstream, tokenKey }) => ({ prefix, upstream, tokenKey }))).toEqual([
      { prefix: '/api', upstream: 'https://api.example.com/v1', tokenKey: '' },
      { prefix: '/billing', upstream: 'https://billing.example.com', tokenKey: 'https://billing.example.com invoices:read' },
    ]);

    expect(problemsOf({ APIS: 'not json' })).toEqual([expect.stringMatching(/^APIS: must be a JSON array of \{ prefix, upstream/)]);
    expect(problemsOf({ APIS: '[]' })).toEqual(['APIS: must list at least one API']);
    expect(problemsOf({ APIS: JSON.stringify([{ prefix: 'api', upstream: 'http://a' }]) })).toEqual([
      expect.stringMatching(/^APIS: each prefix must be a path/),
    ]);
    expect(problemsOf({ APIS: JSON.stringify([apis[0], { ...apis[1], prefix: '/api' }]) })).toEqual(['APIS: must not list a prefix twice']);
    expect(problemsOf({ APIS: JSON.stringify([{ prefix: '/auth/x', upstream: 'http://a' }]) })).toEqual([
      expect.stringMatching(/^APIS: must not be \/auth \(OIDC_AUTH_PATH|^APIS: must not be \/auth/),
    ]);
    expect(problemsOf({ APIS: JSON.stringify(apis), API_UPSTREAM: 'http://a' })).toEqual([
      expect.stringMatching(/^APIS: cannot be combined with API_UPSTREAM/),
    ]);
    expect(problemsOf({ ...production, API_UPSTREAM: undefined })).toEqual(['API_UPSTREAM: is required when NODE_ENV=production']);
  });

  it('requires https for the public URL in production', () => {
    expect(problemsOf({ ...production, BFF_PUBLIC_URL: 'http://app.example.com' })).toEqual([
      'BFF_PUBLIC_URL: must be https when NODE_ENV=production (cookies must be Secure)',
    ]);
  });
});

describe('resolveOptions', () => {
  it('names the exact option that is wrong', () => {
    expect(() =>
      resolveOptions({
        publicUrl: 'http://localhost:3000',
        issuer: 'nope',
        clientId: 'x',
        apiUpstream: 'http://localhost:4001',
        sessionSecret: 'short',
        tokenEncryptionKeys: [Buffer.alloc(16)],
      }),
    ).toThrow(
      /issuer: must be an http\(s\) URL[\s\S]*sessionSecret: must be at least 32 characters[\s\S]*tokenEncryptionKeys: must be one or more keys of exactly 32 bytes/,
    );
  });
});

describe('one schema for env and options', () => {
  const valid = {
    publicUrl: 'http://localhost:3000',
    issuer: 'http://localhost:4000',
    clientId: 'app',
    clientSecret: 'secret',
    apiUpstream: 'http://localhost:4001',
    sessionSecret: 'x'.repeat(32),
    tokenEncryptionKeys: [Buffer.alloc(32, 7)],
  };
  function optionProblemsOf(options: Parameters<typeof resolveOptions>[0]): string[] {
    try {
      resolveOptions(options);
    } catch (err) {
      if (err instanceof ConfigError) return [...err.problems];
      throw err;
    }
    return [];
  }

  // each rule, once as variables and once as options: the same rule, named the way it was written
  const cases: Array<[string, NodeJS.ProcessEnv, Record<string, unknown>, string, string]> = [
    [
      'absolute shorter than idle',
      { SESSION_IDLE_TIMEOUT: '600', SESSION_ABSOLUTE_TIMEOUT: '300' },
      { sessionIdleTimeout: 600, sessionAbsoluteTimeout: 300 },
      'SESSION_ABSOLUTE_TIMEOUT: must not be shorter than SESSION_IDLE_TIMEOUT',
      'sessionAbsoluteTimeout: must not be shorter than sessionIdleTimeout',
    ],
    [
      'absolute shorter than the default idle',
      { SESSION_ABSOLUTE_TIMEOUT: '60' },
      { sessionAbsoluteTimeout: 60 },
      'SESSION_ABSOLUTE_TIMEOUT: must not be shorter than SESSION_IDLE_TIMEOUT',
      'sessionAbsoluteTimeout: must not be shorter than sessionIdleTimeout',
    ],
    [
      'redis without a URL',
      { SESSION_STORE: 'redis' },
      { sessionStore: 'redis' },
      'REDIS_URL: is required when SESSION_STORE=redis (or REDIS_CLUSTER_NODES, or REDIS_SENTINELS)',
      'redisUrl: is required when sessionStore=redis (or redisClusterNodes, or redisSentinels)',
    ],
    [
      'a short secret',
      { SESSION_SECRET: 'short' },
      { sessionSecret: 'short' },
      'SESSION_SECRET: must be at least 32 characters',
      'sessionSecret: must be at least 32 characters',
    ],
    [
      'a negative skew',
      { REFRESH_SKEW_SECONDS: '-1' },
      { refreshSkewSeconds: -1 },
      'REFRESH_SKEW_SECONDS: must be a whole number of seconds, 0 or more',
      'refreshSkewSeconds: must be a whole number of seconds, 0 or more',
    ],
    [
      'a fractional idle timeout',
      { SESSION_IDLE_TIMEOUT: '1.5' },
      { sessionIdleTimeout: 1.5 },
      'SESSION_IDLE_TIMEOUT: must be a positive whole number of seconds',
      'sessionIdleTimeout: must be a positive whole number of seconds',
    ],
    [
      'a reserved authorization parameter',
      { OIDC_AUTH_PARAMS: 'nonce=1' },
      { authParams: { nonce: '1' } },
      'OIDC_AUTH_PARAMS: must not set nonce (the BFF sets them)',
      'authParams: must not set nonce (the BFF sets them)',
    ],
    [
      'an unknown store',
      { SESSION_STORE: 'postgres' },
      { sessionStore: 'postgres' },
      'SESSION_STORE: must be memory or redis (or a SessionStore)',
      'sessionStore: must be memory or redis (or a SessionStore)',
    ],
    [
      'a replay buffer over the hard maximum',
      { PROXY_BODY_LIMIT: String(16 * 1024 * 1024 + 1) },
      { proxyBodyLimit: 16 * 1024 * 1024 + 1 },
      'PROXY_BODY_LIMIT: must be a whole number of bytes from 0 to 16777216 (16 MiB); larger bodies stream to the API instead of being buffered',
      'proxyBodyLimit: must be a whole number of bytes from 0 to 16777216 (16 MiB); larger bodies stream to the API instead of being buffered',
    ],
    [
      'a body limit that is not a number',
      { PROXY_BODY_LIMIT: '1mb' },
      { proxyBodyLimit: Number.NaN },
      'PROXY_BODY_LIMIT: must be a whole number of bytes from 0 to 16777216 (16 MiB); larger bodies stream to the API instead of being buffered',
      'proxyBodyLimit: must be a whole number of bytes from 0 to 16777216 (16 MiB); larger bodies stream to the API instead of being buffered',
    ],
    [
      'a zero upstream timeout',
      { UPSTREAM_TIMEOUT_SECONDS: '0' },
      { upstreamTimeoutSeconds: 0 },
      'UPSTREAM_TIMEOUT_SECONDS: must be a positive number',
      'upstreamTimeoutSeconds: must be a positive number',
    ],
    [
      'a negative idle timeout',
      { UPSTREAM_IDLE_TIMEOUT_SECONDS: '-1' },
      { upstreamIdleTimeoutSeconds: -1 },
      'UPSTREAM_IDLE_TIMEOUT_SECONDS: must be a positive number',
      'upstreamIdleTimeoutSeconds: must be a positive number',
    ],
  ];
  it.each(cases)('applies the rule "%s" to variables and to options alike', (_rule, env, options, envProblem, optionProblem) => {
    expect(problemsOf(env)).toEqual([envProblem]);
    expect(optionProblemsOf({ ...valid, ...(options as object) })).toEqual([optionProblem]);
  });

  it('accepts what configFromEnv built as plugin options, unchanged', () => {
    expect(() => resolveOptions(configFromEnv(production).bff)).not.toThrow();
  });
});
