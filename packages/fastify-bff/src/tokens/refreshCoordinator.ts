import type { ErrorCode } from '@bff/shared';
import type { Clock } from '../clock.js';

/** The outcome of a refresh attempt that did not change the tokens, for waiters on other replicas. */
export interface RefreshFailure {
  basedOnVersion: number;
  code: ErrorCode;
  at: number;
  /** The API token it was for (`apis`); absent: the main token. */
  tokenKey?: string | undefined;
}

/**
 * What keeps refresh grants single-flight across replicas (rule 3): a
 * per-session lock with a lease, and the last failed attempt so that waiters
 * on other replicas hear it instead of calling the IdP again. Separate from
 * the SessionStore: a custom store needs no lock, and a deployment with
 * several replicas needs a coordinator they share (the redis one, or yours
 * run through `@bff/fastify-bff/testing/contract`). Every method may reject
 * with a StoreUnavailableError.
 */
export interface RefreshCoordinator {
  /** Takes the per-session refresh lock for `leaseMs`; false when someone else holds it. Not re-entrant. */
  acquireRefreshLock(id: string, owner: string, leaseMs: number): Promise<boolean>;
  /** Extends the lock's lease to `leaseMs` from now if `owner` still holds it; false when it does not. */
  renewRefreshLock(id: string, owner: string, leaseMs: number): Promise<boolean>;
  /** Releases the lock if `owner` holds it. */
  releaseRefreshLock(id: string, owner: string): Promise<void>;
  recordRefreshFailure(id: string, failure: RefreshFailure, ttlMs: number): Promise<void>;
  lastRefreshFailure(id: string): Promise<RefreshFailure | undefined>;
  close(): Promise<void>;
}

interface Entry<T> {
  value: T;
  expiresAt: number;
}

/** Locks and failures in this process: right for one replica (the memory store), wrong for several. */
export class MemoryRefreshCoordinator implements RefreshCoordinator {
  readonly #locks = new Map<string, Entry<string>>();
  readonly #failures = new Map<string, Entry<RefreshFailure>>();
  #sweptAt = 0;

  constructor(private readonly options: { clock: Clock }) {}

  async acquireRefreshLock(id: string, owner: string, leaseMs: number): Promise<boolean> {
    const now = this.options.clock();
    const held = this.#locks.get(id);
    // not re-entrant, as SET NX is not: a second refresh from the same process waits like any other
    if (held && held.expiresAt > now) return false;
    this.#sweep();
    this.#locks.set(id, { value: owner, expiresAt: now + leaseMs });
    return true;
  }

  async renewRefreshLock(id: string, owner: string, leaseMs: number): Promise<boolean> {
    const now = this.options.clock();
    const held = this.#locks.get(id);
    if (!held || held.value !== owner || held.expiresAt <= now) return false;
    held.expiresAt = now + leaseMs;
    return true;
  }

  async releaseRefreshLock(id: string, owner: string): Promise<void> {
    if (this.#locks.get(id)?.value === owner) this.#locks.delete(id);
  }

  async recordRefreshFailure(id: string, failure: RefreshFailure, ttlMs: number): Promise<void> {
    this.#sweep();
    this.#failures.set(id, { value: failure, expiresAt: this.options.clock() + ttlMs });
  }

  async lastRefreshFailure(id: string): Promise<RefreshFailure | undefined> {
    const entry = this.#failures.get(id);
    return entry && entry.expiresAt > this.options.clock() ? entry.value : undefined;
  }

  async close(): Promise<void> {}

  /** Both maps hold only sessions that are refreshing or just failed; expired entries go at most every 10 s. */
  #sweep(): void {
    const now = this.options.clock();
    if (now - this.#sweptAt < 10_000) return;
    this.#sweptAt = now;
    for (const [id, entry] of this.#locks) if (entry.expiresAt <= now) this.#locks.delete(id);
    for (const [id, entry] of this.#failures) if (entry.expiresAt <= now) this.#failures.delete(id);
  }
}
