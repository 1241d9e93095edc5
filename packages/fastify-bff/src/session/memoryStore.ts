import type { ErrorCode } from '@bff/shared';
import { BoundedCache } from '../boundedCache.js';
import type { Clock } from '../clock.js';
import type { ActiveSession, EndedSession, SessionStore, StoredSession, TokenState } from './store.js';

interface Entry<T> {
  value: T;
  expiresAt: number;
}

/**
 * An active session as kept in memory: the sealed tokens (`v2.<kid>.<iv>.<body>`)
 * as `v2.<kid>.` plus the IV and body as one latin1 string (one byte per
 * byte), about a quarter smaller than the base64 text, which is most of a
 * session's weight. V8 details that matter here: a slice of 13+ characters
 * keeps its whole parent string alive; a small Buffer costs two heap objects
 * and a malloc'd backing store (or pins an 8 KiB pool slab); a one-byte
 * string costs a 16-byte header.
 */
interface Compact extends Omit<ActiveSession, 'tokens'> {
  tokens: Omit<TokenState, 'sealed'> & { sealedHead: string; sealedBytes: string };
}

const IV_BYTES = 12;

function toCompact(session: ActiveSession): Compact {
  const { sealed, ...rest } = session.tokens;
  const [version, kid, iv, body] = sealed.split('.');
  const ivBytes = Buffer.from(iv ?? '', 'base64url');
  const bodyBytes = Buffer.from(body ?? '', 'base64url');
  if (ivBytes.length !== IV_BYTES || !version || !kid) return { ...session, tokens: { ...rest, sealedHead: sealed, sealedBytes: '' } };
  return { ...session, tokens: { ...rest, sealedHead: `${version}.${kid}.`, sealedBytes: Buffer.concat([ivBytes, bodyBytes]).toString('latin1') } };
}

function fromCompact(kept: Compact): ActiveSession {
  const { sealedHead, sealedBytes, ...rest } = kept.tokens;
  if (sealedBytes.length === 0) return { ...kept, tokens: { ...rest, sealed: sealedHead } };
  const bytes = Buffer.from(sealedBytes, 'latin1');
  const sealed = `${sealedHead}${bytes.subarray(0, IV_BYTES).toString('base64url')}.${bytes.subarray(IV_BYTES).toString('base64url')}`;
  return { ...kept, tokens: { ...rest, sealed } };
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
 * several replicas or restarts: use the redis store there.
 */
export class MemorySessionStore implements SessionStore {
  readonly kind = 'memory';
  readonly #sessions = new Map<string, Entry<Compact | EndedSession>>();
  readonly #bySub = new Index();
  readonly #bySid = new Index();
  /**
   * Recently read sessions, decoded: the hot path reads without re-encoding
   * the token bytes. Checked by identity with the kept record, which every
   * write replaces, so nothing here is ever stale. Idle sessions stay compact.
   */
  readonly #decoded = new BoundedCache<string, { from: Compact; session: ActiveSession }>(1_000);
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
    const kept = entry.value;
    if (kept.state !== 'active') return kept;
    const decoded = this.#decoded.get(id);
    if (decoded?.from === kept) return decoded.session;
    const session = fromCompact(kept);
    this.#decoded.set(id, { from: kept, session });
    return session;
  }

  async create(session: ActiveSession, ttlMs: number): Promise<void> {
    // bounded: evict the oldest sessions (Map keeps insertion order)
    while (this.#sessions.size >= this.options.maxSessions) {
      const oldest = this.#sessions.keys().next();
      if (oldest.done) break;
      this.#delete(oldest.value);
    }
    this.#sessions.set(session.id, { value: toCompact(session), expiresAt: this.options.clock() + ttlMs });
    this.#bySub.add(session.user.sub, session.id);
    if (session.sid) this.#bySid.add(session.sid, session.id);
  }

  async updateTokens(id: string, expectedVersion: number, tokens: TokenState, ttlMs: number): Promise<boolean> {
    const entry = this.#sessions.get(id);
    if (!entry || entry.value.state !== 'active' || entry.value.version !== expectedVersion) return false;
    entry.value = toCompact({ ...fromCompact(entry.value), tokens, version: expectedVersion + 1 });
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
    for (const [id, entry] of this.#sessions) if (entry.expiresAt <= now) this.#delete(id);
  }

  #delete(id: string): void {
    this.#decoded.delete(id);
    this.#unindex(id);
    this.#sessions.delete(id);
  }

  #unindex(id: string): void {
    const value = this.#sessions.get(id)?.value;
    if (value?.state !== 'active') return;
    this.#bySub.remove(value.user.sub, id);
    if (value.sid) this.#bySid.remove(value.sid, id);
  }
}
