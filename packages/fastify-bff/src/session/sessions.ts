import { randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ErrorCode } from '@bff/shared';
import { BoundedCache } from '../boundedCache.js';
import { bffError } from '../errors.js';
import type { ResolvedBffOptions } from '../options.js';
import { StoreUnavailableError, type ActiveSession, type SessionStore } from './store.js';

/** How long an ended session is remembered with its reason. */
export const ENDED_GRACE_MS = 15 * 60_000;

/** What a request's cookie leads to. */
export type SessionLookup =
  | { state: 'active'; session: ActiveSession }
  | { state: 'none'; reason?: ErrorCode };

/**
 * Sessions as the routes see them: the opaque id in a signed HttpOnly cookie,
 * the record in the store, and the idle and absolute lifetimes. The cookie
 * and the record are given the same remaining lifetime whenever either is
 * written, so they expire together.
 */
export class Sessions {
  readonly cookieName: string;
  readonly loginCookieName: string;
  /** The idle deadline moves at most this often: steady-state requests do not write the store. */
  readonly touchIntervalMs: number;
  readonly #verified = new BoundedCache<string, string | null>(10_000);

  constructor(
    private readonly options: ResolvedBffOptions,
    readonly store: SessionStore,
  ) {
    // __Host- pins the cookie to this origin (Secure, Path=/, no Domain) whenever https allows it
    const prefix = options.secureCookies ? '__Host-' : '';
    this.cookieName = `${prefix}bff.sid`;
    this.loginCookieName = `${prefix}bff.login`;
    this.touchIntervalMs = Math.min(60_000, (options.sessionIdleTimeout * 1000) / 10);
  }

  newId(): string {
    return randomBytes(32).toString('base64url');
  }

  /** When the session ends on its own: the earlier of the idle and absolute deadlines. */
  deadline(session: ActiveSession): number {
    return Math.min(session.lastSeenAt + this.options.sessionIdleTimeout * 1000, session.absoluteExpiresAt);
  }

  /**
   * What the SPA counts down to: the session's deadline, or sooner when the
   * tokens cannot last that long: the refresh token's known expiry, or, when
   * the access token outlives it (or there is none), the access token's.
   */
  expiresAt(session: ActiveSession): number {
    const { tokens } = session;
    const deadline = this.deadline(session);
    if (!tokens.hasRefreshToken) return Math.min(deadline, tokens.accessTokenExpiresAt);
    if (tokens.refreshTokenExpiresAt === undefined) return deadline;
    return Math.min(deadline, Math.max(tokens.refreshTokenExpiresAt, tokens.accessTokenExpiresAt));
  }

  /**
   * How long the store and the cookie keep a session: past its deadline by
   * a grace period, so a request that arrives just after the end hears
   * SESSION_EXPIRED rather than a bare UNAUTHENTICATED. Validity itself is
   * decided by `deadline`, never by this TTL.
   */
  ttlMs(session: ActiveSession, now: number): number {
    return Math.max(1, this.deadline(session) - now + ENDED_GRACE_MS);
  }

  /** The id in the request's cookie, if its signature holds. A forged or tampered cookie reads as no cookie. */
  cookieId(request: FastifyRequest): { id?: string; present: boolean } {
    const raw = request.cookies[this.cookieName];
    if (!raw) return { present: false };
    // one HMAC per distinct cookie value, not per request
    let id = this.#verified.get(raw);
    if (id === undefined) {
      const unsigned = request.unsignCookie(raw);
      id = unsigned.valid && unsigned.value ? unsigned.value : null;
      this.#verified.set(raw, id);
    }
    return id ? { id, present: true } : { present: true };
  }

  /**
   * Finds the request's session without failing: for /auth/session and
   * logout. A cookie that leads nowhere is cleared.
   */
  async lookup(request: FastifyRequest, reply: FastifyReply): Promise<SessionLookup> {
    const { id, present } = this.cookieId(request);
    if (!id) {
      if (present) this.clearCookie(reply);
      return { state: 'none', ...(present ? { reason: 'UNAUTHENTICATED' as const } : {}) };
    }
    const stored = await this.#get(id);
    const now = this.options.clock();
    if (!stored) {
      this.clearCookie(reply);
      return { state: 'none', reason: 'UNAUTHENTICATED' };
    }
    if (stored.state === 'ended') {
      this.clearCookie(reply);
      return { state: 'none', reason: stored.reason };
    }
    if (this.deadline(stored) <= now) {
      await this.store.end(id, 'SESSION_EXPIRED', now, ENDED_GRACE_MS);
      this.clearCookie(reply);
      return { state: 'none', reason: 'SESSION_EXPIRED' };
    }
    return { state: 'active', session: stored };
  }

  /** The request's session, or a BffError with the reason it has none (401 codes). */
  async require(request: FastifyRequest, reply: FastifyReply): Promise<ActiveSession> {
    const found = await this.lookup(request, reply);
    if (found.state === 'active') return found.session;
    throw bffError(found.reason ?? 'UNAUTHENTICATED');
  }

  /** Moves the idle deadline when it is due (at most once per touchIntervalMs), cookie and record together. */
  async touch(session: ActiveSession, reply: FastifyReply): Promise<void> {
    const now = this.options.clock();
    if (now - session.lastSeenAt < this.touchIntervalMs) return;
    const touched = { ...session, lastSeenAt: now };
    await this.store.touch(session.id, now, this.ttlMs(touched, now)).catch((err: unknown) => {
      // the idle deadline not moving is no reason to fail the user's request
      reply.log.warn({ err }, 'could not move the session idle deadline');
    });
    this.setCookie(reply, session.id, this.ttlMs(touched, now));
  }

  setCookie(reply: FastifyReply, id: string, ttlMs: number): void {
    reply.setCookie(this.cookieName, id, {
      signed: true,
      httpOnly: true,
      secure: this.options.secureCookies,
      sameSite: 'lax',
      path: '/',
      maxAge: Math.ceil(ttlMs / 1000),
    });
  }

  clearCookie(reply: FastifyReply): void {
    reply.clearCookie(this.cookieName, { path: '/', httpOnly: true, secure: this.options.secureCookies, sameSite: 'lax' });
  }

  async #get(id: string) {
    try {
      return await (this.store.getForRequest ? this.store.getForRequest(id) : this.store.get(id));
    } catch (err) {
      throw storeUnavailable(err);
    }
  }
}

export function storeUnavailable(err: unknown) {
  return err instanceof StoreUnavailableError ? bffError('SESSION_STORE_UNAVAILABLE', undefined, err) : err;
}
