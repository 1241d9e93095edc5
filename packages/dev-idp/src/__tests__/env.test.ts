import { describe, expect, it } from 'vitest';
import { EnvError, idpOptionsFromEnv } from '../env.js';

describe('the dev IdP environment', () => {
  it('defaults to seed-002 on port 4000 for the BFF on port 3000', () => {
    expect(idpOptionsFromEnv({ PORT: '8080' })).toEqual({
      port: 4000,
      host: '127.0.0.1',
      issuer: 'http://localhost:4000',
      profile: 'seed-002',
      bffPublicUrl: ['http://localhost:3000'],
      clientId: 'bff-demo',
      clientSecret: 'bff-demo-secret',
      apiAudience: 'http://localhost:4001',
    });
  });

  it('reads every IDP_ variable and takes the API audience from API_UPSTREAM when API_AUDIENCE is unset', () => {
    expect(
      idpOptionsFromEnv({
        IDP_PORT: '4100',
        IDP_HOST: '0.0.0.0',
        IDP_PROFILE: 'seed-003',
        IDP_ACCESS_TOKEN_TTL: '5',
        IDP_REFRESH_TOKEN_TTL: '30',
        BFF_PUBLIC_URL: 'http://localhost:3000, http://127.0.0.1:3000',
        OIDC_CLIENT_ID: 'spa-bff',
        OIDC_CLIENT_SECRET: 's3cret',
        API_UPSTREAM: 'http://localhost:4002',
      }),
    ).toMatchObject({
      port: 4100,
      host: '0.0.0.0',
      issuer: 'http://localhost:4100',
      profile: 'seed-003',
      accessTokenTtl: 5,
      refreshTokenTtl: 30,
      bffPublicUrl: ['http://localhost:3000', 'http://127.0.0.1:3000'],
      clientId: 'spa-bff',
      clientSecret: 's3cret',
      apiAudience: 'http://localhost:4002',
    });
  });

  it('refuses bad values with one message naming every bad variable and the valid profiles', () => {
    let error: unknown;
    try {
      idpOptionsFromEnv({
        IDP_PROFILE: 'seed-9',
        IDP_ACCESS_TOKEN_TTL: '0',
        IDP_REFRESH_TOKEN_TTL: '1.5',
        IDP_PORT: 'x',
        IDP_BFF_AUTH_PATH: 'bff/auth/',
      });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(EnvError);
    const message = (error as EnvError).message;
    expect(message).toContain('IDP_PROFILE must be one of seed-000, seed-001, seed-002, seed-003, strict-logout, dpop, got "seed-9"');
    expect(message).toContain('IDP_ACCESS_TOKEN_TTL must be a positive integer');
    expect(message).toContain('IDP_REFRESH_TOKEN_TTL must be a positive integer');
    expect(message).toContain('IDP_PORT must be a port number');
    expect(message).toContain('IDP_BFF_AUTH_PATH must be a path such as /auth or /bff/auth, got "bff/auth/"');
  });

  it('reads the strict-logout profile and where a mounted BFF has its auth routes', () => {
    expect(idpOptionsFromEnv({ IDP_PROFILE: 'strict-logout', IDP_BFF_AUTH_PATH: '/bff/auth' })).toMatchObject({
      profile: 'strict-logout',
      bffAuthPath: '/bff/auth',
    });
  });
});
