import type { ErrorCode } from '@bff/shared';
import type { ActiveSession, Clock, RefreshCoordinator, RefreshFailure, SessionStore, StoredSession, TokenState } from '@bff/fastify-bff';

type Value = string | Map<string, string> | Set<string>;

/**
 * A model of the Redis that RedisSessionStore and RedisRefreshCoordinator
 * use: keys that expire on the injected clock, strings, hashes and sets, and
 * each of their Lua scripts as one atomic step. Everything is kept as Redis
 * keeps it, as strings, so a record comes back decoded, never the object
 * that was given.
 */
export class RedisModel {
  readonly #keys = new Map<string, { value: Value; expiresAt: number }>();

  constructor(readonly clock: Clock) {}

  get(key: string): Value | undefined {
    const entry = this.#keys.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.clock()) {
      this.#keys.delete(key);
      return undefined;
    }
    return entry.value;
  }

  set(key: string, value: Value, ttlMs = Number.POSITIVE_INFINITY): void {
    this.#keys.set(key, { value, expiresAt: this.clock() + ttlMs });
  }

  /** PEXPIRE: false when the key does not exist. */
  expire(key: string, ttlMs: number): boolean {
    const entry = this.get(key) === undefined ? undefined : this.#keys.get(key);
    if (!entry) return false;
    entry.expiresAt = this.clock() + ttlMs;
    return true;
  }

  ttl(key: string): number {
    const entry = this.get(key) === undefined ? undefined : this.#keys.get(key);
    return entry ? entry.expiresAt - this.clock() : -2;
  }

  del(key: string): void {
    this.#keys.delete(key);
  }

  hash(key: string): Map<string, string> | undefined {
    const value = this.get(key);
    return value instanceof Map ? value : undefined;
  }

  members(key: string): Set<string> | undefined {
    const value = this.get(key);
    return value instanceof Set ? value : undefined;
  }
}

const PREFIX = 'bff:';
const key = {
  session: (id: string) => `${PREFIX}{${id}}:s`,
  lock: (id: string) => `${PREFIX}{${id}}:lock`,
  failure: (id: string) => `${PREFIX}{${id}}:fail`,
  sub: (sub: string) => `${PREFIX}sub:{${sub}}`,
  sid: (sid: string) => `${PREFIX}sid:{${sid}}`,
};

const ttl = (ms: number) => Math.max(1, Math.ceil(ms));

/** RedisSessionStore's semantics over the model (session/redisStore.ts: one hash per session, its scripts). */
export class RedisModelStore implements SessionStore {
  readonly kind = 'redis-model';

  constructor(readonly redis: RedisModel) {}

  async get(id: string): Promise<StoredSession | undefined> {
    return fromHash(id, this.redis.hash(key.session(id)));
  }

  async create(session: ActiveSession, ttlMs: number): Promise<void> {
    this.redis.set(key.session(session.id), new Map(Object.entries(toHash(session))), ttl(ttlMs));
    const indexTtl = Math.max(ttl(ttlMs), 24 * 3_600_000);
    for (const index of [key.sub(session.user.sub), ...(session.sid ? [key.sid(session.sid)] : [])]) {
      const members = this.redis.members(index) ?? new Set<string>();
      if (!this.redis.members(index)) this.redis.set(index, members, indexTtl);
      members.add(session.id);
      if (this.redis.ttl(index) < indexTtl) this.redis.expire(index, indexTtl);
    }
  }

  async updateTokens(id: string, expectedVersion: number, tokens: TokenState, ttlMs: number): Promise<boolean> {
    const hash = this.redis.hash(key.session(id));
    if (hash?.get('state') !== 'active' || hash.get('version') !== String(expectedVersion)) return false;
    hash.set('tokens', JSON.stringify(tokens));
    hash.set('version', String(expectedVersion + 1));
    this.redis.expire(key.session(id), ttl(ttlMs));
    return true;
  }

  async touch(id: string, lastSeenAt: number, ttlMs: number): Promise<void> {
    const hash = this.redis.hash(key.session(id));
    if (hash?.get('state') !== 'active') return;
    hash.set('lastSeenAt', String(lastSeenAt));
    this.redis.expire(key.session(id), ttl(ttlMs));
  }

  async end(id: string, reason: ErrorCode, at: number, tombstoneTtlMs: number): Promise<void> {
    const hash = this.redis.hash(key.session(id));
    if (!hash) return;
    const state = hash.get('state');
    const sub = hash.get('sub') ?? '';
    const sid = hash.get('sid') ?? '';
    this.redis.set(
      key.session(id),
      new Map([
        ['state', 'ended'],
        ['reason', reason],
        ['endedAt', String(at)],
      ]),
      ttl(tombstoneTtlMs),
    );
    if (state === 'active') this.#unindex(id, sub, sid);
  }

  async destroy(id: string): Promise<void> {
    const stored = await this.get(id);
    this.redis.del(key.session(id));
    if (stored?.state === 'active') this.#unindex(id, stored.user.sub, stored.sid ?? '');
  }

  async findIds(by: { sub?: string | undefined; sid?: string | undefined }): Promise<string[]> {
    const ids = new Set<string>();
    if (by.sid) for (const id of this.redis.members(key.sid(by.sid)) ?? []) ids.add(id);
    if (by.sub) for (const id of this.redis.members(key.sub(by.sub)) ?? []) ids.add(id);
    return [...ids];
  }

  async ping(): Promise<void> {}

  async close(): Promise<void> {}

  #unindex(id: string, sub: string, sid: string): void {
    for (const index of [...(sub ? [key.sub(sub)] : []), ...(sid ? [key.sid(sid)] : [])]) {
      const members = this.redis.members(index);
      members?.delete(id);
      if (members?.size === 0) this.redis.del(index);
    }
  }
}

/** RedisRefreshCoordinator's semantics over the model: SET NX PX, owner-checked renew and release, the failure key. */
export class RedisModelCoordinator implements RefreshCoordinator {
  constructor(readonly redis: RedisModel) {}

  async acquireRefreshLock(id: string, owner: string, leaseMs: number): Promise<boolean> {
    if (this.redis.get(key.lock(id)) !== undefined) return false;
    this.redis.set(key.lock(id), owner, Math.ceil(leaseMs));
    return true;
  }

  async renewRefreshLock(id: string, owner: string, leaseMs: number): Promise<boolean> {
    if (this.redis.get(key.lock(id)) !== owner) return false;
    return this.redis.expire(key.lock(id), Math.ceil(leaseMs));
  }

  async releaseRefreshLock(id: string, owner: string): Promise<void> {
    if (this.redis.get(key.lock(id)) === owner) this.redis.del(key.lock(id));
  }

  async recordRefreshFailure(id: string, failure: RefreshFailure, ttlMs: number): Promise<void> {
    this.redis.set(key.failure(id), JSON.stringify(failure), ttl(ttlMs));
  }

  async lastRefreshFailure(id: string): Promise<RefreshFailure | undefined> {
    const raw = this.redis.get(key.failure(id));
    return typeof raw === 'string' ? (JSON.parse(raw) as RefreshFailure) : undefined;
  }

  async close(): Promise<void> {}
}

function toHash(session: ActiveSession): Record<string, string> {
  return {
    state: 'active',
    version: String(session.version),
    sub: session.user.sub,
    sid: session.sid ?? '',
    user: JSON.stringify(session.user),
    createdAt: String(session.createdAt),
    lastSeenAt: String(session.lastSeenAt),
    absoluteExpiresAt: String(session.absoluteExpiresAt),
    tokens: JSON.stringify(session.tokens),
  };
}

function fromHash(id: string, hash: Map<string, string> | undefined): StoredSession | undefined {
  if (!hash) return undefined;
  if (hash.get('state') === 'ended') {
    return { state: 'ended', id, reason: hash.get('reason') as ErrorCode, endedAt: Number(hash.get('endedAt')) };
  }
  const user = hash.get('user');
  const tokens = hash.get('tokens');
  if (hash.get('state') !== 'active' || !user || !tokens) return undefined;
  return {
    state: 'active',
    id,
    version: Number(hash.get('version')),
    user: JSON.parse(user) as ActiveSession['user'],
    sid: hash.get('sid') || undefined,
    createdAt: Number(hash.get('createdAt')),
    lastSeenAt: Number(hash.get('lastSeenAt')),
    absoluteExpiresAt: Number(hash.get('absoluteExpiresAt')),
    tokens: JSON.parse(tokens) as TokenState,
  };
}
