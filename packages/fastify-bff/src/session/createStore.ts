import type { ResolvedBffOptions } from '../options.js';
import { MemorySessionStore } from './memoryStore.js';
import type { SessionStore } from './store.js';

/** The store the options name: an instance as given, `memory` (default) or `redis`. */
export async function createStore(options: ResolvedBffOptions): Promise<SessionStore> {
  if (typeof options.sessionStore === 'object') return options.sessionStore;
  if (options.sessionStore === 'redis') {
    const { RedisSessionStore } = await import('./redisStore.js');
    return RedisSessionStore.connect(options.redisUrl!, { clock: options.clock });
  }
  return new MemorySessionStore({ clock: options.clock, maxSessions: options.memoryStoreMaxSessions });
}
