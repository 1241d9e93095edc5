import { createHmac, timingSafeEqual } from 'node:crypto';
import type { FastifyBaseLogger, FastifyReply, FastifyRequest } from 'fastify';
import type { ErrorCode, SessionEndsBy, SessionUser } from '@bff/shared';
import { BffError, bffError } from '../errors.js';
import type { ResolvedBffOptions } from '../options.js';
import type { EventSink } from '../observability/events.js';
import { shortId } from '../tokens/tokenManager.js';
import type { CachingSigner } from './sessionLayer.js';
import type { ActiveSession, SessionStore, TokenState } from './store.js';

/** How long an ended session is remembered with its reason. */
export const ENDED_GRACE_MS = 15 * 60_000;

/** What a request's session leads to. */
export type SessionLookup = { state: 'active'; session: ActiveSession } | { state: 'none'; reason?: ErrorCode };

/**
 * Sessions as the routes see them: start at sign-in, look up, extend, end.
 * @fastify/session owns the cookie and the id (sessionLayer.ts); the record
 * keyed by that id lives in the SessionStore, with the idle and absolute
 * deadlines. Routes never touch the store directly; a store failure surfaces
 * as StoreUnavailableError, which the error handler answers with 503.
 */
export class Sessions {
  /** The idle deadline moves at most this often: steady-state requests do not write the store. */
  readonly touchIntervalMs: number;
  /** The short-lived login-transaction cookie (state, nonce, PKCE verifier), sealed, Lax. */
  readonly loginCookieName: string;

  constructor(
    private readonly options: ResolvedBffOptions,
    readonly store: SessionStore,
    /** The plugin's own @fastify/session: its cookie and signer (absent when the host brought its own). */
    private readonly own: { cookieName: string; signer: CachingSigner } | undefined,
    private readonly emit: EventSink = () => undefined,
  ) {
    this.touchIntervalMs = Math.min(60_000, (options.sessionIdleTimeout * 1000) / 10);
    const base = options.cookieName === 'bff.sid' ? 'bff.login' : `${options.cookieName}.login`;
    this.loginCookieName = `${options.secureCookies ? '__Host-' : ''}${base}`;
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
    return this.sessionEnd(session).at;
  }

  /**
   * The earliest deadline and which one it is (`sessionEndsBy` in
   * /auth/session). On a tie the one a refresh is least able to move wins
   * (absolute, then the tokens', then idle): that is the one that really
   * ends the session.
   */
  sessionEnd(session: ActiveSession): { at: number; by: SessionEndsBy } {
    const { tokens } = session;
    const candidates: Array<{ at: number; by: SessionEndsBy }> = [{ at: session.absoluteExpiresAt, by: 'absolute' }];
    if (!tokens.hasRefreshToken) {
      candidates.push({ at: tokens.accessTokenExpiresAt, by: 'access_token' });
    } else if (tokens.refreshTokenExpiresAt !== undefined) {
      const accessOutlives = tokens.accessTokenExpiresAt > tokens.refreshTokenExpiresAt;
      candidates.push(
        accessOutlives
          ? { at: tokens.accessTokenExpiresAt, by: 'access_token' }
          : { at: tokens.refreshTokenExpiresAt, by: 'refresh_token' },
      );
    }
    candidates.push({ at: session.lastSeenAt + this.options.sessionIdleTimeout * 1000, by: 'idle' });
    return candidates.reduce((earliest, next) => (next.at < earliest.at ? next : earliest));
  }

  /**
   * How long the store keeps a session: past its deadline by a grace period,
   * so a request that arrives just after the end hears SESSION_EXPIRED rather
   * than a bare UNAUTHENTICATED. Validity itself is decided by `deadline`.
   */
  ttlMs(session: ActiveSession, now: number): number {
    return Math.max(1, this.deadline(session) - now + ENDED_GRACE_MS);
  }

  /**
   * With an https public URL the session cookie is Secure, and @fastify/session
   * sets a Secure cookie only on a request that Fastify sees as https. Behind
   * a TLS-terminating proxy that takes Fastify's `trustProxy` (TRUST_PROXY);
   * without it every sign-in would end with no cookie. Refused loudly instead.
   */
  assertCookieCanBeSet(request: FastifyRequest): void {
    if (!this.own || !this.options.secureCookies || request.protocol === 'https') return;
    throw new BffError(
      'INTERNAL',
      "The public URL is https, but this request reached the BFF over http, so no Secure session cookie can be set. Behind a TLS-terminating proxy, set Fastify's trustProxy (TRUST_PROXY) so that X-Forwarded-Proto is believed.",
    );
  }

  /**
   * What `GET /auth/logout?sid=` must carry for this session: the IdP's `sid`
   * when it gave one (as Duende does), else a value derived from the session
   * id with the session secret. Either way a page on another origin cannot
   * know it, so a cross-site link cannot sign anyone out.
   */
  logoutGuard(session: ActiveSession): string {
    return (
      session.sid ?? createHmac('sha256', this.options.sessionSecrets[0]!).update(`logout:${session.id}`).digest('base64url').slice(0, 32)
    );
  }

  logoutGuardMatches(session: ActiveSession, given: string | undefined): boolean {
    if (!given) return false;
    const expected = Buffer.from(this.logoutGuard(session));
    const actual = Buffer.from(given);
    return expected.length === actual.length && timingSafeEqual(expected, actual);
  }

  /** The session id behind a signed cookie value of the plugin's own session layer (tests and tools). */
  idFromCookie(value: string): string | undefined {
    const unsigned = this.own?.signer.unsign(value);
    return unsigned?.valid && unsigned.value ? unsigned.value : undefined;
  }

  /**
   * Signs a person in: a NEW session id (no fixation; the previous web
   * session and its record are gone), the record created under it, and the
   * cookie set by @fastify/session when the reply is sent.
   */
  async start(request: FastifyRequest, fields: { user: SessionUser; sid: string | undefined; tokens: TokenState }): Promise<ActiveSession> {
    const previous = this.#recordId(request);
    if (previous) await this.store.destroy(previous);
    await request.session.regenerate();
    const now = this.options.clock();
    const session: ActiveSession = {
      state: 'active',
      id: request.session.sessionId,
      version: 1,
      user: fields.user,
      sid: fields.sid,
      createdAt: now,
      lastSeenAt: now,
      absoluteExpiresAt: now + this.options.sessionAbsoluteTimeout * 1000,
      tokens: fields.tokens,
    };
    await this.store.create(session, this.ttlMs(session, now));
    // modified: @fastify/session saves it and sets the cookie (and only then)
    request.session.set('bff', { signedInAt: now });
    this.emit({ type: 'session.started', session: shortId(session.id), user: session.user, replaced: previous !== undefined });
    return session;
  }

  /** Finds the request's session without failing: for /auth/session and logout. A session that leads nowhere is ended here too. */
  async lookup(request: FastifyRequest, reply: FastifyReply): Promise<SessionLookup> {
    const id = this.#recordId(request);
    if (!id) return { state: 'none' };
    const stored = await (this.store.getForRequest ? this.store.getForRequest(id) : this.store.get(id));
    if (!stored) {
      await this.#forget(request, reply);
      return { state: 'none', reason: 'UNAUTHENTICATED' };
    }
    if (stored.state === 'ended') {
      await this.#forget(request, reply);
      return { state: 'none', reason: stored.reason };
    }
    const now = this.options.clock();
    if (this.deadline(stored) <= now) {
      await this.store.end(id, 'SESSION_EXPIRED', now, ENDED_GRACE_MS);
      this.emit({ type: 'session.ended', session: shortId(id), sub: stored.user.sub, reason: 'SESSION_EXPIRED' });
      await this.#forget(request, reply);
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

  /**
   * Moves the idle deadline (at most once per touchIntervalMs, or now with
   * `force`). Never fails the request: a deadline that did not move is
   * logged, and the session it returns says where the deadline really is.
   */
  async extend(session: ActiveSession, log: FastifyBaseLogger, options: { force?: boolean } = {}): Promise<ActiveSession> {
    const now = this.options.clock();
    if (!options.force && now - session.lastSeenAt < this.touchIntervalMs) return session;
    const touched = { ...session, lastSeenAt: now };
    try {
      await this.store.touch(session.id, now, this.ttlMs(touched, now));
      return touched;
    } catch (err) {
      log.warn({ err }, 'could not move the session idle deadline');
      return session;
    }
  }

  /**
   * Ends the request's session: its record is destroyed (sign-out) or replaced
   * by a tombstone with the reason, and the web session is replaced by a
   * fresh, empty one, so the browser's cookie leads nowhere.
   */
  async end(request: FastifyRequest, reply: FastifyReply, session: ActiveSession, reason?: ErrorCode): Promise<void> {
    if (reason) await this.store.end(session.id, reason, this.options.clock(), ENDED_GRACE_MS);
    else await this.store.destroy(session.id);
    this.emit({ type: 'session.ended', session: shortId(session.id), sub: session.user.sub, reason: reason ?? 'SIGNED_OUT' });
    await this.#forget(request, reply);
  }

  /** Ends every session of a user (`sub`) or of an IdP session (`sid`) with a reason: back-channel logout. */
  async endAll(by: { sub?: string | undefined; sid?: string | undefined }, reason: ErrorCode): Promise<number> {
    const ids = await this.store.findIds(by);
    const now = this.options.clock();
    await Promise.all(ids.map((id) => this.store.end(id, reason, now, ENDED_GRACE_MS)));
    for (const id of ids) this.emit({ type: 'session.ended', session: shortId(id), sub: by.sub, reason });
    return ids.length;
  }

  /** The record id of the request's web session: only a session the BFF signed in has one. */
  #recordId(request: FastifyRequest): string | undefined {
    const web = request.session as FastifyRequest['session'] | null | undefined;
    return web?.get?.('bff') ? web.sessionId : undefined;
  }

  /**
   * The browser forgets a web session whose record is gone. With the
   * plugin's own layer, the cookie is cleared with the attributes it was set
   * with (a `__Host-` cookie is only cleared by a Secure Set-Cookie). A host's
   * @fastify/session replaces the session by a fresh one, its own way.
   */
  async #forget(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    if (this.own) {
      reply.clearCookie(this.own.cookieName, { path: '/', httpOnly: true, secure: this.options.secureCookies, sameSite: 'lax' });
      return;
    }
    await request.session.regenerate();
  }

  /** Called after the browser was told about an ended session, so it needs nothing more from the store. */
  clearCookie(reply: FastifyReply): void {
    if (this.own)
      reply.clearCookie(this.own.cookieName, { path: '/', httpOnly: true, secure: this.options.secureCookies, sameSite: 'lax' });
  }
}
