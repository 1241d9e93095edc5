import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { BoundedCache } from '../boundedCache.js';
import type { Clock } from '../clock.js';
import type { TokenCipher } from '../crypto/tokenCipher.js';
import { BffError, bffError } from '../errors.js';
import { classifyGrantError, describeGrantError } from '../oidc/classify.js';
import type { ActiveSession, SessionStore, TokenSet } from '../session/store.js';
import { nextTokenState, type TokenResponse } from './tokenSet.js';

/** A token lookup never throws for expected outcomes: it answers a closed union (as Duende's does). */
export type AccessTokenResult =
  | { type: 'bearer'; accessToken: string; session: ActiveSession }
  | { type: 'error'; error: BffError; /** true when the session was ended by this outcome */ ended: boolean };

export interface TokenManagerOptions {
  store: SessionStore;
  cipher: TokenCipher;
  /** The IdP's refresh_token grant. Injected so the manager is testable without a network. */
  refreshGrant: (refreshToken: string) => Promise<TokenResponse>;
  clock: Clock;
  refreshSkewSeconds: number;
  /** How long a caller waits for a grant before hearing IDP_UNAVAILABLE (IDP_TIMEOUT_SECONDS). */
  idpTimeoutMs: number;
  /**
   * How long a grant may run on in the background after that, holding the
   * lock (the refreshGrant function must give up by then). Default 60 s.
   */
  grantTimeoutMs?: number;
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
  log?: { warn(obj: object, msg: string): void; info(obj: object, msg: string): void };
}

/**
 * Keeps every session's access token fresh (DESIGN.md "Token lifecycle
 * rules"): proactive refresh inside the skew, forced refresh after an
 * upstream 401, and at most ONE refresh grant per session in flight:
 * in-process callers share one promise; across replicas a store lock with a
 * lease longer than the IdP timeout, and a versioned compare-and-set so a
 * stale copy can never overwrite a newer token pair.
 */
export class TokenManager {
  readonly #inFlight = new Map<string, Promise<AccessTokenResult>>();
  /** The decrypted access token per session, valid while the sealed token state is the same: one AES-GCM open per token, not per request. Never the refresh token. */
  readonly #accessTokens = new BoundedCache<string, { sealed: string; accessToken: string }>(10_000);
  readonly #owner = randomUUID();
  readonly #options: Required<Omit<TokenManagerOptions, 'log'>> & Pick<TokenManagerOptions, 'log'>;

  constructor(options: TokenManagerOptions) {
    this.#options = {
      tombstoneTtlMs: 15 * 60_000,
      failureCooldownMs: 2_000,
      pollIntervalMs: 25,
      keepIdToken: false,
      grantTimeoutMs: 60_000,
      ...options,
    };
  }

  /** The refresh lock's lease: longer than a grant may run in the background, so it is never lost mid-grant. */
  get leaseMs(): number {
    return this.#options.grantTimeoutMs + 5_000;
  }

  /** Whether the access token is inside the refresh skew: min(REFRESH_SKEW_SECONDS, a quarter of its lifetime). */
  needsRefresh(session: ActiveSession, now = this.#options.clock()): boolean {
    const { accessTokenExpiresAt, accessTokenLifetime } = session.tokens;
    const skewMs = Math.min(this.#options.refreshSkewSeconds, accessTokenLifetime / 4) * 1000;
    return accessTokenExpiresAt - now <= skewMs;
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
  async accessToken(session: ActiveSession, options: { force?: boolean } = {}): Promise<AccessTokenResult> {
    if (!options.force && !this.needsRefresh(session)) return this.#bearer(session);
    let pending = this.#inFlight.get(session.id);
    if (!pending) {
      pending = this.#refreshExclusive(session.id, session.version).finally(() => this.#inFlight.delete(session.id));
      this.#inFlight.set(session.id, pending);
    }
    return pending;
  }

  async #refreshExclusive(id: string, basedOnVersion: number): Promise<AccessTokenResult> {
    const { store, clock, pollIntervalMs, idpTimeoutMs } = this.#options;
    // a caller waits about as long as one IdP call may take, never the whole lease
    const giveUpAt = clock() + idpTimeoutMs + 1_000;
    for (;;) {
      if (await store.acquireRefreshLock(id, this.#owner, this.leaseMs)) {
        let pending: Promise<void> | undefined;
        try {
          const outcome = await this.#refreshLocked(id, basedOnVersion);
          pending = outcome.pending;
          return outcome.result;
        } finally {
          const release = () => store.releaseRefreshLock(id, this.#owner).catch(() => undefined);
          // a grant still on its way to or from the IdP keeps the lock until it settles
          if (pending) void pending.finally(release);
          else await release();
        }
      }
      // another request or replica is refreshing this session: wait for what it stores
      await sleep(pollIntervalMs);
      const current = await store.get(id);
      if (!current) return ended(bffError('UNAUTHENTICATED'));
      if (current.state === 'ended') return ended(bffError(current.reason));
      if (current.version !== basedOnVersion) return this.#bearer(current);
      const failure = await store.lastRefreshFailure(id);
      if (failure && failure.basedOnVersion === basedOnVersion) {
        return { type: 'error', error: bffError(failure.code), ended: false };
      }
      if (clock() > giveUpAt) return { type: 'error', error: bffError('IDP_UNAVAILABLE'), ended: false };
    }
  }

  async #refreshLocked(id: string, basedOnVersion: number): Promise<{ result: AccessTokenResult; pending?: Promise<void> }> {
    const { store, clock, failureCooldownMs, tombstoneTtlMs, idpTimeoutMs } = this.#options;
    // re-read under the lock: a refresh that finished meanwhile is the answer (the grace window)
    const current = await store.get(id);
    if (!current) return { result: ended(bffError('UNAUTHENTICATED')) };
    if (current.state === 'ended') return { result: ended(bffError(current.reason)) };
    if (current.version !== basedOnVersion) return { result: this.#bearer(current) };

    const now = clock();
    const failure = await store.lastRefreshFailure(id);
    if (failure && failure.basedOnVersion === current.version && now - failure.at < failureCooldownMs) {
      return { result: { type: 'error', error: bffError(failure.code), ended: false } };
    }

    const set = this.open(current);
    if (!set.refreshToken) {
      // nothing to refresh with: the session lives as long as its access token
      if (current.tokens.accessTokenExpiresAt > now) return { result: { type: 'bearer', accessToken: set.accessToken, session: current } };
      await store.end(id, 'SESSION_EXPIRED', now, tombstoneTtlMs);
      return { result: ended(bffError('SESSION_EXPIRED')) };
    }

    const grant: Promise<GrantOutcome> = this.#options.refreshGrant(set.refreshToken).then(
      (response) => ({ ok: true, response }),
      (error: unknown) => ({ ok: false, error }),
    );
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), idpTimeoutMs);
    });
    const first = await Promise.race([grant, timedOut]);
    clearTimeout(timer);
    if (first !== 'timeout') return { result: await this.#settle(current, set, first) };

    // The IdP has not answered in time. It may still have the request and rotate the
    // refresh token: sending the old one again would be reuse, which revokes the grant.
    // So the caller hears IDP_UNAVAILABLE now, and the grant runs on under the lock;
    // whatever it brings back (late tokens, a refusal) is stored when it arrives.
    await store.recordRefreshFailure(id, { basedOnVersion, code: 'IDP_UNAVAILABLE', at: clock() }, this.leaseMs);
    this.#options.log?.warn({ session: shortId(id) }, 'refresh grant slow: answering IDP_UNAVAILABLE, waiting on for the IdP');
    const pending = grant.then(async (late) => {
      await this.#settle(current, set, late);
    });
    return { result: { type: 'error', error: bffError('IDP_UNAVAILABLE'), ended: false }, pending: pending.catch(() => undefined) };
  }

  /** Stores what a grant brought back: new tokens by compare-and-set, a refusal by ending the session, an outage by a cooldown. */
  async #settle(current: ActiveSession, set: TokenSet, outcome: GrantOutcome): Promise<AccessTokenResult> {
    const { store, clock, cipher, failureCooldownMs, tombstoneTtlMs, log } = this.#options;
    const id = current.id;
    if (!outcome.ok) {
      const err = outcome.error;
      const classified = classifyGrantError(err, { now: clock(), refreshTokenExpiresAt: current.tokens.refreshTokenExpiresAt });
      log?.warn({ session: shortId(id), outcome: classified.code, cause: describeGrantError(err) }, 'refresh grant failed');
      if (classified.kind === 'refused') {
        await store.end(id, classified.code, clock(), tombstoneTtlMs);
        return ended(classified.error);
      }
      await store.recordRefreshFailure(id, { basedOnVersion: current.version, code: classified.code, at: clock() }, failureCooldownMs);
      return { type: 'error', error: classified.error, ended: false };
    }

    const { response } = outcome;
    const next = nextTokenState(cipher, response, clock(), { set, state: current.tokens }, { keepIdToken: this.#options.keepIdToken });
    const updated: ActiveSession = { ...current, tokens: next.state, version: current.version + 1 };
    const ttl = this.#options.sessionTtlMs(updated, clock());
    if (await this.#storeWithRetry(id, current.version, updated, ttl)) {
      log?.info({ session: shortId(id), version: updated.version, rotated: Boolean(response.refresh_token) }, 'tokens refreshed');
      this.#accessTokens.set(id, { sealed: next.state.sealed, accessToken: next.set.accessToken });
      return { type: 'bearer', accessToken: next.set.accessToken, session: updated };
    }
    // The version moved although we held the lock: our lease ran out and another
    // replica refreshed too. Its pair is the one the store keeps; use it.
    log?.warn({ session: shortId(id) }, 'refresh lost the compare-and-set; using the stored token pair');
    const after = await store.get(id);
    if (after?.state === 'active') return this.#bearer(after);
    return ended(bffError(after?.state === 'ended' ? after.reason : 'UNAUTHENTICATED'));
  }

  /** The IdP has already rotated the refresh token: losing this write would lose the session, so try a few times. */
  async #storeWithRetry(id: string, expectedVersion: number, updated: ActiveSession, ttl: number): Promise<boolean> {
    for (let attempt = 0; ; attempt += 1) {
      try {
        return await this.#options.store.updateTokens(id, expectedVersion, updated.tokens, ttl);
      } catch (err) {
        if (attempt >= 4) throw err;
        await sleep(50 * 2 ** attempt);
      }
    }
  }

  #bearer(session: ActiveSession): AccessTokenResult {
    const { sealed } = session.tokens;
    const cached = this.#accessTokens.get(session.id);
    if (cached?.sealed === sealed) return { type: 'bearer', accessToken: cached.accessToken, session };
    const { accessToken } = this.open(session);
    this.#accessTokens.set(session.id, { sealed, accessToken });
    return { type: 'bearer', accessToken, session };
  }
}

type GrantOutcome = { ok: true; response: TokenResponse } | { ok: false; error: unknown };

function ended(error: BffError): AccessTokenResult {
  return { type: 'error', error, ended: true };
}

/** Enough of a session id to correlate log lines, not enough to use it. */
export function shortId(id: string): string {
  return id.slice(0, 6);
}
