import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { RedisConnection } from '../../redis/connection.js';
import { RedisRefreshCoordinator } from '../../redis/redisRefreshCoordinator.js';
import { refreshCoordinatorContract, sessionStoreContract } from '../../testing/contract.js';
import { MemoryRefreshCoordinator } from '../../tokens/refreshCoordinator.js';
import { MemorySessionStore } from '../memoryStore.js';
import { RedisSessionStore } from '../redisStore.js';
import type { ActiveSession, TokenState } from '../store.js';

const REDIS_URL = process.env.REDIS_URL;
if (!REDIS_URL) console.warn('storeContract: REDIS_URL is not set, so the redis store contract is skipped (CI always sets it)');

// an injected clock that follows real time, and that the memory store's own tests can move on
let offset = 0;
const clock = () => Date.now() + offset;

sessionStoreContract('the memory store', async () => new MemorySessionStore({ clock, maxSessions: 1000 }));
refreshCoordinatorContract('the memory coordinator', async () => new MemoryRefreshCoordinator({ clock }));
if (REDIS_URL) {
  sessionStoreContract('the redis store', () => RedisSessionStore.connect(REDIS_URL));
  refreshCoordinatorContract('the redis coordinator', async () => new RedisRefreshCoordinator(await RedisConnection.open(REDIS_URL), true));
}

const tokens = (tag: string): TokenState => ({
  sealed: `v2.k.${tag}`,
  accessTokenExpiresAt: Date.now() + 60_000,
  accessTokenLifetime: 60,
  hasRefreshToken: true,
});

function session(): ActiveSession {
  const now = Date.now();
  return {
    state: 'active',
    id: randomBytes(16).toString('hex'),
    version: 1,
    user: { sub: `user-${randomBytes(4).toString('hex')}` },
    createdAt: now,
    lastSeenAt: now,
    absoluteExpiresAt: now + 3_600_000,
    tokens: tokens('1'),
  };
}

describe.runIf(REDIS_URL)("the redis store's cached request reads", () => {
  it("see another replica's write within milliseconds, and an ended session as ended", async () => {
    const a = await RedisSessionStore.connect(REDIS_URL!);
    const b = await RedisSessionStore.connect(REDIS_URL!);
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
      await b.end(s.id, 'TOKEN_REVOKED', Date.now(), 60_000);
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

  it('forgets expired sessions', async () => {
    const store = new MemorySessionStore({ clock, maxSessions: 10 });
    const s = session();
    await store.create(s, 1_000);
    offset += 1_001;
    expect(await store.get(s.id)).toBeUndefined();
    offset -= 1_001;
    await store.close();
  });
});
