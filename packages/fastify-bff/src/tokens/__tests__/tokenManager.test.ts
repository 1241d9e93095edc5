import { randomBytes } from 'node:crypto';
import { ClientError, ResponseBodyError } from 'openid-client';
import { beforeEach, describe, expect, it } from 'vitest';
import { TokenCipher } from '../../crypto/tokenCipher.js';
import { MemorySessionStore } from '../../session/memoryStore.js';
import { StoreUnavailableError, type ActiveSession, type SessionStore } from '../../session/store.js';
import { classifyGrantError } from '../../oidc/classify.js';
import { MemoryRefreshCoordinator, type RefreshCoordinator } from '../refreshCoordinator.js';
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

async function newSession(
  store: SessionStore,
  response: TokenResponse = { access_token: 'at-1', refresh_token: 'rt-1', expires_in: 900, refresh_token_expires_in: 86_400 },
) {
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

type Grant = (refreshToken: string) => Promise<TokenResponse>;

/** A manager whose grant classifies the fake IdP's openid-client errors as the real OidcClient does. */
function manager(store: SessionStore, grant: Grant, extra: Partial<Omit<TokenManagerOptions, 'refreshGrant'>> = {}) {
  return new TokenManager({
    store,
    coordinator,
    cipher,
    refreshGrant: (refreshToken, context) =>
      grant(refreshToken).then(
        (response) => ({ type: 'tokens', response }),
        (err: unknown) => classifyGrantError(err, context),
      ),
    clock,
    refreshSkewSeconds: 60,
    idpTimeoutMs: 1_000,
    sessionTtlMs: () => 3_600_000,
    pollIntervalMs: 2,
    ...extra,
  });
}

/**
 * A real memory store that can be switched off: while `down`, every call
 * rejects as the redis store does when Redis is unreachable. (The soak test
 * in test/storeOutage.test.ts does this with a real Redis that is stopped.)
 */
function switchable(inner: SessionStore, innerCoordinator: RefreshCoordinator) {
  const state = { down: false, calls: [] as string[] };
  const wrap = <T extends object>(target: T): T =>
    new Proxy(target, {
      get(target, name, receiver) {
        const value = Reflect.get(target, name, receiver) as unknown;
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          state.calls.push(String(name));
          if (state.down) return Promise.reject(new StoreUnavailableError('the store is down (test)'));
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
  return { store: wrap(inner), coordinator: wrap(innerCoordinator), state };
}

let coordinator: RefreshCoordinator;
const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('TokenManager', () => {
  let store: MemorySessionStore;
  beforeEach(() => {
    now = 1_700_000_000_000;
    store = new MemorySessionStore({ clock, maxSessions: 1000 });
    coordinator = new MemoryRefreshCoordinator({ clock });
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

  describe('a session store that goes down during a refresh', () => {
    it('holds the rotated pair, serves it, stores it when the store is back, and never sends the old refresh token again', async () => {
      const { store: flaky, coordinator: flakyCoordinator, state } = switchable(store, coordinator);
      const idp = fakeIdp([
        async () => {
          state.down = true; // the store goes away while the IdP is rotating the token
          return { access_token: 'at-2', refresh_token: 'rt-2', expires_in: 900 };
        },
      ]);
      const session = await newSession(store);
      now += 900_000;
      const tokens = manager(flaky, idp.grant, { coordinator: flakyCoordinator });
      expect(await tokens.accessToken(session)).toMatchObject({ type: 'bearer', accessToken: 'at-2' });
      // meanwhile every request for that session on this replica gets the new token, without a grant
      expect(await tokens.accessToken(session)).toMatchObject({ type: 'bearer', accessToken: 'at-2' });
      expect(await tokens.accessToken(session, { force: true })).toMatchObject({ type: 'bearer', accessToken: 'at-2' });
      await tick(400); // several attempts fail while it is down
      expect(await store.get(session.id)).toMatchObject({ version: 1 });
      state.down = false;
      await tick(600);
      const stored = (await store.get(session.id)) as ActiveSession;
      expect(stored).toMatchObject({ state: 'active', version: 2 });
      expect(tokens.open(stored)).toMatchObject({ accessToken: 'at-2', refreshToken: 'rt-2' });
      expect(idp.seen).toEqual(['rt-1']);
      // and the lock was released once the pair was stored
      expect(await coordinator.acquireRefreshLock(session.id, 'someone-else', 1_000)).toBe(true);
    });

    it('knows its own pair when a write that timed out ran after all (a Sentinel client sends queued commands after a failover)', async () => {
      let late = true;
      const updateTokens: SessionStore['updateTokens'] = async (...args) => {
        const wrote = await store.updateTokens(...args);
        if (!late) return wrote;
        late = false; // the write ran, but its answer came too late: the caller saw the store fail
        throw new StoreUnavailableError('no answer within 2000 ms (test)');
      };
      const lateWriter = new Proxy(store, {
        get(target, name) {
          if (name === 'updateTokens') return updateTokens;
          const value = Reflect.get(target, name) as unknown;
          return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
        },
      });
      const lines: string[] = [];
      const log = { info: (_: object, msg: string) => void lines.push(msg), warn: (_: object, msg: string) => void lines.push(msg) };
      const idp = fakeIdp();
      const session = await newSession(store);
      now += 900_000;
      const tokens = manager(lateWriter, idp.grant, { log });
      expect(await tokens.accessToken(session)).toMatchObject({ type: 'bearer', accessToken: 'at-2' });
      await tick(200);
      expect(await store.get(session.id)).toMatchObject({ state: 'active', version: 2 });
      expect(lines).toContain('held token pair stored');
      expect(lines).not.toContain('held token pair not stored: the session moved on meanwhile');
      expect(idp.seen).toEqual(['rt-1']);
    });

    it('keeps the lock while it holds an unstored pair, so another replica waits instead of sending the old refresh token', async () => {
      const { store: flaky, coordinator: flakyCoordinator, state } = switchable(store, coordinator);
      const idp = fakeIdp([
        async () => {
          state.down = true;
          return { access_token: 'at-2', refresh_token: 'rt-2', expires_in: 900 };
        },
      ]);
      const session = await newSession(store);
      now += 900_000;
      const a = manager(flaky, idp.grant, { coordinator: flakyCoordinator });
      const b = manager(flaky, idp.grant, { coordinator: flakyCoordinator });
      await a.accessToken(session);
      // B, on another replica, sees the store fail: 503, never a grant with rt-1
      expect(await b.accessToken(session)).toMatchObject({ type: 'error', ended: false, error: { code: 'SESSION_STORE_UNAVAILABLE' } });
      state.down = false;
      // B now finds the lock held (or the pair already stored): either way it ends up with at-2
      const later = await b.accessToken(session);
      expect(later).toMatchObject({ type: 'bearer', accessToken: 'at-2' });
      expect(idp.seen).toEqual(['rt-1']);
    });

    it('answers SESSION_STORE_UNAVAILABLE instead of throwing when the store fails on the refresh path', async () => {
      const { store: flaky, coordinator: flakyCoordinator, state } = switchable(store, coordinator);
      const idp = fakeIdp();
      const session = await newSession(store);
      now += 900_000;
      state.down = true;
      const tokens = manager(flaky, idp.grant, { coordinator: flakyCoordinator });
      expect(await tokens.accessToken(session)).toMatchObject({
        type: 'error',
        ended: false,
        error: { code: 'SESSION_STORE_UNAVAILABLE', statusCode: 503 },
      });
      expect(idp.seen).toEqual([]);
      // and while waiting on another replica's refresh
      state.down = false;
      expect(await coordinator.acquireRefreshLock(session.id, 'other-replica', 60_000)).toBe(true);
      const waiting = tokens.accessToken(session);
      await tick(20);
      state.down = true;
      expect(await waiting).toMatchObject({ type: 'error', ended: false, error: { code: 'SESSION_STORE_UNAVAILABLE' } });
      expect(idp.seen).toEqual([]);
    });

    it('ends the session for the caller when the IdP refuses, even if the store cannot record it', async () => {
      const { store: flaky, coordinator: flakyCoordinator, state } = switchable(store, coordinator);
      const idp = fakeIdp([
        () => {
          state.down = true;
          throw refused('grant has been revoked');
        },
      ]);
      const session = await newSession(store);
      now += 900_000;
      expect(await manager(flaky, idp.grant, { coordinator: flakyCoordinator }).accessToken(session)).toMatchObject({
        type: 'error',
        ended: true,
        error: { code: 'TOKEN_REVOKED' },
      });
    });
  });

  describe('the refresh lock', () => {
    it('is renewed by its holder while a grant runs longer than its lease', async () => {
      let release!: () => void;
      const idp = fakeIdp([
        () =>
          new Promise<TokenResponse>(
            (resolve) => (release = () => resolve({ access_token: 'at-2', refresh_token: 'rt-2', expires_in: 900 })),
          ),
      ]);
      const session = await newSession(store);
      now += 900_000;
      // the memory store's lease runs on the injected clock; the renewal on real time
      const tokens = manager(store, idp.grant, { lockLeaseMs: 80, idpTimeoutMs: 10_000 });
      const pending = tokens.accessToken(session);
      for (let i = 0; i < 5; i += 1) {
        await tick(40);
        now += 40;
        expect(await coordinator.acquireRefreshLock(session.id, 'other-replica', 80)).toBe(false);
      }
      release();
      expect(await pending).toMatchObject({ type: 'bearer', accessToken: 'at-2' });
      expect(idp.seen).toEqual(['rt-1']);
    });

    it('frees within one lease when its holder stops renewing (a replica that died)', async () => {
      const session = await newSession(store);
      // a dead replica: it took the lock and then nothing
      expect(await coordinator.acquireRefreshLock(session.id, 'dead-replica', 6_000)).toBe(true);
      now += 900_000 - 6_000;
      const idp = fakeIdp();
      const tokens = manager(store, idp.grant);
      now += 6_000;
      expect(await tokens.accessToken(session)).toMatchObject({ type: 'bearer', accessToken: 'at-2' });
      expect(tokens.leaseMs).toBe(6_000);
    });
  });
});
