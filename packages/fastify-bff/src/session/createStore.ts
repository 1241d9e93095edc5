import type { ResolvedBffOptions } from '../options.js';
import { MemoryRefreshCoordinator, type RefreshCoordinator } from '../tokens/refreshCoordinator.js';
import { MemorySessionStore } from './memoryStore.js';
import type { SessionStore } from './store.js';

/**
 * The store and the refresh coordinator the options name: `memory` (the
 * default: both in this process), `redis` (both on one Redis connection), or
 * a store instance with the coordinator given beside it (in-process when
 * none is: right for one replica only).
 */
export async function createStore(options: ResolvedBffOptions): Promise<{ store: SessionStore; coordinator: RefreshCoordinator }> {
  if (typeof options.sessionStore === 'object') {
    return {
      store: options.sessionStore,
      coordinator: options.refreshCoordinator ?? new MemoryRefreshCoordinator({ clock: options.clock }),
    };
  }
  if (options.sessionStore === 'redis') {
    const [{ RedisSessionStore }, { RedisRefreshCoordinator }] = await Promise.all([
      import('./redisStore.js'),
      import('../redis/redisRefreshCoordinator.js'),
    ]);
    const store = await RedisSessionStore.connect(
      options.redisClusterNodes
        ? { kind: 'cluster', nodes: options.redisClusterNodes, url: options.redisUrl }
        : options.redisSentinels
          ? { kind: 'sentinel', sentinels: options.redisSentinels, name: options.redisSentinelName!, url: options.redisUrl }
          : options.redisUrl!,
    );
    return { store, coordinator: options.refreshCoordinator ?? new RedisRefreshCoordinator(store.redis) };
  }
  return {
    store: new MemorySessionStore({ clock: options.clock, maxSessions: options.memoryStoreMaxSessions }),
    coordinator: options.refreshCoordinator ?? new MemoryRefreshCoordinator({ clock: options.clock }),
  };
}
