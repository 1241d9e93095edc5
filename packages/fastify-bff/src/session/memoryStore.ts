import { LRUCache } from 'lru-cache';
import type { ErrorCode } from '@bff/shared';
import type { Clock } from '../clock.js';
import type { ActiveSession, EndedSession, SessionStore, StoredSession, TokenState } from './store.js';

interface Entry {
  value: ActiveSession | EndedSession;
  /** Epoch ms on the injected clock (tests move it), not lru-cache's own timer. */
  expiresAt: number;
}

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
  readonly #sessions: LRUCache<string, Entry>;
  readonly #bySub = new Index();
  readonly #bySid = new Index();
  readonly #sweeper: NodeJS.Timeout;

  constructor(private readonly options: { clock: Clock; maxSessions: number; sweepIntervalMs?: number }) {
    this.#sessions = new LRUCache<string, Entry>({
      max: options.maxSessions,
      // whatever removes a session (eviction, expiry, delete, replacement) removes it from the indexes
      dispose: (entry, id) => this.#unindex(id, entry.value),
    });
    this.#sweeper = setInterval(() => this.sweep(), options.sweepIntervalMs ?? 60_000);
    this.#sweeper.unref();
  }

  get size(): number {
    return this.#sessions.size;
  }

  async get(id: string): Promise<StoredSession | undefined> {
    return this.#live(id)?.value;
  }

  async create(session: ActiveSession, ttlMs: number): Promise<void> {
    this.#sessions.set(session.id, { value: session, expiresAt: this.options.clock() + ttlMs });
    this.#bySub.add(session.user.sub, session.id);
    if (session.sid) this.#bySid.add(session.sid, session.id);
  }

  async updateTokens(id: string, expectedVersion: number, tokens: TokenState, ttlMs: number): Promise<boolean> {
    const entry = this.#live(id);
    if (entry?.value.state !== 'active' || entry.value.version !== expectedVersion) return false;
    // in place: the indexes stay as they are
    entry.value = { ...entry.value, tokens, version: expectedVersion + 1 };
    entry.expiresAt = this.options.clock() + ttlMs;
    return true;
  }

  async touch(id: string, lastSeenAt: number, ttlMs: number): Promise<void> {
    const entry = this.#live(id);
    if (entry?.value.state !== 'active') return;
    entry.value = { ...entry.value, lastSeenAt };
    entry.expiresAt = this.options.clock() + ttlMs;
  }

  async end(id: string, reason: ErrorCode, at: number, tombstoneTtlMs: number): Promise<void> {
    if (!this.#live(id)) return;
    this.#sessions.set(id, { value: { state: 'ended', id, reason, endedAt: at }, expiresAt: this.options.clock() + tombstoneTtlMs });
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
    const now = this.options.clock();
    for (const [id, entry] of this.#sessions.entries()) if (entry.expiresAt <= now) this.#sessions.delete(id);
  }

  /** The entry, if it has not expired (an expired one is dropped on the way). */
  #live(id: string): Entry | undefined {
    const entry = this.#sessions.get(id);
    if (entry && entry.expiresAt <= this.options.clock()) {
      this.#sessions.delete(id);
      return undefined;
    }
    return entry;
  }

  #unindex(id: string, value: ActiveSession | EndedSession): void {
    if (value.state !== 'active') return;
    this.#bySub.remove(value.user.sub, id);
    if (value.sid) this.#bySid.remove(value.sid, id);
  }
}
