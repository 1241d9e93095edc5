import { describe, expect, it } from 'vitest';
import { canStaySignedIn, isPastSessionEnd, isSessionEndsBy, SESSION_ENDS_BY, sessionEndReason, type SessionEndsBy } from '../index.js';
import { sessionInfoSchema } from '../schemas.js';

const signedIn = {
  authenticated: true,
  user: { sub: 'alice' },
  accessTokenExpiresAt: '2026-01-01T10:05:00.000Z',
  sessionExpiresAt: '2026-01-01T10:30:00.000Z',
  sessionEndsBy: 'idle',
  logoutUrl: 'http://localhost:3000/auth/logout?sid=s1',
  serverTime: '2026-01-01T10:00:00.000Z',
};

describe('which deadline ends the session', () => {
  it('is one of idle, absolute, refresh_token and access_token, in every signed-in /auth/session answer', () => {
    expect([...SESSION_ENDS_BY].sort()).toEqual(['absolute', 'access_token', 'idle', 'refresh_token']);
    for (const endsBy of SESSION_ENDS_BY) expect(sessionInfoSchema.safeParse({ ...signedIn, sessionEndsBy: endsBy }).success).toBe(true);
    expect(sessionInfoSchema.safeParse({ ...signedIn, sessionEndsBy: 'whenever' }).success).toBe(false);
    const { sessionEndsBy: _, ...without } = signedIn;
    expect(sessionInfoSchema.safeParse(without).success).toBe(false);
    expect(isSessionEndsBy('refresh_token')).toBe(true);
    expect(isSessionEndsBy('never')).toBe(false);
  });

  it.each<[SessionEndsBy, boolean]>([
    ['idle', true],
    ['refresh_token', true],
    ['absolute', false],
    ['access_token', false],
  ])('against the %s deadline "Stay signed in" is offered: %s', (endsBy, offered) => {
    expect(canStaySignedIn(endsBy)).toBe(offered);
  });

  it.each<[SessionEndsBy, string]>([
    ['idle', 'SESSION_EXPIRED'],
    ['absolute', 'SESSION_EXPIRED'],
    ['refresh_token', 'EXPIRED_TOKEN'],
    ['access_token', 'EXPIRED_TOKEN'],
  ])('once the %s deadline passed the person reads the %s wording', (endsBy, code) => {
    expect(sessionEndReason(endsBy)).toBe(code);
  });
});

describe('isPastSessionEnd', () => {
  it('is true once the server clock has reached the end, and not a millisecond before', () => {
    expect(isPastSessionEnd({ sessionExpiresAt: '2026-01-01T10:30:00.000Z', serverTime: '2026-01-01T10:29:59.999Z' })).toBe(false);
    expect(isPastSessionEnd({ sessionExpiresAt: '2026-01-01T10:30:00.000Z', serverTime: '2026-01-01T10:30:00.000Z' })).toBe(true);
    expect(isPastSessionEnd({ sessionExpiresAt: '2026-01-01T10:30:00.000Z', serverTime: '2026-01-01T11:00:00.000Z' })).toBe(true);
  });

  it('never ends a session on a time it cannot read', () => {
    expect(isPastSessionEnd({ sessionExpiresAt: 'soon', serverTime: '2026-01-01T10:30:00.000Z' })).toBe(false);
    expect(isPastSessionEnd({ sessionExpiresAt: '2026-01-01T10:30:00.000Z', serverTime: '' })).toBe(false);
  });
});
