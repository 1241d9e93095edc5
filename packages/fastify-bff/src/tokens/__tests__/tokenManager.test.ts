import { randomBytes } from 'node:crypto';
import { ClientError, ResponseBodyError } from 'openid-client';
import { beforeEach, describe, expect, it } from 'vitest';
import { TokenCipher } from '../../crypto/tokenCipher.js';
import { MemorySessionStore } from '../../session/memoryStore.js';
import type { ActiveSession, SessionStore } from '../../session/store.js';
import { TokenManager, type TokenManagerOptions } from '../tokenManager.js';
import { nextTokenState, type TokenResponse } from '../tokenSet.js';

const cipher = new TokenCipher([randomBytes(32)]);
let now: number;
const clock = () => now;

function refused(description: string, status = 400) {
  return new ResponseBodyError('server responded with an error in the response body', {
    cause: { error: 'invalid_grant', error_description: description },
    response: new Response(null, { status }),
  });
}

/** A scripted IdP: each call answers the next step; counts grants and which refresh token it saw. */
function fakeIdp(steps: Array<(rt: string) => TokenResponse | Promise<TokenResponse>> = []) {
  const seen: string[] = [];
  let n = 0;
  return {
    seen,
    grant: async (refreshToken: string): Promise<TokenResponse> => {
      seen.push(refreshToken);
      await new Promise((r) => setTimeout(r, 5));
      const step = steps[Math.min(n, steps.length - 1)];
      n += 1;
      if (step) return step(refreshToken);
      return { access_token: `at-${n + 1}`, refresh_token: `rt-${n + 1}`, expires_in: 900 };
    },
  };
}

async function newSession(store: SessionStore, response: TokenResponse = { access_token: 'at-1', refresh_token: 'rt-1', expires_in: 900, refresh_token_expires_in: 86_400 }) {
  const session: ActiveSession = {
    state: 'active',
    id: randomBytes(16).toString('hex'),
    version: 1,
    user: { sub: 'alice' },
    createdAt: now,
    lastSeenAt: now,
    absoluteExpiresAt: now + 3_600_000,
    tokens: nextTokenState(cipher, response, now).state,
  };
  await store.create(session, 3_600_000);
  return session;
}

function manager(store: SessionStore, grant: TokenManagerOptions['refreshGrant'], extra: Partial<TokenManagerOptions> = {}) {
  return new TokenManager({
    store,
    cipher,
    refreshGrant: grant,
    clock,
    refreshSkewSeconds: 60,
    idpTimeoutMs: 1_000,
    sessionTtlMs: () => 3_600_000,
    pollIntervalMs: 2,
    ...extra,
  });
}

describe('TokenManager', () => {
  let store: MemorySessionStore;
  beforeEach(() => {
    now = 1_700_000_000_000;
    store = new MemorySessionStore({ clock, maxSessions: 1000 });
  });

  it('hands out the stored access token while it is outside the skew, without a grant', async () => {
    const idp = fakeIdp();
    const session = await newSession(store);
    now += 839_000; // 61 s left of 900
    const result = await manager(store, idp.grant).accessToken(session);
    expect(result).toMatchObject({ type: 'bearer', accessToken: 'at-1' });
    expect(idp.seen).toHaveLength(0);
  });

  it('refreshes proactively once the token is inside the skew', async () => {
    const idp = fakeIdp();
    const session = await newSession(store);
    now += 841_000; // 59 s left
    const result = await manager(store, idp.grant).accessToken(session);
    expect(result).toMatchObject({ type: 'bearer', accessToken: 'at-2' });
    expect(idp.seen).toEqual(['rt-1']);
    const stored = await store.get(session.id);
    expect(stored).toMatchObject({ state: 'active', version: 2 });
  });

  it('caps the skew at a quarter of the token lifetime', async () => {
    const idp = fakeIdp();
    const session = await newSession(store, { access_token: 'at-1', refresh_token: 'rt-1', expires_in: 20 });
    const tokens = manager(store, idp.grant);
    now += 14_000; // 6 s left: outside a 5 s skew although REFRESH_SKEW_SECONDS is 60
    expect(tokens.needsRefresh(session)).toBe(false);
    now += 1_000; // 5 s left
    expect(tokens.needsRefresh(session)).toBe(true);
  });

  it('costs exactly one grant for 50 concurrent requests at expiry, and all get the new token', async () => {
    const idp = fakeIdp();
    const session = await newSession(store);
    now += 900_000;
    const tokens = manager(store, idp.grant);
    const results = await Promise.all(Array.from({ length: 50 }, () => tokens.accessToken(session)));
    expect(idp.seen).toHaveLength(1);
    expect(new Set(results.map((r) => (r.type === 'bearer' ? r.accessToken : r.error.code)))).toEqual(new Set(['at-2']));
  });

  it('costs one grant across two replicas sharing a store, and the waiter reads the stored result', async () => {
    const idp = fakeIdp();
    const session = await newSession(store);
    now += 900_000;
    const a = manager(store, idp.grant);
    const b = manager(store, idp.grant);
    const results = await Promise.all([a.accessToken(session), b.accessToken(session), a.accessToken(session), b.accessToken(session)]);
    expect(idp.seen).toEqual(['rt-1']);
    expect(results.every((r) => r.type === 'bearer' && r.accessToken === 'at-2')).toBe(true);
  });

  it('does not refresh again when a forced refresh arrives holding a version that was already replaced', async () => {
    const idp = fakeIdp();
    const stale = await newSession(store);
    const tokens = manager(store, idp.grant);
    await tokens.accessToken(stale, { force: true });
    // a request that read the session before that refresh now meets an upstream 401 and forces
    const late = await tokens.accessToken(stale, { force: true });
    expect(late).toMatchObject({ type: 'bearer', accessToken: 'at-2' });
    expect(idp.seen).toEqual(['rt-1']);
  });

  it('stores the rotated refresh token and uses it for the next refresh, never the old one', async () => {
    const idp = fakeIdp();
    let session = await newSession(store);
    const tokens = manager(store, idp.grant);
    for (let i = 0; i < 10; i += 1) {
      now += 900_000;
      const result = await tokens.accessToken(session);
      if (result.type !== 'bearer') throw new Error(`cycle ${i}: ${result.error.code}`);
      session = result.session;
    }
    expect(idp.seen).toEqual(['rt-1', 'rt-2', 'rt-3', 'rt-4', 'rt-5', 'rt-6', 'rt-7', 'rt-8', 'rt-9', 'rt-10']);
    expect(new Set(idp.seen).size).toBe(10);
  });

  it('keeps the old refresh token and its expiry when the IdP does not rotate', async () => {
    const idp = fakeIdp([() => ({ access_token: 'at-2', expires_in: 900 })]);
    const session = await newSession(store);
    now += 900_000;
    const result = await manager(store, idp.grant).accessToken(session);
    if (result.type !== 'bearer') throw new Error('expected a bearer');
    const tokens = manager(store, idp.grant).open(result.session);
    expect(tokens.refreshToken).toBe('rt-1');
    expect(result.session.tokens.refreshTokenExpiresAt).toBe(session.tokens.refreshTokenExpiresAt);
  });

  it.each([
    ['refresh token is expired', 'EXPIRED_TOKEN'],
    ['grant has been revoked', 'TOKEN_REVOKED'],
    ['refresh token reuse detected', 'INVALID_GRANT'],
    ['grant request is invalid', 'INVALID_GRANT'],
  ])('ends the session when the IdP refuses with %j, as %s', async (description, code) => {
    const idp = fakeIdp([() => Promise.reject(refused(description))]);
    const session = await newSession(store);
    now += 900_000;
    const result = await manager(store, idp.grant).accessToken(session);
    expect(result).toMatchObject({ type: 'error', ended: true, error: { code } });
    expect(await store.get(session.id)).toMatchObject({ state: 'ended', reason: code });
  });

  it('answers EXPIRED_TOKEN from its own knowledge when the refresh token is past its known expiry', async () => {
    const idp = fakeIdp([() => Promise.reject(refused('grant request is invalid'))]);
    const session = await newSession(store, { access_token: 'at-1', refresh_token: 'rt-1', expires_in: 60, refresh_token_expires_in: 120 });
    now += 121_000;
    const result = await manager(store, idp.grant).accessToken(session);
    expect(result).toMatchObject({ type: 'error', error: { code: 'EXPIRED_TOKEN' } });
  });

  it('treats a bare 4xx without a JSON body as a refusal, not an outage', async () => {
    const bare = new ClientError('unexpected HTTP response status code', { cause: new Response(null, { status: 400 }) });
    const idp = fakeIdp([() => Promise.reject(bare)]);
    const session = await newSession(store);
    now += 900_000;
    const result = await manager(store, idp.grant).accessToken(session);
    expect(result).toMatchObject({ type: 'error', ended: true, error: { code: 'INVALID_GRANT' } });
  });

  it.each([
    ['a network error', () => new TypeError('fetch failed')],
    ['a timeout', () => new ClientError('operation timed out', { cause: new DOMException('t', 'TimeoutError') })],
    ['a 503', () => new ClientError('unexpected HTTP response status code', { cause: new Response(null, { status: 503 }) })],
    ['a 429', () => refused('slow down', 429)],
  ])('keeps the session on %s and answers IDP_UNAVAILABLE', async (_name, makeError) => {
    const idp = fakeIdp([() => Promise.reject(makeError()), () => ({ access_token: 'at-2', refresh_token: 'rt-2', expires_in: 900 })]);
    const session = await newSession(store);
    now += 900_000;
    const tokens = manager(store, idp.grant);
    expect(await tokens.accessToken(session)).toMatchObject({ type: 'error', ended: false, error: { code: 'IDP_UNAVAILABLE' } });
    expect(await store.get(session.id)).toMatchObject({ state: 'active', version: 1 });
    // within the cooldown nobody calls the IdP again
    expect(await tokens.accessToken(session)).toMatchObject({ type: 'error', error: { code: 'IDP_UNAVAILABLE' } });
    expect(idp.seen).toHaveLength(1);
    // after it, the same refresh token works: the session survived the outage
    now += 2_001;
    expect(await tokens.accessToken(session)).toMatchObject({ type: 'bearer', accessToken: 'at-2' });
    expect(idp.seen).toEqual(['rt-1', 'rt-1']);
  });

  it('ends the session as SESSION_EXPIRED when there is no refresh token and the access token expired', async () => {
    const idp = fakeIdp();
    const session = await newSession(store, { access_token: 'at-1', expires_in: 900 });
    now += 800_000;
    expect(await manager(store, idp.grant).accessToken(session, { force: true })).toMatchObject({ type: 'bearer', accessToken: 'at-1' });
    now += 100_000;
    expect(await manager(store, idp.grant).accessToken(session)).toMatchObject({ type: 'error', error: { code: 'SESSION_EXPIRED' } });
    expect(idp.seen).toHaveLength(0);
  });

  it('uses the stored pair when its compare-and-set loses, instead of overwriting a newer one', async () => {
    const session = await newSession(store);
    const idp = fakeIdp([
      async () => {
        // another writer moves the version while our grant is in flight (a lease that ran out)
        const other = nextTokenState(cipher, { access_token: 'at-other', refresh_token: 'rt-other', expires_in: 900 }, now).state;
        await store.updateTokens(session.id, 1, other, 3_600_000);
        return { access_token: 'at-mine', refresh_token: 'rt-mine', expires_in: 900 };
      },
    ]);
    now += 900_000;
    const result = await manager(store, idp.grant).accessToken(session);
    expect(result).toMatchObject({ type: 'bearer', accessToken: 'at-other' });
    expect(await store.get(session.id)).toMatchObject({ version: 2 });
  });

  it('answers UNAUTHENTICATED for a session that disappeared meanwhile', async () => {
    const session = await newSession(store);
    await store.destroy(session.id);
    now += 900_000;
    expect(await manager(store, fakeIdp().grant).accessToken(session)).toMatchObject({ type: 'error', error: { code: 'UNAUTHENTICATED' } });
  });

  describe('a grant slower than the IdP timeout', () => {
    const slow = (ms: number, outcome: () => TokenResponse | Promise<TokenResponse>) => async () => {
      await new Promise((r) => setTimeout(r, ms));
      return outcome();
    };

    it('answers IDP_UNAVAILABLE at the timeout, sends no second grant meanwhile, and stores the late tokens', async () => {
      const idp = fakeIdp([slow(150, () => ({ access_token: 'at-late', refresh_token: 'rt-late', expires_in: 900 }))]);
      const session = await newSession(store);
      now += 900_000;
      const tokens = manager(store, idp.grant, { idpTimeoutMs: 30 });
      expect(await tokens.accessToken(session)).toMatchObject({ type: 'error', ended: false, error: { code: 'IDP_UNAVAILABLE' } });
      now += 5_000; // past the cooldown: still nobody may send rt-1 again while it is in flight
      expect(await tokens.accessToken(session)).toMatchObject({ type: 'error', error: { code: 'IDP_UNAVAILABLE' } });
      expect(idp.seen).toEqual(['rt-1']);
      await new Promise((r) => setTimeout(r, 200));
      const stored = await store.get(session.id);
      expect(stored).toMatchObject({ state: 'active', version: 2 });
      const result = await tokens.accessToken(stored as ActiveSession);
      expect(result).toMatchObject({ type: 'bearer', accessToken: 'at-late' });
      expect(tokens.open((result as { session: ActiveSession }).session).refreshToken).toBe('rt-late');
      expect(idp.seen).toEqual(['rt-1']);
    });

    it('ends the session when the late answer is a refusal', async () => {
      const idp = fakeIdp([slow(100, () => Promise.reject(refused('grant has been revoked')))]);
      const session = await newSession(store);
      now += 900_000;
      const tokens = manager(store, idp.grant, { idpTimeoutMs: 20 });
      expect(await tokens.accessToken(session)).toMatchObject({ type: 'error', ended: false, error: { code: 'IDP_UNAVAILABLE' } });
      await new Promise((r) => setTimeout(r, 150));
      expect(await store.get(session.id)).toMatchObject({ state: 'ended', reason: 'TOKEN_REVOKED' });
    });

    it('keeps the lock for the whole grant, so another replica does not refresh with the old token either', async () => {
      const idp = fakeIdp([slow(150, () => ({ access_token: 'at-late', refresh_token: 'rt-late', expires_in: 900 }))]);
      const session = await newSession(store);
      now += 900_000;
      const a = manager(store, idp.grant, { idpTimeoutMs: 30 });
      const b = manager(store, idp.grant, { idpTimeoutMs: 30 });
      await a.accessToken(session);
      now += 5_000;
      expect(await b.accessToken(session)).toMatchObject({ type: 'error', error: { code: 'IDP_UNAVAILABLE' } });
      expect(idp.seen).toEqual(['rt-1']);
      await new Promise((r) => setTimeout(r, 200));
    });
  });
});
