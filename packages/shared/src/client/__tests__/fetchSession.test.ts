import { describe, expect, it } from 'vitest';
import { fetchSession } from '../fetchSession.js';

// A fake `fetch` stands in for the BFF's network answer.
const answer =
  (status: number, body: unknown): typeof fetch =>
  async () =>
    new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

describe('fetchSession', () => {
  it('measures the clock skew on the answer', async () => {
    const times = [Date.parse('2030-01-01T10:00:00.000Z'), Date.parse('2030-01-01T10:00:00.100Z')];
    const now = () => times.shift() ?? 0;
    const snapshot = await fetchSession({
      fetch: answer(200, {
        authenticated: true,
        user: { sub: 'alice' },
        accessTokenExpiresAt: '2030-01-01T10:15:00.000Z',
        sessionExpiresAt: '2030-01-01T11:00:00.000Z',
        logoutUrl: 'http://localhost:3000/auth/logout?sid=s1',
        serverTime: '2030-01-01T10:01:00.050Z',
      }),
      now,
    });
    expect(snapshot.skewMs).toBe(60_000);
    expect(snapshot.info.authenticated).toBe(true);
  });

  it('passes on why the last session ended', async () => {
    const snapshot = await fetchSession({ fetch: answer(200, { authenticated: false, reason: 'SESSION_EXPIRED' }) });
    expect(snapshot.info).toEqual({ authenticated: false, reason: 'SESSION_EXPIRED' });
  });

  it('reads a 401 with a re-auth code as signed out with that reason', async () => {
    const snapshot = await fetchSession({ fetch: answer(401, { error: 'Revoked', code: 'TOKEN_REVOKED' }) });
    expect(snapshot.info).toEqual({ authenticated: false, reason: 'TOKEN_REVOKED' });
  });

  it('rejects an answer that is not session info', async () => {
    await expect(fetchSession({ fetch: answer(200, { hello: 'world' }) })).rejects.toMatchObject({ name: 'BffError' });
  });
});
