import { createClient, type RedisClientType } from 'redis';
import type { ErrorCode } from '@bff/shared';
import type { Clock } from '../clock.js';
import { StoreUnavailableError, type ActiveSession, type RefreshFailure, type SessionStore, type StoredSession, type TokenState } from './store.js';

const PREFIX = 'bff:';
const COMMAND_TIMEOUT_MS = 2_000;
const key = {
  session: (id: string) => `${PREFIX}s:${id}`,
  sub: (sub: string) => `${PREFIX}sub:${sub}`,
  sid: (sid: string) => `${PREFIX}sid:${sid}`,
  lock: (id: string) => `${PREFIX}lock:${id}`,
  failure: (id: string) => `${PREFIX}fail:${id}`,
};

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

// KEYS[1] session; ARGV reason, endedAt, ttl ms, id, prefix
const END = `
local state = redis.call('HGET', KEYS[1], 'state')
if not state then return 0 end
if state == 'active' then
  local sub = redis.call('HGET', KEYS[1], 'sub')
  local sid = redis.call('HGET', KEYS[1], 'sid')
  if sub then redis.call('SREM', ARGV[5] .. 'sub:' .. sub, ARGV[4]) end
  if sid and sid ~= '' then redis.call('SREM', ARGV[5] .. 'sid:' .. sid, ARGV[4]) end
end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'state', 'ended', 'reason', ARGV[1], 'endedAt', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1`;

// KEYS[1] lock; ARGV owner, lease ms
const RENEW = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0`;

// KEYS[1] lock; ARGV owner
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

/**
 * Sessions in Redis, for several BFF replicas and restarts. One hash per
 * session; token updates by a compare-and-set script on the version; the
 * refresh lock as SET NX PX with an owner-checked release. A request's first
 * read goes through a second connection with server-assisted client-side
 * caching (RESP3 client tracking): Redis tells every replica to drop its
 * copy when any replica writes, so steady-state requests cost no round trip;
 * everything that decides a refresh reads the server directly. Commands fail
 * fast while Redis is down (no offline queue) and the clients reconnect on
 * their own.
 */
export class RedisSessionStore implements SessionStore {
  readonly kind = 'redis';

  private constructor(
    private readonly client: RedisClientType,
    /** A second connection whose reads Redis caches in this process and invalidates on every write (RESP3 client tracking). */
    private readonly cached: RedisClientType,
    private readonly options: { clock: Clock },
  ) {}

  static async connect(url: string, options: { clock: Clock }): Promise<RedisSessionStore> {
    const common = {
      url,
      disableOfflineQueue: true,
      socket: {
        connectTimeout: 2_000,
        // reconnect soon after Redis is back: a refresh holding a new token pair is waiting to store it
        reconnectStrategy: (retries: number) => Math.min(50 * 2 ** retries, 500),
      },
    };
    const client = createClient(common) as RedisClientType;
    // the cache is dropped whole whenever the connection fails, so an outage leaves nothing stale behind
    const cached = createClient({ ...common, RESP: 3, clientSideCache: { maxEntries: 10_000 } }) as unknown as RedisClientType;
    for (const each of [client, cached]) {
      // without a listener an 'error' event would crash the process; reconnects are the client's job
      each.on('error', () => undefined);
    }
    await Promise.all([client.connect(), cached.connect()]);
    return new RedisSessionStore(client, cached, options);
  }

  async get(id: string): Promise<StoredSession | undefined> {
    const hash = await this.#run(() => this.client.hGetAll(key.session(id)));
    return fromHash(id, hash);
  }

  async getForRequest(id: string): Promise<StoredSession | undefined> {
    const hash = await this.#run(() => this.cached.hGetAll(key.session(id)));
    return fromHash(id, hash as Record<string, string>);
  }

  async create(session: ActiveSession, ttlMs: number): Promise<void> {
    const ttl = Math.max(1, Math.ceil(ttlMs));
    await this.#run(async () => {
      const multi = this.client
        .multi()
        .hSet(key.session(session.id), toHash(session))
        .pExpire(key.session(session.id), ttl)
        .sAdd(key.sub(session.user.sub), session.id)
        .pExpire(key.sub(session.user.sub), Math.max(ttl, 24 * 3_600_000));
      if (session.sid) multi.sAdd(key.sid(session.sid), session.id).pExpire(key.sid(session.sid), Math.max(ttl, 24 * 3_600_000));
      await multi.exec();
    });
  }

  async updateTokens(id: string, expectedVersion: number, tokens: TokenState, ttlMs: number): Promise<boolean> {
    const result = await this.#run(() =>
      this.client.eval(UPDATE_TOKENS, {
        keys: [key.session(id)],
        arguments: [String(expectedVersion), JSON.stringify(tokens), String(Math.max(1, Math.ceil(ttlMs)))],
      }),
    );
    return result === 1;
  }

  async touch(id: string, lastSeenAt: number, ttlMs: number): Promise<void> {
    await this.#run(() =>
      this.client.eval(TOUCH, { keys: [key.session(id)], arguments: [String(lastSeenAt), String(Math.max(1, Math.ceil(ttlMs)))] }),
    );
  }

  async end(id: string, reason: ErrorCode, at: number, tombstoneTtlMs: number): Promise<void> {
    await this.#run(() =>
      this.client.eval(END, {
        keys: [key.session(id)],
        arguments: [reason, String(at), String(Math.max(1, Math.ceil(tombstoneTtlMs))), id, PREFIX],
      }),
    );
  }

  async destroy(id: string): Promise<void> {
    const stored = await this.get(id);
    await this.#run(async () => {
      const multi = this.client.multi().del(key.session(id)).del(key.failure(id));
      if (stored?.state === 'active') {
        multi.sRem(key.sub(stored.user.sub), id);
        if (stored.sid) multi.sRem(key.sid(stored.sid), id);
      }
      await multi.exec();
    });
  }

  async findIds(by: { sub?: string | undefined; sid?: string | undefined }): Promise<string[]> {
    const ids = new Set<string>();
    if (by.sid) for (const id of await this.#run(() => this.client.sMembers(key.sid(by.sid!)))) ids.add(id);
    if (by.sub) for (const id of await this.#run(() => this.client.sMembers(key.sub(by.sub!)))) ids.add(id);
    return [...ids];
  }

  async acquireRefreshLock(id: string, owner: string, leaseMs: number): Promise<boolean> {
    const result = await this.#run(() => this.client.set(key.lock(id), owner, { NX: true, PX: Math.ceil(leaseMs) }));
    return result === 'OK';
  }

  async renewRefreshLock(id: string, owner: string, leaseMs: number): Promise<boolean> {
    const result = await this.#run(() => this.client.eval(RENEW, { keys: [key.lock(id)], arguments: [owner, String(Math.ceil(leaseMs))] }));
    return result === 1;
  }

  async releaseRefreshLock(id: string, owner: string): Promise<void> {
    await this.#run(() => this.client.eval(RELEASE, { keys: [key.lock(id)], arguments: [owner] }));
  }

  async recordRefreshFailure(id: string, failure: RefreshFailure, ttlMs: number): Promise<void> {
    await this.#run(() => this.client.set(key.failure(id), JSON.stringify(failure), { PX: Math.max(1, Math.ceil(ttlMs)) }));
  }

  async lastRefreshFailure(id: string): Promise<RefreshFailure | undefined> {
    const raw = await this.#run(() => this.client.get(key.failure(id)));
    return raw ? (JSON.parse(raw) as RefreshFailure) : undefined;
  }

  async ping(): Promise<void> {
    await this.#run(() => Promise.all([this.client.ping(), this.cached.ping()]));
  }

  async close(): Promise<void> {
    await Promise.all([this.client, this.cached].map((each) => (each.isOpen ? each.close() : undefined)));
  }

  /** Every command fails within COMMAND_TIMEOUT_MS: a Redis that hangs must not hang the user's request. */
  async #run<T>(command: () => Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${COMMAND_TIMEOUT_MS} ms`)), COMMAND_TIMEOUT_MS);
    });
    try {
      return await Promise.race([command(), timeout]);
    } catch (err) {
      throw new StoreUnavailableError(`the redis session store failed: ${(err as Error).message}`, { cause: err });
    } finally {
      clearTimeout(timer);
    }
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
