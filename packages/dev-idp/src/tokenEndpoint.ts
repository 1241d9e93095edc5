import type { Middleware } from 'koa';
import type { KoaContextWithOIDC } from 'oidc-provider';
import type Provider from 'oidc-provider';
import type { GrantCounter } from './counters.js';
import type { ProviderProfile } from './profiles.js';
import type { MemoryStore } from './store.js';

export const TOKEN_PATH = '/token';

/**
 * The `error_description` of a refused refresh grant. oidc-provider answers every
 * refusal with "grant request is invalid"; this provider names the reason, in these
 * exact words, because clients (the BFF) classify refusals by them.
 */
export const REFRESH_REFUSALS = Object.freeze({
  expired: 'refresh token is expired',
  revoked: 'grant has been revoked',
  reuse: 'refresh token reuse detected',
});

interface Outcome {
  grantType: string | undefined;
  refreshToken: string | undefined;
  /** oidc-provider's internal reason (`error_detail`), for refusals */
  detail: string | undefined;
}

export interface TokenEndpointOptions {
  provider: Provider;
  store: MemoryStore;
  counter: GrantCounter;
  profile: ProviderProfile;
}

/**
 * Counts grants from the provider's events and adjusts token responses: states why a
 * refresh was refused (and when a DPoP proof was missing or wrong), adds `refresh_token_expires_in` (as Entra does), and strips the
 * refresh token from refresh responses of a non-rotating profile.
 */
export function tokenEndpoint({ provider, store, counter, profile }: TokenEndpointOptions): Middleware {
  const outcomes = new WeakMap<object, Outcome>();
  const outcomeOf = (ctx: KoaContextWithOIDC, detail?: string): Outcome => {
    const params = ctx.oidc?.params;
    const grantType = typeof params?.['grant_type'] === 'string' ? params['grant_type'] : undefined;
    const refreshToken = typeof params?.['refresh_token'] === 'string' ? params['refresh_token'] : undefined;
    return { grantType, refreshToken, detail };
  };
  provider.on('grant.success', (ctx) => {
    const outcome = outcomeOf(ctx);
    counter.served(outcome.grantType);
    outcomes.set(ctx, outcome);
  });
  provider.on('grant.error', (ctx, err) => {
    if (err.error === 'use_dpop_nonce') {
      counter.nonceChallenges += 1;
      return;
    }
    const outcome = outcomeOf(ctx, err.error_detail);
    counter.refused(outcome.grantType);
    outcomes.set(ctx, outcome);
  });

  return async (ctx, next) => {
    await next();
    if (ctx.method !== 'POST' || ctx.path !== TOKEN_PATH) return;
    const outcome = outcomes.get(ctx);
    const body: unknown = ctx.body;
    if (outcome === undefined || typeof body !== 'object' || body === null) return;
    const response = body as Record<string, unknown>;

    if (ctx.status === 200 && typeof response['refresh_token'] === 'string') {
      if (outcome.grantType === 'refresh_token' && !profile.rotateRefreshToken) {
        const { refresh_token: _kept, ...rest } = response;
        ctx.body = rest;
        return;
      }
      const exp = store.get('RefreshToken', response['refresh_token'])?.exp;
      if (typeof exp === 'number') {
        ctx.body = { ...response, refresh_token_expires_in: Math.max(0, exp - Math.floor(Date.now() / 1000)) };
      }
      return;
    }

    if (response['error'] === 'invalid_grant' && outcome.detail !== undefined && /\bDPoP\b/.test(outcome.detail)) {
      // "DPoP proof JWT not provided" and the like: a client misconfiguration worth naming, as other DPoP providers do
      ctx.body = { ...response, error_description: outcome.detail };
      return;
    }
    if (response['error'] === 'invalid_grant' && outcome.grantType === 'refresh_token') {
      const reason = refusalReason(outcome, store);
      if (reason !== undefined) ctx.body = { ...response, error_description: reason };
    }
  };
}

function refusalReason({ detail, refreshToken }: Outcome, store: MemoryStore): string | undefined {
  switch (detail) {
    case 'refresh token is expired':
      return REFRESH_REFUSALS.expired;
    case 'refresh token already used':
      return REFRESH_REFUSALS.reuse;
    case 'refresh token not found': {
      const tombstone = refreshToken === undefined ? undefined : store.refreshTokenTombstone(refreshToken);
      if (tombstone === undefined) return undefined;
      // a token that had expired before it was removed is reported as expired
      if (tombstone.exp <= tombstone.removedAt) return REFRESH_REFUSALS.expired;
      return tombstone.reason === 'reuse' ? REFRESH_REFUSALS.reuse : REFRESH_REFUSALS.revoked;
    }
    default:
      return undefined;
  }
}
