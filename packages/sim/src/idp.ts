import type { TokenResponse } from '@bff/fastify-bff';
import type { Config } from './plan.js';

/** What the token endpoint answers: a body with a status, as an HTTP client would see it. */
export type IdpAnswer =
  { status: 200; body: TokenResponse } | { status: 400; body: { error: 'invalid_grant'; error_description: string } } | { status: 503 };

interface RefreshToken {
  session: number;
  n: number;
  issuedAt: number;
  expiresAt: number;
  /** Set when the IdP rotated it away: presenting it again is reuse. */
  consumed?: { at: number; grant: number };
}

interface Grant {
  /** The session's authorization grant: everything issued under it dies with it. */
  revoked?: 'reuse' | 'elsewhere';
  issued: number;
  liveRefreshToken: string;
}

/** What the IdP reports to the invariants. */
export interface IdpObserver {
  /** A refresh token came in that the IdP had already rotated away. */
  reused(session: number, token: string, firstGrant: number, grant: number): void;
  issued(session: number, n: number, grant: number): void;
}

const REFUSED = {
  invalid: 'grant request is invalid',
  expired: 'refresh token is expired',
  revoked: 'grant has been revoked',
  reuse: 'refresh token reuse detected',
};

/**
 * A token endpoint for refresh grants, per session one authorization grant.
 * oidc-provider revokes the complete grant when a rotated token is used
 * again and says only "grant request is invalid"; seed 001 does the same and
 * names the reason; seed 003 never rotates.
 */
export class SimIdp {
  readonly #tokens = new Map<string, RefreshToken>();
  readonly #grants: Grant[] = [];

  constructor(
    readonly config: Config,
    private readonly observer: IdpObserver,
  ) {}

  /** The authorization-code grant at sign-in: the first pair. */
  signIn(session: number, now: number): TokenResponse {
    const refreshToken = `rt.${session}.0`;
    this.#tokens.set(refreshToken, { session, n: 0, issuedAt: now, expiresAt: now + this.config.refreshTokenTtlS * 1000 });
    this.#grants[session] = { issued: 0, liveRefreshToken: refreshToken };
    return {
      access_token: `at.${session}.0`,
      refresh_token: refreshToken,
      expires_in: this.config.accessTokenTtlS,
      refresh_token_expires_in: this.config.refreshTokenTtlS,
    };
  }

  sessionOf(refreshToken: string): number | undefined {
    return this.#tokens.get(refreshToken)?.session;
  }

  /** The refresh token a client must present next, and whether the grant still lives. */
  live(session: number): { refreshToken: string; revoked: boolean } {
    const grant = this.#grants[session]!;
    return { refreshToken: grant.liveRefreshToken, revoked: grant.revoked !== undefined };
  }

  /** The user signed out elsewhere. */
  revoke(session: number): void {
    this.#grants[session]!.revoked ??= 'elsewhere';
  }

  /** One refresh_token grant, `grant` being its number in the run. */
  refresh(refreshToken: string, now: number, grant: number): IdpAnswer {
    const { idp } = this.config;
    const token = this.#tokens.get(refreshToken);
    if (!token) return refused(REFUSED.invalid);
    const authorization = this.#grants[token.session]!;
    const plain = idp === 'oidc-provider';
    if (token.consumed) {
      this.observer.reused(token.session, refreshToken, token.consumed.grant, grant);
      authorization.revoked ??= 'reuse';
      return refused(plain ? REFUSED.invalid : REFUSED.reuse);
    }
    if (authorization.revoked) return refused(plain ? REFUSED.invalid : REFUSED.revoked);
    if (now >= token.expiresAt) return refused(plain ? REFUSED.invalid : REFUSED.expired);
    const n = (authorization.issued += 1);
    const ttl = this.config.refreshTokenTtlS * 1000;
    // oidc-provider's default policy: rotate if the token is nearing expiration (beyond 70% of its lifetime)
    const rotate = idp === 'single-use' || (idp === 'oidc-provider' && (this.config.rotateAlways || now - token.issuedAt >= 0.7 * ttl));
    this.observer.issued(token.session, n, grant);
    const body: TokenResponse = { access_token: `at.${token.session}.${n}`, expires_in: this.config.accessTokenTtlS, token_type: 'Bearer' };
    if (!rotate) return { status: 200, body };
    token.consumed = { at: now, grant };
    const next = `rt.${token.session}.${n}`;
    this.#tokens.set(next, { session: token.session, n, issuedAt: now, expiresAt: now + ttl });
    authorization.liveRefreshToken = next;
    return { status: 200, body: { ...body, refresh_token: next, refresh_token_expires_in: this.config.refreshTokenTtlS } };
  }
}

function refused(description: string): IdpAnswer {
  return { status: 400, body: { error: 'invalid_grant', error_description: description } };
}

/** The issue number of an access token this IdP issued (`at.<session>.<n>`), or undefined. */
export function issueOf(accessToken: string, session: number): number | undefined {
  const [prefix, s, n] = accessToken.split('.');
  return prefix === 'at' && Number(s) === session && n !== undefined ? Number(n) : undefined;
}
