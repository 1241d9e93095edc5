import type { ErrorCode } from '@bff/shared';
import { PREFIX, RedisConnection, type RedisTopology } from '../redis/connection.js';
import type { ActiveSession, SessionStore, StoredSession, TokenState } from './store.js';

/**
 * Every key of one session carries the id as a hash tag (`{id}`): on a Redis
 * Cluster they share a slot, so the scripts, the lock and compare-and-set
 * work unchanged. The sub/sid indexes live in their own slots and are never
 * touched by the same script as a session.
 */
export const key = {
  session: (id: string) => `${PREFIX}{${id}}:s`,
  lock: (id: string) => `${PREFIX}{${id}}:lock`,
  failure: (id: string) => `${PREFIX}{${id}}:fail`,
  sub: (sub: string) => `${PREFIX}sub:{${sub}}`,
  sid: (sid: string) => `${PREFIX}sid:{${sid}}`,
};

// KEYS[1] session; ARGV ttl ms, then field, value pairs
const CREATE = `
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], unpack(ARGV, 2))
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return 1`;

// KEYS[1] index set; ARGV id, ttl ms (an index outlives its sessions, never the other way)
const INDEX_ADD = `
redis.call('SADD', KEYS[1], ARGV[1])
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[2]) then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 1`;

// KEYS[1] session; ARGV expected version, tokens JSON, ttl ms
const UPDATE_TOKENS = `
if redis.call('HGET', KEYS[1], 'state') ~= 'active' then return 0 end
if redis.call('HGET', KEYS[1], 'version') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'tokens', ARGV[2], 'version', tostring(tonumber(ARGV[1]) + 1))
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1`;

// KEYS[1] session; ARGV lastSeenAt, ttl ms
const TOUCH = `
if redis.call('HGET', KEYS[1], 'state') ~= 'active' then return 0 end
redis.call('HSET', KEYS[1], 'lastSeenAt', ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1`;

// KEYS[1] session; ARGV reason, endedAt, ttl ms. Returns the ended session's sub and sid (for the indexes), or 0.
const END = `
local state = redis.call('HGET', KEYS[1], 'state')
if not state then return 0 end
local sub = redis.call('HGET', KEYS[1], 'sub') or ''
local sid = redis.call('HGET', KEYS[1], 'sid') or ''
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'state', 'ended', 'reason', ARGV[1], 'endedAt', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
if state ~= 'active' then return 0 end
return {sub, sid}`;

/**
 * Sessions in Redis, for several BFF replicas and restarts. One hash per
 * session; token updates by a compare-and-set script on the version (the
 * refresh lock is RedisRefreshCoordinator's). A request's first read goes
 * through a second connection with server-assisted client-side
 * caching (RESP3 client tracking): Redis tells every replica to drop its
 * copy when any replica writes, so steady-state requests cost no round trip;
 * everything that decides a refresh reads the server directly. Commands fail
 * fast while Redis is down (no offline queue) and the clients reconnect on
 * their own.
 */
export class RedisSessionStore implements SessionStore {
  readonly kind = 'redis';

  constructor(readonly redis: RedisConnection) {}

  /** A store on its own connection (a URL, or a cluster or Sentinel topology); `store.redis` can be shared with a RedisRefreshCoordinator. */
  static async connect(where: string | RedisTopology): Promise<RedisSessionStore> {
    return new RedisSessionStore(await RedisConnection.open(where));
  }

  async get(id: string): Promise<StoredSession | undefined> {
    const hash = await this.redis.run(() => this.redis.client.hGetAll(key.session(id)));
    return fromHash(id, hash);
  }

  async getForRequest(id: string): Promise<StoredSession | undefined> {
    const hash = await this.redis.run(() => this.redis.cached.hGetAll(key.session(id)));
    return fromHash(id, hash as Record<string, string>);
  }

  async create(session: ActiveSession, ttlMs: number): Promise<void> {
    const ttl = String(Math.max(1, Math.ceil(ttlMs)));
    const fields = Object.entries(toHash(session)).flat();
    await this.redis.run(() => this.redis.client.eval(CREATE, { keys: [key.session(session.id)], arguments: [ttl, ...fields] }));
    // the indexes are found by back-channel logout; one that outlives its session is filtered by findIds' callers reading the record
    const indexTtl = String(Math.max(Number(ttl), 24 * 3_600_000));
    const indexes = [key.sub(session.user.sub), ...(session.sid ? [key.sid(session.sid)] : [])];
    await this.redis.run(() =>
      Promise.all(indexes.map((index) => this.redis.client.eval(INDEX_ADD, { keys: [index], arguments: [session.id, indexTtl] }))),
    );
  }

  async updateTokens(id: string, expectedVersion: number, tokens: TokenState, ttlMs: number): Promise<boolean> {
    const result = await this.redis.run(() =>
      this.redis.client.eval(UPDATE_TOKENS, {
        keys: [key.session(id)],
        arguments: [String(expectedVersion), JSON.stringify(tokens), String(Math.max(1, Math.ceil(ttlMs)))],
      }),
    );
    return result === 1;
  }

  async touch(id: string, lastSeenAt: number, ttlMs: number): Promise<void> {
    await this.redis.run(() =>
      this.redis.client.eval(TOUCH, { keys: [key.session(id)], arguments: [String(lastSeenAt), String(Math.max(1, Math.ceil(ttlMs)))] }),
    );
  }

  async end(id: string, reason: ErrorCode, at: number, tombstoneTtlMs: number): Promise<void> {
    const ended = await this.redis.run(() =>
      this.redis.client.eval(END, {
        keys: [key.session(id)],
        arguments: [reason, String(at), String(Math.max(1, Math.ceil(tombstoneTtlMs)))],
      }),
    );
    if (Array.isArray(ended)) await this.#unindex(id, String(ended[0] ?? ''), String(ended[1] ?? ''));
  }

  async destroy(id: string): Promise<void> {
    const stored = await this.get(id);
    await this.redis.run(() => this.redis.client.del(key.session(id)));
    if (stored?.state === 'active') await this.#unindex(id, stored.user.sub, stored.sid ?? '');
  }

  async findIds(by: { sub?: string | undefined; sid?: string | undefined }): Promise<string[]> {
    const ids = new Set<string>();
    if (by.sid) for (const id of await this.redis.run(() => this.redis.client.sMembers(key.sid(by.sid!)))) ids.add(id);
    if (by.sub) for (const id of await this.redis.run(() => this.redis.client.sMembers(key.sub(by.sub!)))) ids.add(id);
    return [...ids];
  }

  async #unindex(id: string, sub: string, sid: string): Promise<void> {
    const indexes = [...(sub ? [key.sub(sub)] : []), ...(sid ? [key.sid(sid)] : [])];
    await this.redis.run(() => Promise.all(indexes.map((index) => this.redis.client.sRem(index, id))));
  }

  async ping(): Promise<void> {
    await this.redis.ping();
  }

  async close(): Promise<void> {
    await this.redis.close();
  }
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

function fromHash(id: string, hash: Record<string, string>): StoredSession | undefined {
  if (hash.state === 'ended') {
    return { state: 'ended', id, reason: hash.reason as ErrorCode, endedAt: Number(hash.endedAt) };
  }
  if (hash.state !== 'active' || !hash.user || !hash.tokens) return undefined;
  return {
    state: 'active',
    id,
    version: Number(hash.version),
    user: JSON.parse(hash.user) as ActiveSession['user'],
    sid: hash.sid || undefined,
    createdAt: Number(hash.createdAt),
    lastSeenAt: Number(hash.lastSeenAt),
    absoluteExpiresAt: Number(hash.absoluteExpiresAt),
    tokens: JSON.parse(hash.tokens) as TokenState,
  };
}
