import { describe, expect, it } from 'vitest';
import { carriesToken } from '../consoleGuard.js';
import { bffRoute, passwordOf } from '../options.js';

describe('carriesToken', () => {
  it('sees a JWT anywhere in a text, and the fields tokens travel under', () => {
    const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlLXNpZ25hdHVyZQ';
    expect(carriesToken(`Bearer ${jwt}`)).toBe(true);
    expect(carriesToken('{"access_token": "opaque"}')).toBe(true);
    expect(carriesToken('{"refreshToken":"x"}')).toBe(true);
  });

  it('lets a session answer through: it names the user and the logout URL, never a token', () => {
    const session = {
      authenticated: true,
      user: { sub: 'alice' },
      accessTokenExpiresAt: '2030-01-01T00:00:00Z',
      logoutUrl: '/auth/logout?sid=s1',
    };
    expect(carriesToken(JSON.stringify(session))).toBe(false);
  });
});

describe('bffRoute', () => {
  it("puts the BFF's routes under the auth path, on the app's origin", () => {
    expect(bffRoute({ appURL: 'http://localhost:5173/some/page', authPath: '/auth' }, '/session')).toBe(
      'http://localhost:5173/auth/session',
    );
    expect(bffRoute({ appURL: 'http://localhost:5173', authPath: 'bff/auth/' }, '/login')).toBe('http://localhost:5173/bff/auth/login');
  });
});

describe('passwordOf', () => {
  it('names the users there are when asked for one that is not', () => {
    expect(passwordOf({ users: { carol: 'c' } }, 'carol')).toBe('c');
    expect(() => passwordOf({ users: { carol: 'c' } }, 'dave')).toThrow('no password for user "dave": the users option names carol');
  });
});
