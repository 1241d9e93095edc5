import { randomBytes } from 'node:crypto';
import type { ClientMetadata, Configuration, JWK } from 'oidc-provider';
import { errors } from 'oidc-provider';
import { findAccount, findUser } from './accounts.js';
import type { ProviderProfile } from './profiles.js';
import { logoutSource, postLogoutSuccessSource, renderError } from './providerPages.js';
import type { MemoryStore } from './store.js';

export interface ConfigurationInput {
  profile: ProviderProfile;
  accessTokenTtl: number;
  refreshTokenTtl: number;
  clients: ClientMetadata[];
  /** the APIs' resource identifiers: the first is the default audience, each gets its own tokens (RFC 8707) */
  apiAudiences: readonly string[];
  signingKey: JWK;
  store: MemoryStore;
}

const DAY = 24 * 60 * 60;
// nonces only need to outlive this process: a fresh secret per start
const DPOP_NONCE_SECRET = randomBytes(32);
// dev constant: the IdP's cookies only need to survive this process's restarts of the listener
const COOKIE_KEYS = ['bff-dev-idp-cookie-key-not-a-secret'];
// the scopes the demo API accepts; its JWT access tokens carry those that were granted
const API_SCOPE = 'openid profile email offline_access';

function sameResource(a: string, b: string): boolean {
  const normalize = (value: string): string => (URL.parse(value)?.href ?? value).replace(/\/+$/, '');
  return normalize(a) === normalize(b);
}

export function providerConfiguration(input: ConfigurationInput): Configuration {
  const { profile, accessTokenTtl, refreshTokenTtl, apiAudiences, store } = input;
  return {
    adapter: store.adapterFactory,
    clients: input.clients,
    jwks: { keys: [input.signingKey] },
    findAccount,
    claims: {
      openid: ['sub'],
      // handle: beside a DID subject (seed-000), as AT Protocol names people
      profile: ['name', 'handle'],
      email: ['email', 'email_verified'],
    },
    scopes: ['openid', 'offline_access', 'profile', 'email'],
    // name and email belong in the ID token even though an access token is issued
    conformIdTokenClaims: false,
    // expiry means expiry: tests observe it to the second
    clockTolerance: 0,
    cookies: { keys: COOKIE_KEYS },
    pkce: { required: () => true },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    features: {
      devInteractions: { enabled: false },
      revocation: { enabled: true, allowedPolicy: (_ctx, client, token) => token.clientId === client.clientId },
      introspection: { enabled: true, allowedPolicy: (_ctx, client, token) => token.clientId === client.clientId },
      rpInitiatedLogout: { enabled: true, logoutSource, postLogoutSuccessSource },
      backchannelLogout: { enabled: true },
      // every profile accepts pushed authorization requests (RFC 9126); seed-000 accepts nothing else
      pushedAuthorizationRequests: { enabled: true, requirePushedAuthorizationRequests: profile.requirePushedAuthorizationRequests },
      // on for every profile (oidc-provider's default); a DPoP profile also binds every token and asks for nonces
      dPoP: {
        enabled: true,
        nonceSecret: DPOP_NONCE_SECRET,
        requireNonce: () => profile.dpop?.nonce === true,
      },
      resourceIndicators: {
        enabled: true,
        // every access token is for the demo API unless the client asks otherwise
        defaultResource: (_ctx, _client, oneOf) => oneOf?.[0] ?? apiAudiences[0]!,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx, resourceIndicator) => {
          const apiAudience = apiAudiences.find((audience) => sameResource(resourceIndicator, audience));
          if (apiAudience === undefined) throw new errors.InvalidTarget();
          return {
            scope: API_SCOPE,
            audience: apiAudience,
            accessTokenFormat: 'jwt',
            accessTokenTTL: accessTokenTtl,
            jwt: { sign: { alg: 'RS256' } },
          };
        },
      },
    },
    // the API answers /me from the access token alone
    extraTokenClaims: (_ctx, token) => {
      const user = token.kind === 'AccessToken' && token.accountId !== undefined ? findUser(token.accountId) : undefined;
      return user === undefined ? undefined : { name: user.name, email: user.email };
    },
    // a refresh token whenever the client may use one and offline_access was granted
    issueRefreshToken: (_ctx, client, code) => client.grantTypeAllowed('refresh_token') && code.scopes.has('offline_access'),
    rotateRefreshToken: profile.rotateRefreshToken,
    ttl: {
      AccessToken: accessTokenTtl,
      IdToken: accessTokenTtl,
      // also for rotated refresh tokens: each one gets the full lifetime
      RefreshToken: refreshTokenTtl,
      AuthorizationCode: 60,
      Interaction: 60 * 60,
      Session: Math.max(refreshTokenTtl, DAY),
      // rotation renews the refresh token, never the grant: keep grants well past any token
      Grant: Math.max(refreshTokenTtl, 365 * DAY),
    },
    clientBasedCORS: () => false,
    renderError,
    // back-channel logout goes to the BFF on loopback, which the provider's SSRF guard would block
    fetch: (url, options) => {
      const { dispatcher: _guard, ...rest } = options as RequestInit & { dispatcher?: unknown };
      return fetch(url, rest);
    },
  };
}
