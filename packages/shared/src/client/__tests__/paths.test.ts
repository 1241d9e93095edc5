import { describe, expect, it } from 'vitest';
import { bffPaths, DEFAULT_BFF_PATHS } from '../paths.js';

describe('bffPaths', () => {
  it("defaults to the BFF's own /auth and /api", () => {
    expect(DEFAULT_BFF_PATHS).toEqual({
      auth: '/auth',
      api: '/api',
      login: '/auth/login',
      session: '/auth/session',
      refresh: '/auth/refresh',
      logout: '/auth/logout',
    });
  });

  it('puts every auth route under the auth path it is given, with one leading slash and none trailing', () => {
    const paths = bffPaths({ authPath: 'bff/auth/', apiPath: '/bff/api/' });
    expect(paths).toMatchObject({ auth: '/bff/auth', api: '/bff/api', session: '/bff/auth/session', logout: '/bff/auth/logout' });
  });

  it('refuses a path that would send the calls to another origin, naming the option', () => {
    expect(() => bffPaths({ authPath: 'https://evil.example/auth' })).toThrow(/authPath must be a path on this origin/);
    expect(() => bffPaths({ apiPath: '//evil.example/api' })).toThrow(/apiPath/);
    expect(() => bffPaths({ authPath: '/auth?x=1' })).toThrow(/authPath/);
  });
});
