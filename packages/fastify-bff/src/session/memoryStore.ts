import type { ErrorCode } from '@bff/shared';
import type { Clock } from '../clock.js';
import type { ActiveSession, RefreshFailure, SessionStore, StoredSession, TokenState } from './store.js';

interface Entry<T> {
  value: T;
  expiresAt: number;
}

/**
 * The zero-install default store: one process, bounded, swept. Not for
 * several replicas or restarts: use the redis store there.
 */
export class MemorySessionStore implements SessionStore {
  readonly kind = 'memory';
  readonly #sessions = new Map<string, Entry<StoredSession>>();
  readonly #bySub = new Map<string, Set<string>>();
  readonly #bySid = new Map<string, Set<string>>();
  readonly #locks = new Map<string, Entry<string>>();
  readonly #failures = new Map<string, Entry<RefreshFailure>>();
  readonly #sweeper: NodeJS.Timeout;

  constructor(
    private readonly options: { clock: Clock; maxSessions: number; sweepIntervalMs?: number },
  ) {
    this.#sweeper = setInterval(() => this.sweep(), options.sweepIntervalMs ?? 60_000);
    this.#sweeper.unref();
  }

  get size(): number {
    return this.#sessions.size;
  }

  async get(id: string): Promise<StoredSession | undefined> {
    const entry = this.#sessions.get(id);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.options.clock()) {
      this.#delete(id);
      return undefined;
    }
    return entry.value;
  }

  async create(session: ActiveSession, ttlMs: number): Promise<void> {
    // bounded: evict the oldest sessions (Map keeps insertion order)
    while (this.#sessions.size >= this.options.maxSessions) {
      const oldest = this.#sessions.keys().next();
      if (oldest.done) break;
      this.#delete(oldest.value);
    }
    this.#sessions.set(session.id, { value: session, expiresAt: this.options.clock() + ttlMs });
    index(this.#bySub, session.user.sub, session.id);
    if (session.sid) index(this.#bySid, session.sid, session.id);
  }

  async updateTokens(id: string, expectedVersion: number, tokens: TokenState, ttlMs: number): Promise<boolean> {
    const entry = this.#sessions.get(id);
    if (!entry || entry.value.state !== 'active' || entry.value.version !== expectedVersion) return false;
    // a new object: readers holding the previous one keep a consistent snapshot
    entry.value = { ...entry.value, tokens, version: expectedVersion + 1 };
    entry.expiresAt = this.options.clock() + ttlMs;
    return true;
  }

  async touch(id: string, lastSeenAt: number, ttlMs: number): Promise<void> {
    const entry = this.#sessions.get(id);
    if (!entry || entry.value.state !== 'active') return;
    entry.value = { ...entry.value, lastSeenAt };
    entry.expiresAt = this.options.clock() + ttlMs;
  }

  async end(id: string, reason: ErrorCode, at: number, tombstoneTtlMs: number): Promise<void> {
    if (!this.#sessions.has(id)) return;
    this.#unindex(id);
    this.#sessions.set(id, { value: { state: 'ended', id, reason, endedAt: at }, expiresAt: this.options.clock() + tombstoneTtlMs });
  }

  async destroy(id: string): Promise<void> {
    this.#delete(id);
  }

  async findIds(by: { sub?: string | undefined; sid?: string | undefined }): Promise<string[]> {
    const ids = new Set<string>();
    if (by.sid) for (const id of this.#bySid.get(by.sid) ?? []) ids.add(id);
    if (by.sub) for (const id of this.#bySub.get(by.sub) ?? []) ids.add(id);
    return [...ids];
  }

  async acquireRefreshLock(id: string, owner: string, leaseMs: number): Promise<boolean> {
    const now = this.options.clock();
    const held = this.#locks.get(id);
    if (held && held.expiresAt > now && held.value !== owner) return false;
    this.#locks.set(id, { value: owner, expiresAt: now + leaseMs });
    return true;
  }

  async releaseRefreshLock(id: string, owner: string): Promise<void> {
    if (this.#locks.get(id)?.value === owner) this.#locks.delete(id);
  }

  async recordRefreshFailure(id: string, failure: RefreshFailure, ttlMs: number): Promise<void> {
    this.#failures.set(id, { value: failure, expiresAt: this.options.clock() + ttlMs });
  }

  async lastRefreshFailure(id: string): Promise<RefreshFailure | undefined> {
    const entry = this.#failures.get(id);
    return entry && entry.expiresAt > this.options.clock() ? entry.value : undefined;
  }

  async ping(): Promise<void> {}

  async close(): Promise<void> {
    clearInterval(this.#sweeper);
  }

  /** Drops everything past its expiry. Runs on a timer; public for tests. */
  sweep(): void {
    const now = this.options.clock();
    for (const [id, entry] of this.#sessions) if (entry.expiresAt <= now) this.#delete(id);
    for (const [id, entry] of this.#locks) if (entry.expiresAt <= now) this.#locks.delete(id);
    for (const [id, entry] of this.#failures) if (entry.expiresAt <= now) this.#failures.delete(id);
  }

  #delete(id: string): void {
    this.#unindex(id);
    this.#sessions.delete(id);
    this.#failures.delete(id);
  }

  #unindex(id: string): void {
    const value = this.#sessions.get(id)?.value;
    if (value?.state !== 'active') return;
    unindex(this.#bySub, value.user.sub, id);
    if (value.sid) unindex(this.#bySid, value.sid, id);
  }
}

function index(map: Map<string, Set<string>>, key: string, id: string): void {
  let ids = map.get(key);
  if (!ids) map.set(key, (ids = new Set()));
  ids.add(id);
}

function unindex(map: Map<string, Set<string>>, key: string, id: string): void {
  const ids = map.get(key);
  if (!ids) return;
  ids.delete(id);
  if (ids.size === 0) map.delete(key);
}
