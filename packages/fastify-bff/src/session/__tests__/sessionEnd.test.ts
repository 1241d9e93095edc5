import { describe, expect, it } from 'vitest';
import type { ResolvedBffOptions } from '../../options.js';
import { Sessions } from '../sessions.js';
import type { ActiveSession, SessionStore, TokenState } from '../store.js';

const NOW = Date.parse('2030-01-01T10:00:00.000Z');
const MINUTE = 60_000;

// Sessions.sessionEnd reads only the idle timeout and no store; the rest is what the constructor needs
const options = { sessionIdleTimeout: 30 * 60, secureCookies: false } as ResolvedBffOptions;
const sessions = new Sessions(options, {} as SessionStore, undefined);

/** Signed in at NOW: idle deadline NOW + 30 min, absolute NOW + 12 h, a 15-min access token, a 1-day refresh token. */
function session(tokens: Partial<TokenState> = {}, fields: Partial<ActiveSession> = {}): ActiveSession {
  return {
    state: 'active',
    id: 's1',
    version: 1,
    user: { sub: 'alice' },
    createdAt: NOW,
    lastSeenAt: NOW,
    absoluteExpiresAt: NOW + 12 * 60 * MINUTE,
    tokens: {
      sealed: 'sealed',
      accessTokenExpiresAt: NOW + 15 * MINUTE,
      accessTokenLifetime: 15 * 60,
      refreshTokenExpiresAt: NOW + 24 * 60 * MINUTE,
      hasRefreshToken: true,
      ...tokens,
    },
    ...fields,
  };
}

describe('which deadline ends a session (sessionEndsBy in /auth/session)', () => {
  it('is the idle deadline while it comes first', () => {
    expect(sessions.sessionEnd(session())).toEqual({ at: NOW + 30 * MINUTE, by: 'idle' });
  });

  it('is the absolute deadline once activity has moved the idle one past it', () => {
    const late = session({}, { lastSeenAt: NOW + 11 * 60 * MINUTE + 50 * MINUTE });
    expect(sessions.sessionEnd(late)).toEqual({ at: NOW + 12 * 60 * MINUTE, by: 'absolute' });
  });

  it("is the refresh token's expiry when the IdP said it comes first", () => {
    const tokens = { accessTokenExpiresAt: NOW + 20_000, refreshTokenExpiresAt: NOW + 90_000 };
    expect(sessions.sessionEnd(session(tokens))).toEqual({ at: NOW + 90_000, by: 'refresh_token' });
  });

  it("is the access token's expiry when the refresh token expires before it", () => {
    const tokens = { accessTokenExpiresAt: NOW + 2 * MINUTE, refreshTokenExpiresAt: NOW + MINUTE };
    expect(sessions.sessionEnd(session(tokens))).toEqual({ at: NOW + 2 * MINUTE, by: 'access_token' });
  });

  it("is the access token's expiry when there is no refresh token", () => {
    const tokens = { hasRefreshToken: false, refreshTokenExpiresAt: undefined };
    expect(sessions.sessionEnd(session(tokens))).toEqual({ at: NOW + 15 * MINUTE, by: 'access_token' });
  });

  it("never is the refresh token's when the IdP did not say when it expires", () => {
    expect(sessions.sessionEnd(session({ refreshTokenExpiresAt: undefined }))).toEqual({ at: NOW + 30 * MINUTE, by: 'idle' });
  });

  it('names the deadline "Stay signed in" cannot move when two fall at the same moment', () => {
    const idleAt = NOW + 30 * MINUTE;
    expect(sessions.sessionEnd(session({}, { absoluteExpiresAt: idleAt })).by).toBe('absolute');
    expect(sessions.sessionEnd(session({ accessTokenExpiresAt: NOW, refreshTokenExpiresAt: idleAt })).by).toBe('refresh_token');
    expect(sessions.sessionEnd(session({ hasRefreshToken: false, accessTokenExpiresAt: idleAt })).by).toBe('access_token');
  });

  it('keeps sessionExpiresAt and sessionEndsBy one answer: expiresAt is the same instant', () => {
    for (const s of [session(), session({ refreshTokenExpiresAt: NOW + 90_000 }), session({ hasRefreshToken: false })]) {
      expect(sessions.expiresAt(s)).toBe(sessions.sessionEnd(s).at);
    }
  });
});
