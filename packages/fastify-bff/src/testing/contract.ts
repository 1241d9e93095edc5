import { randomBytes } from 'node:crypto';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import type { ActiveSession, SessionStore, TokenState } from '../session/store.js';
import type { RefreshCoordinator } from '../tokens/refreshCoordinator.js';

/**
 * The contract suites every SessionStore and RefreshCoordinator must pass
 * (the built-in memory and redis ones do). Run yours from a vitest file:
 *
 *   import { sessionStoreContract, refreshCoordinatorContract } from '@bff/fastify-bff/testing/contract';
 *   sessionStoreContract('my store', async () => new MyStore(...));
 *   refreshCoordinatorContract('my coordinator', async () => new MyCoordinator(...));
 *
 * Records are made with `Date.now()`. A store or coordinator on an injected
 * clock passes `advance(ms)`, which the suite calls whenever it waits, so
 * that its clock moves with real time.
 */
export interface ContractOptions {
  advance?: (ms: number) => void;
}

const tokens = (tag: string, now: number): TokenState => ({
  sealed: `v2.k.${tag}`,
  accessTokenExpiresAt: now + 60_000,
  accessTokenLifetime: 60,
  refreshTokenExpiresAt: now + 3_600_000,
  hasRefreshToken: true,
});

function session(now: number, overrides: Partial<ActiveSession> = {}): ActiveSession {
  return {
    state: 'active',
    id: randomBytes(16).toString('hex'),
    version: 1,
    user: { sub: `user-${randomBytes(4).toString('hex')}`, name: 'N' },
    sid: `sid-${randomBytes(4).toString('hex')}`,
    createdAt: now,
    lastSeenAt: now,
    absoluteExpiresAt: now + 3_600_000,
    tokens: tokens('1', now),
    ...overrides,
  };
}

/** CRUD, versioned compare-and-set, tombstones and the sub/sid indexes. */
export function sessionStoreContract(name: string, create: () => Promise<SessionStore>): void {
  describe(`${name}: the SessionStore contract`, () => {
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
      const s = session(Date.now());
      await store.create(s, 60_000);
      expect(await store.get(s.id)).toEqual(s);
      expect(await store.get('nope')).toBeUndefined();
      if (store.getForRequest) expect(await store.getForRequest(s.id)).toEqual(s);
    });

    it('updates tokens only from the version it expects, and bumps the version', async () => {
      const now = Date.now();
      const s = session(now);
      await store.create(s, 60_000);
      expect(await store.updateTokens(s.id, 1, tokens('2', now), 60_000)).toBe(true);
      // a stale writer still holding version 1 cannot overwrite the newer pair
      expect(await store.updateTokens(s.id, 1, tokens('stale', now), 60_000)).toBe(false);
      expect(await store.get(s.id)).toMatchObject({ version: 2, tokens: { sealed: 'v2.k.2' } });
      expect(await store.updateTokens('nope', 1, tokens('x', now), 60_000)).toBe(false);
    });

    it('touches the idle deadline without touching the tokens', async () => {
      const now = Date.now();
      const s = session(now);
      await store.create(s, 60_000);
      await store.updateTokens(s.id, 1, tokens('2', now), 60_000);
      await store.touch(s.id, now + 5_000, 60_000);
      expect(await store.get(s.id)).toMatchObject({ version: 2, lastSeenAt: now + 5_000, tokens: { sealed: 'v2.k.2' } });
    });

    it('leaves a tombstone with the reason when a session ends, and forgets it from the indexes', async () => {
      const now = Date.now();
      const s = session(now);
      await store.create(s, 60_000);
      expect(await store.findIds({ sub: s.user.sub })).toEqual([s.id]);
      await store.end(s.id, 'TOKEN_REVOKED', now, 60_000);
      expect(await store.get(s.id)).toEqual({ state: 'ended', id: s.id, reason: 'TOKEN_REVOKED', endedAt: now });
      expect(await store.findIds({ sub: s.user.sub })).toEqual([]);
      expect(await store.updateTokens(s.id, 1, tokens('late', now), 60_000)).toBe(false);
    });

    it('finds sessions by sid and by sub for back-channel logout', async () => {
      const now = Date.now();
      const sub = `user-${randomBytes(4).toString('hex')}`;
      const a = session(now, { user: { sub }, sid: 'sid-a-' + sub });
      const b = session(now, { user: { sub }, sid: 'sid-b-' + sub });
      await store.create(a, 60_000);
      await store.create(b, 60_000);
      expect((await store.findIds({ sub })).sort()).toEqual([a.id, b.id].sort());
      expect(await store.findIds({ sid: a.sid })).toEqual([a.id]);
      await store.destroy(a.id);
      expect(await store.findIds({ sub })).toEqual([b.id]);
      expect(await store.get(a.id)).toBeUndefined();
    });

    it('answers a ping', async () => {
      await expect(store.ping()).resolves.toBeUndefined();
    });
  });
}

/** One lock owner at a time, owner-checked renew and release, leases that lapse, and the last failure. */
export function refreshCoordinatorContract(name: string, create: () => Promise<RefreshCoordinator>, options: ContractOptions = {}): void {
  const wait = async (ms: number) => {
    await new Promise((r) => setTimeout(r, ms));
    options.advance?.(ms);
  };
  describe(`${name}: the RefreshCoordinator contract`, () => {
    let coordinator: RefreshCoordinator;
    const opened: RefreshCoordinator[] = [];
    beforeEach(async () => {
      coordinator = await create();
      opened.push(coordinator);
    });
    afterAll(async () => {
      await Promise.all(opened.map((c) => c.close()));
    });

    it('grants the refresh lock to one owner at a time and lets only that owner release it', async () => {
      const id = randomBytes(8).toString('hex');
      expect(await coordinator.acquireRefreshLock(id, 'a', 5_000)).toBe(true);
      expect(await coordinator.acquireRefreshLock(id, 'b', 5_000)).toBe(false);
      // not re-entrant: the owner itself cannot take it twice
      expect(await coordinator.acquireRefreshLock(id, 'a', 5_000)).toBe(false);
      await coordinator.releaseRefreshLock(id, 'b');
      expect(await coordinator.acquireRefreshLock(id, 'b', 5_000)).toBe(false);
      await coordinator.releaseRefreshLock(id, 'a');
      expect(await coordinator.acquireRefreshLock(id, 'b', 5_000)).toBe(true);
      await coordinator.releaseRefreshLock(id, 'b');
    });

    it('renews the refresh lock only for its owner, and frees it one lease after the last renewal', async () => {
      const id = randomBytes(8).toString('hex');
      expect(await coordinator.acquireRefreshLock(id, 'a', 200)).toBe(true);
      expect(await coordinator.renewRefreshLock(id, 'b', 5_000)).toBe(false);
      expect(await coordinator.renewRefreshLock(id, 'a', 400)).toBe(true);
      await wait(250);
      expect(await coordinator.acquireRefreshLock(id, 'b', 5_000)).toBe(false);
      await wait(250);
      expect(await coordinator.renewRefreshLock(id, 'a', 400)).toBe(false);
      expect(await coordinator.acquireRefreshLock(id, 'b', 5_000)).toBe(true);
      await coordinator.releaseRefreshLock(id, 'b');
    });

    it('remembers a refresh failure for its cooldown, and forgets it after', async () => {
      const id = randomBytes(8).toString('hex');
      const at = Date.now();
      expect(await coordinator.lastRefreshFailure(id)).toBeUndefined();
      await coordinator.recordRefreshFailure(id, { basedOnVersion: 3, code: 'IDP_UNAVAILABLE', at }, 150);
      expect(await coordinator.lastRefreshFailure(id)).toEqual({ basedOnVersion: 3, code: 'IDP_UNAVAILABLE', at });
      await wait(200);
      expect(await coordinator.lastRefreshFailure(id)).toBeUndefined();
    });
  });
}
