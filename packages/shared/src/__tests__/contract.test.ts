import { describe, expect, it } from 'vitest';
import { ERROR_CODES, ERROR_STATUS, isErrorBody, isReauthCode, isSafeReturnTo, REAUTH_CODES } from '../index.js';
import { errorBodySchema, refreshResultSchema, sessionInfoSchema } from '../schemas.js';

describe('error codes', () => {
  it('lists every code of the README error table with its status', () => {
    expect(ERROR_STATUS).toMatchObject({
      UNAUTHENTICATED: 401,
      SESSION_EXPIRED: 401,
      EXPIRED_TOKEN: 401,
      TOKEN_REVOKED: 401,
      INVALID_GRANT: 401,
      CSRF_REQUIRED: 403,
      IDP_UNAVAILABLE: 503,
      RATE_LIMITED: 429,
      BAD_REQUEST: 400,
      NOT_FOUND: 404,
      PAYLOAD_TOO_LARGE: 413,
      INTERNAL: 500,
    });
    expect(ERROR_CODES).toContain('UPSTREAM_UNAVAILABLE');
  });

  it('treats exactly the 401 codes as needing a person to sign in again', () => {
    const unauthorized = ERROR_CODES.filter((code) => ERROR_STATUS[code] === 401);
    expect([...REAUTH_CODES].sort()).toEqual(unauthorized.sort());
    expect(isReauthCode('IDP_UNAVAILABLE')).toBe(false);
    expect(isReauthCode('TOKEN_REVOKED')).toBe(true);
  });

  it('recognises an error body only with a known code', () => {
    expect(isErrorBody({ error: 'x', code: 'EXPIRED_TOKEN' })).toBe(true);
    expect(isErrorBody({ error: 'x', code: 'SOMETHING_ELSE' })).toBe(false);
    expect(isErrorBody({ code: 'EXPIRED_TOKEN' })).toBe(false);
    expect(isErrorBody(null)).toBe(false);
    expect(errorBodySchema.safeParse({ error: 'x', code: 'NOPE' }).success).toBe(false);
  });
});

describe('wire schemas', () => {
  const now = new Date().toISOString();

  it('accepts a signed-in session info and rejects one without a user', () => {
    const ok = {
      authenticated: true,
      user: { sub: 'alice', name: 'Alice' },
      accessTokenExpiresAt: now,
      sessionExpiresAt: now,
      logoutUrl: 'http://localhost:3000/auth/logout?sid=s1',
      sessionEndsBy: 'idle',
      serverTime: now,
    };
    expect(sessionInfoSchema.safeParse(ok).success).toBe(true);
    expect(sessionInfoSchema.safeParse({ ...ok, user: undefined }).success).toBe(false);
    expect(sessionInfoSchema.safeParse({ authenticated: false, reason: 'SESSION_EXPIRED' }).success).toBe(true);
    expect(sessionInfoSchema.safeParse({ authenticated: false, reason: 'BOGUS' }).success).toBe(false);
  });

  it('accepts the refresh result of seed 000', () => {
    const body = { success: true, session: { sub: 'a', name: 'A', expiresAt: now }, message: 'Session refreshed' };
    expect(refreshResultSchema.safeParse(body).success).toBe(true);
    expect(refreshResultSchema.safeParse({ ...body, success: false }).success).toBe(false);
  });

  it('accepts the refresh result of a DID subject in seed 000 shape exactly, and no mix of the two', () => {
    const did = 'did:plc:7qgpvktchdbbobczscggynfs';
    const body = { success: true, session: { did, handle: 'alice.test', expiresAt: now }, message: 'Session refreshed.' };
    expect(refreshResultSchema.safeParse(body).success).toBe(true);
    expect(refreshResultSchema.safeParse({ ...body, session: { ...body.session, sub: did } }).success).toBe(false);
    expect(refreshResultSchema.safeParse({ ...body, session: { did, expiresAt: now } }).success).toBe(false);
  });

  it('accepts did and handle beside sub and name in the session user, a did only in DID syntax', () => {
    const user = { sub: 'did:plc:abc', name: 'Alice', did: 'did:plc:abc', handle: 'alice.test' };
    const info = {
      authenticated: true,
      user,
      accessTokenExpiresAt: now,
      sessionExpiresAt: now,
      sessionEndsBy: 'idle',
      logoutUrl: '/auth/logout?sid=x',
      serverTime: now,
    };
    expect(sessionInfoSchema.safeParse(info).success).toBe(true);
    expect(sessionInfoSchema.safeParse({ ...info, user: { ...user, did: 'alice' } }).success).toBe(false);
  });
});

describe('isSafeReturnTo', () => {
  it.each(['/', '/notes', '/notes?id=1#x', '/a/b%20c'])('accepts the same-origin path %s', (path) => {
    expect(isSafeReturnTo(path)).toBe(true);
  });

  it.each([
    'https://evil.example',
    '//evil.example',
    '/\\evil.example',
    '\\\\evil',
    '/%2F%2Fevil.example',
    '/%5Cevil',
    'javascript:alert(1)',
    '/x\r\nSet-Cookie: a=b',
    '/x%0d%0aSet-Cookie:a=b',
    '',
    'notes',
    '/%E0%A4%A',
  ])('refuses %j', (path) => {
    expect(isSafeReturnTo(path)).toBe(false);
  });
});
