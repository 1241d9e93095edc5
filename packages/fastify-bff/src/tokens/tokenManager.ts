import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { LRUCache } from 'lru-cache';
import type { Clock } from '../clock.js';
import type { TokenCipher } from '../crypto/tokenCipher.js';
import { type BffError, bffError } from '../errors.js';
import { StoreUnavailableError, type ActiveSession, type DpopKey, type SessionStore, type TokenSet } from '../session/store.js';
import { unavailable, type GrantContext, type GrantResult, type TokenTarget } from './grant.js';
import type { EventSink } from '../observability/events.js';
import { inSpan } from '../observability/tracing.js';
import type { RefreshCoordinator } from './refreshCoordinator.js';
import { nextTokenState } from './tokenSet.js';

/** A token lookup never throws for expected outcomes: it answers a closed union (as Duende's does). */
export type AccessTokenResult =
  | {
      type: 'bearer';
      accessToken: string;
      session: ActiveSession;
      /** With DPoP: the key the token is bound to; each request to the API carries a proof signed with it. */
      dpopKey?: DpopKey | undefined;
    }
  | { type: 'error'; error: BffError; /** true when the session was ended by this outcome */ ended: boolean };

export interface TokenManagerOptions {
  store: SessionStore;
  /** The refresh lock and last failure, shared by every replica that shares the store. */
  coordinator: RefreshCoordinator;
  cipher: TokenCipher;
  /**
   * The IdP's refresh_token grant, answering a classified result (tokens, a
   * refusal with its code, or unavailable). Injected so the manager is
   * testable without a network, and knows nothing of any OIDC library.
   * Something it throws counts as unavailable: the session is kept.
   */
  refreshGrant: (refreshToken: string, context: GrantContext) => Promise<GrantResult>;
  clock: Clock;
  refreshSkewSeconds: number;
  /** How long a caller waits for a grant before hearing IDP_UNAVAILABLE (IDP_TIMEOUT_SECONDS). */
  idpTimeoutMs: number;
  /**
   * How long a grant may run on in the background after that, holding the
   * lock (the refreshGrant function must give up by then). Default 60 s.
   */
  grantTimeoutMs?: number;
  /**
   * The refresh lock's lease. The holder renews it every quarter lease while
   * its grant is in flight or its new pair waits for the store, so a live
   * holder keeps it however long that takes, and a dead one's lock frees
   * within one lease. Default 6 s.
   */
  lockLeaseMs?: number;
  /** Backoff between attempts to store a rotated pair while the store is down: doubling from 50 ms up to this. Default 500 ms. */
  storeRetryMaxMs?: number;
  /** Whether token sets keep the ID token (only for logout's id_token_hint). Default false. */
  keepIdToken?: boolean;
  /** How long the store should keep the session from now (idle / absolute deadline). */
  sessionTtlMs: (session: ActiveSession, now: number) => number;
  /** How long a tombstone remembers why a session ended. */
  tombstoneTtlMs?: number;
  /** After a transient failure, how long other requests reuse it instead of calling the IdP again. */
  failureCooldownMs?: number;
  /** How often a waiter on another replica's refresh looks at the store. */
  pollIntervalMs?: number;
  log?: { warn(obj: object, msg: string): void; info(obj: object, msg: string): void; error?(obj: object, msg: string): void };
  /** Where grants, waits and ends are reported (metrics, audit lines, hooks). */
  events?: EventSink;
  /** What the manager waits with. Default: Node's timers; a deterministic simulation injects its own (packages/sim). */
  timers?: Timers;
}

/**
 * Every wait of the manager goes through these: the poll loop, the store
 * retry backoff, the IdP-timeout race, lock renewal and event durations. So a
 * simulation that drives them from its own clock replays a run exactly.
 */
export interface Timers {
  sleep(ms: number): Promise<void>;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  /** A repeating timer that does not keep the process alive. */
  setInterval(callback: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
  /** Monotonic milliseconds, for durations. */
  now(): number;
}

export const realTimers: Timers = {
  sleep: (ms) => sleep(ms),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout | undefined),
  setInterval: (callback, ms) => setInterval(callback, ms).unref(),
  clearInterval: (handle) => clearInterval(handle as NodeJS.Timeout | undefined),
  now: () => performance.now(),
};

/** A refusal this soon after the pair was issued is what reuse of a rotated token looks like (suspected theft). */
const REUSE_SUSPECT_WINDOW_MS = 60_000;

/**
 * Keeps every session's access token fresh (docs/architecture.md, "Token
 * lifecycle rules"): proactive refresh inside the skew, forced refresh after
 * an upstream 401, and at most ONE refresh grant per session in flight:
 * in-process callers share one promise; across replicas a store lock with a
 * short lease that its holder renews, and a versioned compare-and-set so a
 * stale copy can never overwrite a newer token pair. A pair the IdP issued is
 * never dropped: while the store is down it is held, served and retried.
 */
export class TokenManager {
  readonly #inFlight = new Map<string, Promise<AccessTokenResult>>();
  /** Callers that joined each in-flight refresh: the `bff.refresh` span's waiters. */
  readonly #joined = new Map<string, number>();
  /**
   * Rotated pairs the IdP has issued but the store has not taken yet (it was
   * down). Held until a compare-and-set stores them, and served meanwhile:
   * the refresh token they replace is dead at the IdP (docs/architecture.md, rule 10).
   */
  readonly #unstored = new Map<string, Unstored>();
  /** Background work that must finish before close: late grants and pairs waiting for the store. */
  readonly #background = new Set<Promise<void>>();
  #closing = false;
  /**
   * The decrypted access token per session, valid while the sealed token state is the same: one AES-GCM open per token, not per request. Never the refresh token.
   * At most 10 000, counted by maxSize so that it grows as used: `max` would allocate all 10 000 slots up front (2 ms per manager).
   */
  readonly #accessTokens = new LRUCache<string, { sealed: string; set: CachedSet }>({
    maxSize: 10_000,
    sizeCalculation: () => 1,
  });
  readonly #owner = randomUUID();
  /**
   * Each taking of a refresh lock is its own owner: a holder whose lease ran out
   * (and whose grant still settles) must not renew or release the lock that a
   * later refresh on this same replica has taken since.
   */
  #acquisitions = 0;
  readonly #options: Required<Omit<TokenManagerOptions, 'log' | 'events'>> & Pick<TokenManagerOptions, 'log'>;
  readonly #emit: EventSink;

  constructor(options: TokenManagerOptions) {
    this.#options = {
      tombstoneTtlMs: 15 * 60_000,
      failureCooldownMs: 2_000,
      pollIntervalMs: 25,
      keepIdToken: false,
      grantTimeoutMs: 60_000,
      lockLeaseMs: 6_000,
      storeRetryMaxMs: 500,
      timers: realTimers,
      ...options,
    };
    this.#emit = options.events ?? (() => undefined);
  }

  /** The refresh lock's lease: short, and renewed by a live holder (see lockLeaseMs). */
  get leaseMs(): number {
    return this.#options.lockLeaseMs;
  }

  /**
   * Whether the access token is inside the refresh skew: min(REFRESH_SKEW_SECONDS, a quarter of its lifetime).
   * `key`: that of an API with its own token (`apis`); one not issued yet needs its first grant.
   */
  needsRefresh(session: ActiveSession, now = this.#options.clock(), key = ''): boolean {
    const { expiresAt, lifetime } = tokenTimes(session, key) ?? { expiresAt: 0, lifetime: 0 };
    const skewMs = Math.min(this.#options.refreshSkewSeconds, lifetime / 4) * 1000;
    return expiresAt - now <= skewMs;
  }

  /** The token set of a session, decrypted. */
  open(session: ActiveSession): TokenSet {
    return this.#options.cipher.open<TokenSet>(session.tokens.sealed);
  }

  /**
   * An access token for this session: the stored one while it is fresh, else
   * the result of the (single) refresh. `force` refreshes even a fresh token
   * (after an upstream 401, or "Stay signed in"); it still costs one grant
   * however many callers force at once, and none when the version this
   * caller saw has already been replaced.
   */
  async accessToken(
    session: ActiveSession,
    options: { force?: boolean; target?: TokenTarget | undefined } = {},
  ): Promise<AccessTokenResult> {
    const target = options.target?.key ? options.target : undefined;
    const key = target?.key ?? '';
    // a pair the store has not taken yet is newer than anything the store can show (while its access token lasts)
    const unstored = this.#unstored.get(session.id);
    if (
      unstored &&
      (session.version === unstored.basedOnVersion || session.version === unstored.session.version) &&
      (tokenTimes(unstored.session, key)?.expiresAt ?? 0) > this.#options.clock()
    ) {
      return this.#bearer(unstored.session, key);
    }
    if (!options.force && !this.needsRefresh(session, undefined, key)) return this.#bearer(session, key);
    // one refresh per session AND token: waiters for another API's token wait for the lock, not for this promise
    const flight = key ? `${session.id} ${key}` : session.id;
    let pending = this.#inFlight.get(flight);
    if (pending) {
      this.#joined.set(flight, (this.#joined.get(flight) ?? 0) + 1);
      this.#emit({ type: 'refresh.joined' });
    } else {
      pending = inSpan('bff.refresh', async (span) => {
        const result = await this.#refreshExclusive(session.id, session.version, target).catch(storeFailure);
        span.setAttributes({
          'bff.refresh.waiters': this.#joined.get(flight) ?? 0,
          'bff.refresh.outcome': result.type === 'bearer' ? 'ok' : result.error.code,
          ...(key ? { 'bff.refresh.resource': key } : {}),
        });
        return result;
      }).finally(() => {
        this.#inFlight.delete(flight);
        this.#joined.delete(flight);
      });
      this.#inFlight.set(flight, pending);
    }
    return pending;
  }

  /**
   * Stops renewing locks and waits for background work: late grants settle,
   * and pairs waiting for the store get their last attempts. A pair still not
   * stored then is lost with this process (docs/architecture.md, "the one window").
   */
  async close(): Promise<void> {
    this.#closing = true;
    await Promise.all([...this.#background]);
    for (const [id] of this.#unstored) {
      this.#options.log?.error?.(
        { session: shortId(id) },
        'shutting down with a rotated token pair the store never took: this session will need a new sign-in',
      );
    }
  }

  async #refreshExclusive(id: string, basedOnVersion: number, target: TokenTarget | undefined): Promise<AccessTokenResult> {
    const key = target?.key ?? '';
    const { store, coordinator, clock, pollIntervalMs, idpTimeoutMs } = this.#options;
    // a caller waits about as long as one IdP call may take, never the whole lease
    const giveUpAt = clock() + idpTimeoutMs + 1_000;
    let waitingSince: number | undefined;
    const waited = <T>(result: T): T => {
      if (waitingSince !== undefined) this.#emit({ type: 'refresh.lockWait', seconds: (this.#options.timers.now() - waitingSince) / 1000 });
      return result;
    };
    for (;;) {
      const owner = `${this.#owner}.${(this.#acquisitions += 1)}`;
      if (await coordinator.acquireRefreshLock(id, owner, this.leaseMs)) {
        const lock = this.#renewWhileHeld(id, owner);
        let pending: Promise<void> | undefined;
        try {
          const outcome = await this.#refreshLocked(id, basedOnVersion, target);
          pending = outcome.pending;
          return outcome.result;
        } finally {
          // a grant still on its way to or from the IdP, or a pair still waiting
          // for the store, keeps the lock until it settles; the caller never waits
          // for the release (a store that is slow to answer it would age its token)
          this.#track(pending ? pending.finally(lock.release) : lock.release());
        }
      }
      // another request or replica is refreshing this session: wait for what it stores
      waitingSince ??= this.#options.timers.now();
      await this.#options.timers.sleep(pollIntervalMs);
      const current = await store.get(id);
      if (!current) return waited(ended(bffError('UNAUTHENTICATED')));
      if (current.state === 'ended') return waited(ended(bffError(current.reason)));
      if (current.version !== basedOnVersion) {
        // another refresh finished meanwhile: its pair is the answer, unless that is already due too
        // (or it was another API's token: then this one's grant comes next, with the rotated refresh token)
        if (!this.needsRefresh(current, undefined, key)) return waited(this.#bearer(current, key));
        basedOnVersion = current.version;
        continue;
      }
      const failure = await coordinator.lastRefreshFailure(id);
      if (failure && failure.basedOnVersion === basedOnVersion && (failure.tokenKey ?? '') === key) {
        return waited({ type: 'error', error: bffError(failure.code), ended: false });
      }
      if (clock() > giveUpAt) return waited({ type: 'error', error: bffError('IDP_UNAVAILABLE'), ended: false });
    }
  }

  async #refreshLocked(id: string, basedOnVersion: number, target: TokenTarget | undefined): Promise<Settled> {
    const key = target?.key ?? '';
    const { store, coordinator, clock, failureCooldownMs, tombstoneTtlMs, idpTimeoutMs, timers } = this.#options;
    // re-read under the lock: a refresh that finished meanwhile is the answer (the grace window),
    // unless its token is already due too (the caller held a record older than that token's life)
    const current = await store.get(id);
    if (!current) return { result: ended(bffError('UNAUTHENTICATED')) };
    if (current.state === 'ended') return { result: ended(bffError(current.reason)) };
    if (current.version !== basedOnVersion && !this.needsRefresh(current, undefined, key)) return { result: this.#bearer(current, key) };

    const now = clock();
    const failure = await coordinator.lastRefreshFailure(id);
    if (failure && failure.basedOnVersion === current.version && (failure.tokenKey ?? '') === key && now - failure.at < failureCooldownMs) {
      return { result: { type: 'error', error: bffError(failure.code), ended: false } };
    }

    const set = this.open(current);
    if (!set.refreshToken) {
      // nothing to refresh with: the session lives as long as its access token
      if (current.tokens.accessTokenExpiresAt > now) {
        if (key && !((tokenTimes(current, key)?.expiresAt ?? 0) > now)) {
          return { result: { type: 'error', error: resourceUnavailable('no refresh token to ask it with'), ended: false } };
        }
        return { result: this.#bearer(current, key) };
      }
      await store.end(id, 'SESSION_EXPIRED', now, tombstoneTtlMs);
      this.#emit({ type: 'session.ended', session: shortId(id), sub: current.user.sub, reason: 'SESSION_EXPIRED' });
      return { result: ended(bffError('SESSION_EXPIRED')) };
    }

    const context: GrantContext = { now, refreshTokenExpiresAt: current.tokens.refreshTokenExpiresAt, dpopKey: set.dpopKey, target };
    const startedAt = timers.now();
    const grant: Promise<GrantResult> = this.#options.refreshGrant(set.refreshToken, context).catch((error: unknown) => unavailable(error));
    let timer: unknown;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = timers.setTimeout(() => resolve('timeout'), idpTimeoutMs);
    });
    const first = await Promise.race([grant, timedOut]);
    timers.clearTimeout(timer);
    if (first !== 'timeout') return this.#settle(current, set, first, { startedAt, late: false, key });

    // The IdP has not answered in time. It may still have the request and rotate the
    // refresh token: sending the old one again would be reuse, which revokes the grant.
    // So the caller hears IDP_UNAVAILABLE now, and the grant runs on under the lock;
    // whatever it brings back (late tokens, a refusal) is stored when it arrives.
    await coordinator
      .recordRefreshFailure(
        id,
        { basedOnVersion: current.version, code: 'IDP_UNAVAILABLE', at: clock(), ...(key ? { tokenKey: key } : {}) },
        this.#options.grantTimeoutMs,
      )
      .catch(() => undefined); // waiters time out on their own; this only answers them sooner
    this.#options.log?.warn({ session: shortId(id) }, 'refresh grant slow: answering IDP_UNAVAILABLE, waiting on for the IdP');
    this.#emit({ type: 'refresh.outlived', session: shortId(id) });
    const pending = grant
      .then((late) => this.#settle(current, set, late, { startedAt, late: true, key }))
      .then((settled) => settled.pending)
      .catch((err: unknown) =>
        this.#options.log?.warn({ session: shortId(id), err: describe(err) }, 'storing a late refresh outcome failed'),
      );
    return { result: { type: 'error', error: bffError('IDP_UNAVAILABLE'), ended: false }, pending };
  }

  /** Stores what a grant brought back: new tokens by compare-and-set, a refusal by ending the session, an outage by a cooldown. */
  async #settle(
    current: ActiveSession,
    set: TokenSet,
    outcome: GrantResult,
    grant: { startedAt: number; late: boolean; key: string },
  ): Promise<Settled> {
    const { key } = grant;
    const { store, coordinator, clock, cipher, failureCooldownMs, tombstoneTtlMs, log } = this.#options;
    const id = current.id;
    const session = shortId(id);
    const seconds = (this.#options.timers.now() - grant.startedAt) / 1000;
    const { sub } = current.user;
    if (outcome.type !== 'tokens') {
      const classified = outcome;
      log?.warn({ session: shortId(id), outcome: classified.code, cause: classified.detail }, 'refresh grant failed');
      this.#emit({ type: 'refresh.grant', outcome: classified.type, code: classified.code, seconds, late: grant.late, session, sub });
      if (classified.type === 'refused') {
        const issuedAt = current.tokens.accessTokenExpiresAt - current.tokens.accessTokenLifetime * 1000;
        if (current.version > 1 && clock() - issuedAt < REUSE_SUSPECT_WINDOW_MS) {
          this.#emit({ type: 'refresh.reuseSuspected', session, sub, code: classified.code });
        }
        this.#emit({ type: 'session.ended', session, sub, reason: classified.code });
        // the IdP refused: the session is over whether or not the store hears it now
        // (if it does not, the next refresh is refused again and ends it then)
        await store.end(id, classified.code, clock(), tombstoneTtlMs).catch((endErr: unknown) => {
          log?.warn({ session: shortId(id), err: describe(endErr) }, 'could not record the end of a refused session');
        });
        return { result: ended(classified.error) };
      }
      // transient, or the IdP refused this API's token only: the session is kept, the cooldown spares the IdP
      await coordinator
        .recordRefreshFailure(
          id,
          { basedOnVersion: current.version, code: classified.code, at: clock(), ...(key ? { tokenKey: key } : {}) },
          failureCooldownMs,
        )
        .catch(() => undefined); // the cooldown is an optimisation, the answer stands without it
      return { result: { type: 'error', error: classified.error, ended: false } };
    }

    const { response } = outcome;
    const next = nextTokenState(
      cipher,
      response,
      clock(),
      { set, state: current.tokens },
      { keepIdToken: this.#options.keepIdToken, resourceKey: key },
    );
    const updated: ActiveSession = { ...current, tokens: next.state, version: current.version + 1 };
    this.#accessTokens.set(id, { sealed: next.state.sealed, set: cachedSet(next.set) });
    const rotated = Boolean(response.refresh_token);
    this.#emit({ type: 'refresh.grant', outcome: 'ok', seconds, late: grant.late, rotated, session, sub });
    try {
      if (await store.updateTokens(id, current.version, updated.tokens, this.#options.sessionTtlMs(updated, clock()))) {
        log?.info({ session: shortId(id), version: updated.version, rotated, ...(key ? { resource: key } : {}) }, 'tokens refreshed');
        return { result: this.#bearer(updated, key) };
      }
    } catch (err) {
      if (!(err instanceof StoreUnavailableError)) throw err;
      // Rule 10: the IdP has answered, and (rotating) the refresh token in the store is
      // dead. Dropping this pair would lose the session, and refreshing again with the
      // stored token would be reuse. So the pair is held and served here, the lock is
      // kept, and the write is retried until the store takes it.
      log?.warn(
        { session: shortId(id), version: updated.version, rotated },
        'session store unavailable: holding the new token pair until it is stored',
      );
      const unstored: Unstored = { basedOnVersion: current.version, session: updated };
      this.#unstored.set(id, unstored);
      const pending = this.#storeWhenBack(unstored).finally(() => {
        if (this.#unstored.get(id) === unstored) this.#unstored.delete(id);
      });
      return { result: this.#bearer(updated, key), pending };
    }
    return { result: await this.#afterLostCompareAndSet(id, key) };
  }

  /** The version moved although we held the lock: our lease ran out and another replica refreshed too. Its pair is the one the store keeps; use it. */
  async #afterLostCompareAndSet(id: string, key: string): Promise<AccessTokenResult> {
    this.#options.log?.warn({ session: shortId(id) }, 'refresh lost the compare-and-set; using the stored token pair');
    const after = await this.#options.store.get(id);
    if (after?.state === 'active') return this.#bearer(after, key);
    return ended(bffError(after?.state === 'ended' ? after.reason : 'UNAUTHENTICATED'));
  }

  /**
   * Retries the compare-and-set of a held pair with backoff for as long as the
   * store is down, up to the session's own end (or this manager's close).
   */
  async #storeWhenBack(unstored: Unstored): Promise<void> {
    const { store, clock, log, storeRetryMaxMs, timers } = this.#options;
    const { session } = unstored;
    const giveUpAt = clock() + this.#options.sessionTtlMs(session, clock());
    for (let attempt = 0; ; attempt += 1) {
      await timers.sleep(Math.min(storeRetryMaxMs, 50 * 2 ** attempt));
      try {
        const stored =
          (await store.updateTokens(session.id, unstored.basedOnVersion, session.tokens, this.#options.sessionTtlMs(session, clock()))) ||
          (await this.#storedAlready(session));
        if (stored) log?.info({ session: shortId(session.id), version: session.version, attempts: attempt + 2 }, 'held token pair stored');
        // false: the session ended meanwhile (sign-out, back-channel logout) or, past a
        // lost lease, another replica moved it on; either way the store knows better
        else log?.warn({ session: shortId(session.id) }, 'held token pair not stored: the session moved on meanwhile');
        return;
      } catch (err) {
        if (!(err instanceof StoreUnavailableError)) throw err;
        if (clock() >= giveUpAt) {
          log?.error?.({ session: shortId(session.id) }, 'the session ended before the store came back: its held token pair is dropped');
          return;
        }
        if (this.#closing && attempt >= 3) return;
      }
    }
  }

  /**
   * Whether the store holds this very pair (its sealed state is unique: a
   * random IV). An attempt that timed out may still have run: a Sentinel
   * client queues commands while it looks for the new primary and sends them
   * once it has one, after our 2 s timeout gave up on them.
   */
  async #storedAlready(session: ActiveSession): Promise<boolean> {
    const now = await this.#options.store.get(session.id);
    return now?.state === 'active' && now.tokens.sealed === session.tokens.sealed;
  }

  /** Renews the refresh lock every quarter lease until released: a live holder never loses it, a dead one's frees within a lease. */
  #renewWhileHeld(id: string, owner: string): { release: () => Promise<void> } {
    const { coordinator, log, timers } = this.#options;
    const timer = timers.setInterval(() => {
      coordinator.renewRefreshLock(id, owner, this.leaseMs).then(
        (held) => {
          if (!held) log?.warn({ session: shortId(id) }, 'the refresh lock was lost while held (a store outage longer than its lease?)');
        },
        () => undefined, // the store is down: the lease covers outages shorter than itself
      );
    }, this.leaseMs / 4);
    let released = false;
    return {
      release: async () => {
        if (released) return;
        released = true;
        timers.clearInterval(timer);
        await coordinator.releaseRefreshLock(id, owner).catch(() => undefined); // a lock not released frees within its lease
      },
    };
  }

  #track(work: Promise<void>): void {
    const tracked = work.catch(() => undefined);
    this.#background.add(tracked);
    void tracked.finally(() => this.#background.delete(tracked));
  }

  /** The access token for `key` ('' = main) of a session, decrypted once per token state and replica. */
  #bearer(session: ActiveSession, key = ''): AccessTokenResult {
    const { sealed } = session.tokens;
    let cached = this.#accessTokens.get(session.id);
    if (cached?.sealed !== sealed) {
      cached = { sealed, set: cachedSet(this.open(session)) };
      this.#accessTokens.set(session.id, cached);
    }
    const { set } = cached;
    const accessToken = key ? set.resourceTokens?.[key] : set.accessToken;
    // only reached with a token for key: needsRefresh sends a missing one to its grant first
    if (accessToken === undefined) return { type: 'error', error: resourceUnavailable('not issued'), ended: false };
    return { type: 'bearer', accessToken, session, dpopKey: set.dpopKey };
  }
}

/** What the manager keeps decrypted per session: the access tokens and the DPoP key, never the refresh or ID token. */
type CachedSet = Pick<TokenSet, 'accessToken' | 'resourceTokens' | 'dpopKey'>;

function cachedSet({ accessToken, resourceTokens, dpopKey }: TokenSet): CachedSet {
  return { accessToken, resourceTokens, dpopKey };
}

/** When the access token for `key` ('' = main) expires, and how long it lived; undefined for an API token not issued yet. */
function tokenTimes(session: ActiveSession, key: string): { expiresAt: number; lifetime: number } | undefined {
  if (!key) return { expiresAt: session.tokens.accessTokenExpiresAt, lifetime: session.tokens.accessTokenLifetime };
  return session.tokens.resources?.[key];
}

/** An API's own token that cannot be had while the session itself is fine. */
function resourceUnavailable(why: string): BffError {
  return bffError('RESOURCE_REFUSED', `No access token for this API can be had for this session (${why}).`);
}

/** A refresh's answer for its callers, and the work that must finish before its lock is released. */
interface Settled {
  result: AccessTokenResult;
  pending?: Promise<void> | undefined;
}

/** A rotated pair the store has not taken yet: `session` is the record as it will be stored. */
interface Unstored {
  basedOnVersion: number;
  session: ActiveSession;
}

/** Any store failure on the refresh path answers 503 SESSION_STORE_UNAVAILABLE; nothing is lost. */
function storeFailure(err: unknown): AccessTokenResult {
  if (err instanceof StoreUnavailableError)
    return { type: 'error', error: bffError('SESSION_STORE_UNAVAILABLE', undefined, err), ended: false };
  throw err;
}

function describe(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

function ended(error: BffError): AccessTokenResult {
  return { type: 'error', error, ended: true };
}

/** Enough of a session id to correlate log lines, not enough to use it. */
export function shortId(id: string): string {
  return id.slice(0, 6);
}
