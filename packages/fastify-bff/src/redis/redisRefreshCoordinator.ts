import type { RefreshCoordinator, RefreshFailure } from '../tokens/refreshCoordinator.js';
import { key } from '../session/redisStore.js';
import type { RedisConnection } from './connection.js';

// KEYS[1] lock; ARGV owner, lease ms
const RENEW = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0`;

// KEYS[1] lock; ARGV owner
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

/**
 * The refresh lock across replicas: SET NX PX, renewed and released only by
 * its owner (a Lua script checks the owner, so a holder whose lease ran out
 * never frees or extends someone else's lock).
 */
export class RedisRefreshCoordinator implements RefreshCoordinator {
  constructor(
    private readonly redis: RedisConnection,
    /** Whether close() closes the connection (false when the session store shares it and closes it). */
    private readonly ownsConnection = false,
  ) {}

  async acquireRefreshLock(id: string, owner: string, leaseMs: number): Promise<boolean> {
    const result = await this.redis.run(() => this.redis.client.set(key.lock(id), owner, { NX: true, PX: Math.ceil(leaseMs) }));
    return result === 'OK';
  }

  async renewRefreshLock(id: string, owner: string, leaseMs: number): Promise<boolean> {
    const result = await this.redis.run(() =>
      this.redis.client.eval(RENEW, { keys: [key.lock(id)], arguments: [owner, String(Math.ceil(leaseMs))] }),
    );
    return result === 1;
  }

  async releaseRefreshLock(id: string, owner: string): Promise<void> {
    await this.redis.run(() => this.redis.client.eval(RELEASE, { keys: [key.lock(id)], arguments: [owner] }));
  }

  async recordRefreshFailure(id: string, failure: RefreshFailure, ttlMs: number): Promise<void> {
    await this.redis.run(() => this.redis.client.set(key.failure(id), JSON.stringify(failure), { PX: Math.max(1, Math.ceil(ttlMs)) }));
  }

  async lastRefreshFailure(id: string): Promise<RefreshFailure | undefined> {
    const raw = await this.redis.run(() => this.redis.client.get(key.failure(id)));
    return raw ? (JSON.parse(raw) as RefreshFailure) : undefined;
  }

  async close(): Promise<void> {
    if (this.ownsConnection) await this.redis.close();
  }
}
