import { randomBytes } from 'node:crypto';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { MemorySessionStore } from '../memoryStore.js';
import { RedisSessionStore } from '../redisStore.js';
import type { ActiveSession, SessionStore, TokenState } from '../store.js';

const REDIS_URL = process.env.REDIS_URL;
if (!REDIS_URL) console.warn('storeContract: REDIS_URL is not set, so the redis store contract is skipped (CI always sets it)');

let now = 1_700_000_000_000;
const clock = () => now;

const tokens = (tag: string): TokenState => ({
  sealed: `sealed-${tag}`,
  accessTokenExpiresAt: now + 60_000,
  accessTokenLifetime: 60,
  refreshTokenExpiresAt: now + 3_600_000,
  hasRefreshToken: true,
});

function session(overrides: Partial<ActiveSession> = {}): ActiveSession {
  return {
    state: 'active',
    id: randomBytes(16).toString('hex'),
    version: 1,
    user: { sub: `user-${randomBytes(4).toString('hex')}`, name: 'N' },
    sid: `sid-${randomBytes(4).toString('hex')}`,
    createdAt: now,
    lastSeenAt: now,
    absoluteExpiresAt: now + 3_600_000,
    tokens: tokens('1'),
    ...overrides,
  };
}

const stores: Array<[string, () => Promise<SessionStore>]> = [
  ['memory', async () => new MemorySessionStore({ clock, maxSessions: 1000 })],
];
if (REDIS_URL) stores.push(['redis', () => RedisSessionStore.connect(REDIS_URL, { clock })]);

describe.each(stores)('the %s session store', (_kind, create) => {
  let store: SessionStore;
  const opened: SessionStore[] = [];
  beforeEach(async () => {
    store = await create();
    opened.push(store);
  });
  afterAll(async () => {
    await Promise.all(opened.map((s) => s.close()));
  });

  it('gives back what it was given', async () => {
    const s = session();
    await store.create(s, 60_000);
    expect(await store.get(s.id)).toEqual(s);
    expect(await store.get('nope')).toBeUndefined();
  });

  it('updates tokens only from the version it expects, and bumps the version', async () => {
    const s = session();
    await store.create(s, 60_000);
    expect(await store.updateTokens(s.id, 1, tokens('2'), 60_000)).toBe(true);
    // a stale writer still holding version 1 cannot overwrite the newer pair
    expect(await store.updateTokens(s.id, 1, tokens('stale'), 60_000)).toBe(false);
    expect(await store.get(s.id)).toMatchObject({ version: 2, tokens: { sealed: 'sealed-2' } });
  });

  it('touches the idle deadline without touching the tokens', async () => {
    const s = session();
    await store.create(s, 60_000);
    await store.updateTokens(s.id, 1, tokens('2'), 60_000);
    await store.touch(s.id, now + 5_000, 60_000);
    expect(await store.get(s.id)).toMatchObject({ version: 2, lastSeenAt: now + 5_000, tokens: { sealed: 'sealed-2' } });
  });

  it('leaves a tombstone with the reason when a session ends, and forgets it from the indexes', async () => {
    const s = session();
    await store.create(s, 60_000);
    expect(await store.findIds({ sub: s.user.sub })).toEqual([s.id]);
    await store.end(s.id, 'TOKEN_REVOKED', now, 60_000);
    expect(await store.get(s.id)).toEqual({ state: 'ended', id: s.id, reason: 'TOKEN_REVOKED', endedAt: now });
    expect(await store.findIds({ sub: s.user.sub })).toEqual([]);
    expect(await store.updateTokens(s.id, 1, tokens('late'), 60_000)).toBe(false);
  });

  it('finds sessions by sid and by sub for back-channel logout', async () => {
    const sub = `user-${randomBytes(4).toString('hex')}`;
    const a = session({ user: { sub }, sid: 'sid-a-' + sub });
    const b = session({ user: { sub }, sid: 'sid-b-' + sub });
    await store.create(a, 60_000);
    await store.create(b, 60_000);
    expect((await store.findIds({ sub })).sort()).toEqual([a.id, b.id].sort());
    expect(await store.findIds({ sid: a.sid })).toEqual([a.id]);
    await store.destroy(a.id);
    expect(await store.findIds({ sub })).toEqual([b.id]);
    expect(await store.get(a.id)).toBeUndefined();
  });

  it('grants the refresh lock to one owner at a time and lets only that owner release it', async () => {
    const id = randomBytes(8).toString('hex');
    expect(await store.acquireRefreshLock(id, 'a', 5_000)).toBe(true);
    expect(await store.acquireRefreshLock(id, 'b', 5_000)).toBe(false);
    await store.releaseRefreshLock(id, 'b');
    expect(await store.acquireRefreshLock(id, 'b', 5_000)).toBe(false);
    await store.releaseRefreshLock(id, 'a');
    expect(await store.acquireRefreshLock(id, 'b', 5_000)).toBe(true);
    await store.releaseRefreshLock(id, 'b');
  });

  it('renews the refresh lock only for its owner, and frees it one lease after the last renewal', async () => {
    const id = randomBytes(8).toString('hex');
    // the memory store runs on the injected clock, redis on its own: move both
    const wait = async (ms: number) => {
      await new Promise((r) => setTimeout(r, ms));
      now += ms;
    };
    expect(await store.acquireRefreshLock(id, 'a', 200)).toBe(true);
    expect(await store.renewRefreshLock(id, 'b', 5_000)).toBe(false);
    expect(await store.renewRefreshLock(id, 'a', 400)).toBe(true);
    await wait(250);
    expect(await store.acquireRefreshLock(id, 'b', 5_000)).toBe(false);
    await wait(250);
    expect(await store.renewRefreshLock(id, 'a', 400)).toBe(false);
    expect(await store.acquireRefreshLock(id, 'b', 5_000)).toBe(true);
    await store.releaseRefreshLock(id, 'b');
  });

  it('remembers a refresh failure for its cooldown', async () => {
    const id = randomBytes(8).toString('hex');
    await store.recordRefreshFailure(id, { basedOnVersion: 3, code: 'IDP_UNAVAILABLE', at: now }, 60_000);
    expect(await store.lastRefreshFailure(id)).toEqual({ basedOnVersion: 3, code: 'IDP_UNAVAILABLE', at: now });
  });
});

describe.runIf(REDIS_URL)('the redis store\'s cached request reads', () => {
  it('see another replica\'s write within milliseconds, and an ended session as ended', async () => {
    const a = await RedisSessionStore.connect(REDIS_URL!, { clock });
    const b = await RedisSessionStore.connect(REDIS_URL!, { clock });
    try {
      const s = session();
      await a.create(s, 60_000);
      expect(await a.getForRequest(s.id)).toMatchObject({ version: 1 });
      expect(await b.updateTokens(s.id, 1, tokens('2'), 60_000)).toBe(true);
      const seen = async (check: (value: Awaited<ReturnType<RedisSessionStore['getForRequest']>>) => boolean) => {
        for (let i = 0; i < 50; i += 1) {
          if (check(await a.getForRequest(s.id))) return true;
          await new Promise((r) => setTimeout(r, 2));
        }
        return false;
      };
      expect(await seen((v) => v?.state === 'active' && v.version === 2)).toBe(true);
      await b.end(s.id, 'TOKEN_REVOKED', now, 60_000);
      expect(await seen((v) => v?.state === 'ended')).toBe(true);
      // the authoritative read never lags
      expect(await a.get(s.id)).toMatchObject({ state: 'ended', reason: 'TOKEN_REVOKED' });
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});

describe('the memory store', () => {
  it('stays bounded, evicting the oldest sessions first', async () => {
    const store = new MemorySessionStore({ clock, maxSessions: 3 });
    const sessions = [session(), session(), session(), session()];
    for (const s of sessions) await store.create(s, 60_000);
    expect(store.size).toBe(3);
    expect(await store.get(sessions[0]!.id)).toBeUndefined();
    expect(await store.get(sessions[3]!.id)).toBeDefined();
    await store.close();
  });

  it('sweeps expired sessions', async () => {
    const store = new MemorySessionStore({ clock, maxSessions: 10 });
    await store.create(session(), 1_000);
    now += 1_001;
    store.sweep();
    expect(store.size).toBe(0);
    await store.close();
  });
});
