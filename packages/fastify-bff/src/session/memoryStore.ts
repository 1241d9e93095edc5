import { LRUCache } from 'lru-cache';
import type { ErrorCode } from '@bff/shared';
import type { Clock } from '../clock.js';
import type { ActiveSession, EndedSession, SessionStore, StoredSession, TokenState } from './store.js';

/** Most users and IdP sessions have one BFF session: keep the id itself, a Set only for more. */
class Index {
  readonly #map = new Map<string, string | Set<string>>();

  add(key: string, id: string): void {
    const held = this.#map.get(key);
    if (held === undefined) this.#map.set(key, id);
    else if (typeof held === 'string') this.#map.set(key, new Set([held, id]));
    else held.add(id);
  }

  remove(key: string, id: string): void {
    const held = this.#map.get(key);
    if (held === id) this.#map.delete(key);
    else if (held instanceof Set) {
      held.delete(id);
      if (held.size === 1) this.#map.set(key, held.values().next().value!);
    }
  }

  ids(key: string): string[] {
    const held = this.#map.get(key);
    return held === undefined ? [] : typeof held === 'string' ? [held] : [...held];
  }
}

/**
 * The zero-install default store: one process, bounded, swept. Not for
 * several replicas or restarts: use the redis store there. Records are kept
 * as given (the sealed tokens are opaque here) in an LRU of at most
 * `maxSessions`: past that, the least recently used session is forgotten.
 */
export class MemorySessionStore implements SessionStore {
  readonly kind = 'memory';
  readonly #sessions: LRUCache<string, ActiveSession | EndedSession>;
  readonly #bySub = new Index();
  readonly #bySid = new Index();
  readonly #sweeper: NodeJS.Timeout;

  constructor(private readonly options: { clock: Clock; maxSessions: number; sweepIntervalMs?: number }) {
    this.#sessions = new LRUCache<string, ActiveSession | EndedSession>({
      max: options.maxSessions,
      // expiry on the injected clock (tests move it), per entry; no wrapper object per session
      perf: { now: () => options.clock() },
      ttlResolution: 0, // ask the clock every time: tests move it in jumps
      ttlAutopurge: false,
      // replacing a record (a token update, a touch) keeps its index entries: end() unindexes itself;
      // eviction, expiry and delete remove a session from the indexes here
      noDisposeOnSet: true,
      dispose: (value, id) => this.#unindex(id, value),
    });
    this.#sweeper = setInterval(() => this.sweep(), options.sweepIntervalMs ?? 60_000);
    this.#sweeper.unref();
  }

  get size(): number {
    return this.#sessions.size;
  }

  async get(id: string): Promise<StoredSession | undefined> {
    return this.#sessions.get(id);
  }

  async create(session: ActiveSession, ttlMs: number): Promise<void> {
    const previous = this.#sessions.get(session.id);
    if (previous) this.#unindex(session.id, previous);
    this.#sessions.set(session.id, session, { ttl: ttlMs });
    this.#bySub.add(session.user.sub, session.id);
    if (session.sid) this.#bySid.add(session.sid, session.id);
  }

  async updateTokens(id: string, expectedVersion: number, tokens: TokenState, ttlMs: number): Promise<boolean> {
    const current = this.#sessions.get(id);
    if (current?.state !== 'active' || current.version !== expectedVersion) return false;
    this.#sessions.set(id, { ...current, tokens, version: expectedVersion + 1 }, { ttl: ttlMs });
    return true;
  }

  async touch(id: string, lastSeenAt: number, ttlMs: number): Promise<void> {
    const current = this.#sessions.get(id);
    if (current?.state !== 'active') return;
    this.#sessions.set(id, { ...current, lastSeenAt }, { ttl: ttlMs });
  }

  async end(id: string, reason: ErrorCode, at: number, tombstoneTtlMs: number): Promise<void> {
    const current = this.#sessions.get(id);
    if (!current) return;
    this.#unindex(id, current);
    this.#sessions.set(id, { state: 'ended', id, reason, endedAt: at }, { ttl: tombstoneTtlMs });
  }

  async destroy(id: string): Promise<void> {
    this.#sessions.delete(id);
  }

  async findIds(by: { sub?: string | undefined; sid?: string | undefined }): Promise<string[]> {
    const ids = new Set<string>();
    if (by.sid) for (const id of this.#bySid.ids(by.sid)) ids.add(id);
    if (by.sub) for (const id of this.#bySub.ids(by.sub)) ids.add(id);
    return [...ids];
  }

  async ping(): Promise<void> {}

  async close(): Promise<void> {
    clearInterval(this.#sweeper);
  }

  /** Drops everything past its expiry. Runs on a timer; public for tests. */
  sweep(): void {
    this.#sessions.purgeStale();
  }

  #unindex(id: string, value: ActiveSession | EndedSession): void {
    if (value.state !== 'active') return;
    this.#bySub.remove(value.user.sub, id);
    if (value.sid) this.#bySid.remove(value.sid, id);
  }
}
