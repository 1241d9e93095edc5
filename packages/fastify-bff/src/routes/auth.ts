import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isSafeReturnTo, type LogoutResult, type RefreshResult, type SessionInfo, type SessionUser } from '@bff/shared';
import type { SignInDecision } from '../observability/hooks.js';
import { inSpan } from '../observability/tracing.js';
import { BffError, bffError } from '../errors.js';
import { classifyCallbackError, classifyLoginError } from '../oidc/classify.js';
import type { LoginTransaction } from '../oidc/oidcClient.js';
import type { ActiveSession } from '../session/store.js';
import { nextTokenState } from '../tokens/tokenSet.js';
import { shortId } from '../tokens/tokenManager.js';
import { backchannelLogout } from './backchannel.js';
import { errorPage, wantsHtml } from './html.js';

/** How long a sign-in may take between /auth/login and /auth/callback. */
const LOGIN_TRANSACTION_SECONDS = 600;

const iso = (ms: number) => new Date(ms).toISOString();

/** The management endpoints (`/auth/*`, README "HTTP contract"), apart from the API proxy. */
export async function authRoutes(app: FastifyInstance): Promise<void> {
  const { options, sessions, tokens, oidc, cipher } = app.bff;
  const clock = options.clock;

  const limit = (max: number | undefined) =>
    options.rateLimit && max !== undefined ? { config: { rateLimit: { max, timeWindow: options.rateLimit.timeWindowMs ?? 60_000 } } } : {};

  app.get<{ Querystring: { returnTo?: string } }>(
    '/login',
    limit(options.rateLimit ? options.rateLimit.login : undefined),
    async (request, reply) => {
      const returnTo = request.query.returnTo ?? '/';
      if (!isSafeReturnTo(returnTo)) throw bffError('BAD_REQUEST', 'returnTo must be a same-origin path such as /notes.');
      sessions.assertCookieCanBeSet(request);
      const { url, transaction } = await oidc.authorizationUrl(returnTo, clock()).catch((err: unknown) => {
        throw classifyLoginError(err, oidc.clientAuthDescription);
      });
      reply.setCookie(sessions.loginCookieName, cipher.seal(transaction), {
        httpOnly: true,
        secure: options.secureCookies,
        // Lax, or the IdP's top-level redirect back could not carry it
        sameSite: 'lax',
        // not authPath: the __Host- prefix (https) requires Path=/ (docs/architecture.md, "Mount paths")
        path: '/',
        maxAge: LOGIN_TRANSACTION_SECONDS,
      });
      return reply.redirect(url.href, 302);
    },
  );

  app.get('/callback', limit(options.rateLimit ? options.rateLimit.callback : undefined), async (request, reply) =>
    inSpan('bff.callback', async () => {
      sessions.assertCookieCanBeSet(request);
      const transaction = readTransaction(request);
      reply.clearCookie(sessions.loginCookieName, { path: '/', httpOnly: true, secure: options.secureCookies, sameSite: 'lax' });
      if (!transaction) {
        throw bffError(
          'BAD_REQUEST',
          'This sign-in is unknown or too old (no matching login state in this browser). Please sign in again.',
        );
      }
      // build the URL the IdP redirected to from the PUBLIC URL, not the internal one: behind a proxy they differ
      const callbackUrl = new URL(request.url, options.publicUrl);
      // with DPoP, the sign-in's key (bound to the code at login) becomes the session's: every token of the session is bound to it
      const dpopKey = oidc.loginDpopKey(transaction.state);
      const response = await oidc.exchangeCode(callbackUrl, transaction, dpopKey).catch((err: unknown) => {
        throw classifyCallbackError(err, oidc.clientAuthDescription);
      });
      if (dpopKey && response.token_type?.toLowerCase() !== 'dpop') {
        // a Bearer token where DPoP was asked for is a downgrade: refuse it rather than proxy a stealable token
        request.log.error({ tokenType: response.token_type }, 'the IdP did not bind the access token to the DPoP key (OIDC_DPOP=1)');
        throw bffError(
          'SIGN_IN_REFUSED',
          'The identity provider issued a token that is not DPoP-bound, and this app requires DPoP. Ask its administrator to check the DPoP setup.',
        );
      }
      const claims = response.claims();
      if (!claims) throw bffError('BAD_REQUEST', 'The IdP returned no ID token.');
      const did = isDid(claims.sub) ? claims.sub : undefined;
      const user: SessionUser = { sub: claims.sub, name: stringClaim(claims.name), email: stringClaim(claims.email) };
      let handle = stringClaim(claims.handle);
      if (user.name === undefined || user.email === undefined || (did && handle === undefined)) {
        // many IdPs leave profile claims out of the ID token: ask userinfo, best effort
        const info = await oidc.userInfo(response.access_token, claims.sub, dpopKey).catch(() => undefined);
        user.name ??= stringClaim(info?.name);
        user.email ??= stringClaim(info?.email);
        handle ??= stringClaim(info?.handle);
      }
      // a DID subject (AT Protocol, seed 000) is known by its handle; the DID stands in when there is none
      if (did) Object.assign(user, { did, handle: handle ?? did });

      const { state } = nextTokenState(cipher, response, clock(), undefined, { keepIdToken: options.logoutIdTokenHint, dpopKey });
      const kept = await decideSignIn(claims, withoutUndefined(user), response.refresh_token);
      const session = await sessions.start(request, { user: kept, sid: stringClaim(claims.sid), tokens: state });
      request.log.info({ session: shortId(session.id), sub: session.user.sub }, 'signed in');
      return reply.redirect(transaction.returnTo, 302);
    }),
  );

  // never refreshes tokens and never extends the session
  app.get('/session', async (request, reply): Promise<SessionInfo> => {
    const found = await sessions.lookup(request, reply);
    const serverTime = iso(clock());
    if (found.state === 'none') return { authenticated: false, ...(found.reason ? { reason: found.reason } : {}), serverTime };
    const { session } = found;
    const end = sessions.sessionEnd(session);
    return {
      authenticated: true,
      user: session.user,
      accessTokenExpiresAt: iso(session.tokens.accessTokenExpiresAt),
      sessionExpiresAt: iso(end.at),
      sessionEndsBy: end.by,
      ...(session.tokens.refreshTokenExpiresAt !== undefined ? { refreshTokenExpiresAt: iso(session.tokens.refreshTokenExpiresAt) } : {}),
      logoutUrl: `${options.publicUrl}${options.authPath}/logout?sid=${encodeURIComponent(sessions.logoutGuard(session))}`,
      serverTime,
    };
  });

  // "Stay signed in": one forced refresh (single-flight like every other), and the idle deadline moves
  app.post('/refresh', limit(options.rateLimit ? options.rateLimit.refresh : undefined), async (request, reply): Promise<RefreshResult> => {
    const session = await sessions.require(request, reply);
    const result = await tokens.accessToken(session, { force: true });
    if (result.type === 'error') {
      if (result.ended) sessions.clearCookie(reply);
      throw result.error;
    }
    const fresh = await sessions.extend(result.session, request.log, { force: true });
    const expiresAt = iso(sessions.expiresAt(fresh));
    const { did, handle } = fresh.user;
    return {
      success: true,
      // a DID subject gets seed 000's shape exactly
      session: did
        ? { did, handle: handle ?? did, expiresAt }
        : { sub: fresh.user.sub, name: fresh.user.name ?? fresh.user.sub, expiresAt },
      message: 'Session refreshed.',
    };
  });

  /** Revokes the refresh token (RFC 7009) and ends the session; answers the token set for what comes next. */
  async function signOut(request: FastifyRequest, reply: FastifyReply, session: ActiveSession) {
    const set = tokens.open(session);
    if (set.refreshToken) {
      // the refresh token dies with the session; an IdP that is down must not keep the user signed in here
      await oidc.revoke(set.refreshToken, 'refresh_token').catch((err: unknown) => {
        request.log.warn(
          { session: shortId(session.id), err: { name: (err as Error).name, message: (err as Error).message } },
          'refresh token revocation failed',
        );
      });
    }
    await sessions.end(request, reply, session);
    request.log.info({ session: shortId(session.id), sub: session.user.sub }, 'signed out');
    return set;
  }

  // idempotent: without a session it answers the same, with null. Its body never carries a token:
  // the end-session URL names client_id only (the navigation below is the way to send id_token_hint)
  app.post('/logout', async (request, reply): Promise<LogoutResult> => {
    const found = await sessions.lookup(request, reply);
    if (found.state === 'none') return { endSessionUrl: null };
    await signOut(request, reply, found.session);
    return { endSessionUrl: await oidc.endSessionUrl(undefined) };
  });

  // sign-out as a top-level navigation (Duende's pattern), guarded by the session's sid instead of a
  // header: the 302 to the IdP may carry id_token_hint, which then appears only in a Location header
  app.get<{ Querystring: { sid?: string } }>('/logout', async (request, reply) => {
    const found = await sessions.lookup(request, reply);
    const home = `${options.publicUrl}/`;
    if (found.state === 'none') return reply.redirect(home, 302); // nothing left to end
    if (!sessions.logoutGuardMatches(found.session, request.query.sid)) {
      throw bffError('BAD_REQUEST', 'This sign-out link does not belong to your session; nothing was ended.');
    }
    const set = await signOut(request, reply, found.session);
    const endSession = await oidc.endSessionUrl(options.logoutIdTokenHint ? set.idToken : undefined);
    return reply.header('cache-control', 'no-store').redirect(endSession ?? home, 302);
  });

  app.post('/backchannel-logout', async (request, reply) => {
    const body = request.body as Record<string, unknown> | undefined;
    const logoutToken = typeof body?.logout_token === 'string' ? body.logout_token : undefined;
    if (!logoutToken) throw bffError('BAD_REQUEST', 'logout_token is required.');
    const ended = await backchannelLogout(app.bff, logoutToken);
    request.log.info({ ended }, 'back-channel logout');
    return reply.header('cache-control', 'no-store').code(200).send();
  });

  /**
   * The integrator's onSignIn hook decides: keep the user (mapped), or refuse
   * with a sentence the person reads. Refused or failed, no session starts
   * and the refresh token just issued is revoked, best effort.
   */
  async function decideSignIn(claims: Record<string, unknown>, user: SessionUser, refreshToken: string | undefined): Promise<SessionUser> {
    const { onSignIn } = options.hooks;
    if (!onSignIn) return user;
    const discard = () => (refreshToken ? oidc.revoke(refreshToken, 'refresh_token').catch(() => false) : Promise.resolve(false));
    let decision: SignInDecision;
    try {
      decision = await onSignIn.call(options.hooks, { claims: { ...claims }, user });
    } catch (err) {
      await discard();
      throw new BffError('INTERNAL', 'The onSignIn hook failed.', { cause: err });
    }
    if (decision && 'refuse' in decision) {
      await discard();
      app.bff.events({ type: 'signIn.refused', sub: user.sub, reason: decision.refuse });
      throw new BffError('SIGN_IN_REFUSED', decision.refuse);
    }
    if (decision && typeof decision.sub !== 'string') {
      await discard();
      throw new BffError('INTERNAL', 'The onSignIn hook returned a user without a sub.');
    }
    return decision ?? user;
  }

  function readTransaction(request: FastifyRequest): LoginTransaction | undefined {
    const raw = request.cookies[sessions.loginCookieName];
    if (!raw) return undefined;
    try {
      const transaction = cipher.open<LoginTransaction>(raw);
      if (clock() - transaction.createdAt > LOGIN_TRANSACTION_SECONDS * 1000) return undefined;
      return transaction;
    } catch {
      return undefined;
    }
  }
}

/** Failures of the navigations (login, callback, logout) are shown as a page to a navigating browser, as JSON to everyone else. */
export function renderAuthError(authPath: string) {
  const navigations = new Set(['/callback', '/login', '/logout'].map((route) => `${authPath}${route}`));
  return (error: BffError, request: FastifyRequest, reply: FastifyReply): boolean => {
    if (!navigations.has(request.routeOptions.url ?? '') || !wantsHtml(request)) return false;
    reply
      .code(error.statusCode)
      .type('text/html; charset=utf-8')
      .send(errorPage('Sign-in failed', error.toBody().error, error.code, `${authPath}/login`));
    return true;
  };
}

/** A W3C DID (`did:plc:...`, `did:web:...`): the subject of AT Protocol providers. */
function isDid(sub: string): boolean {
  return /^did:[a-z0-9]+:\S+$/.test(sub);
}

function stringClaim(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
