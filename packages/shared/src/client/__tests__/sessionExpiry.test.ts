import { describe, expect, it } from 'vitest';
import type { SessionSnapshot } from '../fetchSession.js';
import { SESSION_WARNING_MS, sessionExpiry } from '../sessionExpiry.js';

const expiresAt = '2030-01-01T10:10:00.000Z';
const browserNow = Date.parse('2030-01-01T10:00:00.000Z');

const signedIn = (skewMs = 0): SessionSnapshot => ({
  info: {
    authenticated: true,
    user: { sub: 'alice' },
    accessTokenExpiresAt: '2030-01-01T10:05:00.000Z',
    sessionExpiresAt: expiresAt,
    logoutUrl: 'http://localhost:3000/auth/logout?sid=s1',
    sessionEndsBy: 'idle',
    serverTime: '2030-01-01T10:00:00.000Z',
  },
  skewMs,
});

describe('sessionExpiry', () => {
  it('is null when nobody is signed in', () => {
    expect(sessionExpiry({ info: { authenticated: false, reason: 'SESSION_EXPIRED' }, skewMs: 0 }, browserNow)).toBeNull();
  });

  it('counts down to sessionExpiresAt in the server clock', () => {
    expect(sessionExpiry(signedIn(), browserNow)).toEqual({
      expiresAt,
      endsBy: 'idle',
      remainingMs: 600_000,
      warning: false,
      expired: false,
    });
    // the server runs 9 minutes ahead: one minute is really left
    expect(sessionExpiry(signedIn(540_000), browserNow)).toMatchObject({ remainingMs: 60_000, warning: true });
  });

  it(`warns from ${SESSION_WARNING_MS / 60_000} minutes before the end unless told otherwise`, () => {
    expect(sessionExpiry(signedIn(), Date.parse(expiresAt) - SESSION_WARNING_MS)?.warning).toBe(true);
    expect(sessionExpiry(signedIn(), Date.parse(expiresAt) - SESSION_WARNING_MS - 1)?.warning).toBe(false);
    expect(sessionExpiry(signedIn(), browserNow, 600_000)?.warning).toBe(true);
  });

  it('is expired, with nothing left, once the end has passed', () => {
    expect(sessionExpiry(signedIn(), Date.parse(expiresAt) + 5_000)).toMatchObject({ remainingMs: 0, expired: true });
  });
});
