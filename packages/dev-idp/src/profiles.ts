import type { SubjectKind } from './accounts.js';

/**
 * The seed provider profiles: each one reproduces how a provider the project
 * was specified from issues tokens. `strict-logout` issues tokens as seed-002
 * and refuses RP-initiated logout without `id_token_hint`, as providers that
 * require it do. `dpop` takes only DPoP-bound token requests, with nonces.
 */
export type ProfileName = 'seed-000' | 'seed-001' | 'seed-002' | 'seed-003' | 'strict-logout' | 'dpop';

export interface ProviderProfile {
  name: ProfileName;
  /** seconds */
  accessTokenTtl: number;
  /** seconds; a rotated refresh token gets a fresh full lifetime */
  refreshTokenTtl: number;
  /** `private_key_jwt`: the client's public keys come from its JWKS (IdpOptions.clientJwks, else the BFF's `/auth/jwks.json`) */
  tokenEndpointAuthMethod: 'client_secret_basic' | 'client_secret_post' | 'private_key_jwt';
  /** true: every authorization request must be pushed first (RFC 9126, `require_pushed_authorization_requests`) */
  requirePushedAuthorizationRequests: boolean;
  /** `did`: subjects are `did:plc:...` with a `handle` claim (AT Protocol) */
  subjects: SubjectKind;
  /** `json`: the token endpoint accepts only application/json bodies (client credentials in the body) */
  tokenRequestEncoding: 'form' | 'json';
  /** false: refresh responses carry NO refresh_token and the presented one stays valid */
  rotateRefreshToken: boolean;
  /** true: end-session without `id_token_hint` is refused (400 invalid_request) and the login session stays */
  endSessionNeedsIdTokenHint: boolean;
  /**
   * Sender-constrained tokens (RFC 9449): the token endpoint takes only
   * requests with a DPoP proof and binds every access token to its key
   * (`cnf.jkt`); `nonce`: it also requires a server-issued nonce in each proof.
   */
  dpop?: { nonce: boolean };
}

const HOUR = 60 * 60;
const DAY = 24 * HOUR;

const SEED_002: ProviderProfile = {
  name: 'seed-002',
  accessTokenTtl: 15 * 60,
  refreshTokenTtl: DAY,
  tokenEndpointAuthMethod: 'client_secret_basic',
  requirePushedAuthorizationRequests: false,
  subjects: 'username',
  tokenRequestEncoding: 'form',
  rotateRefreshToken: true,
  endSessionNeedsIdTokenHint: false,
};

export const PROFILES: Readonly<Record<ProfileName, Readonly<ProviderProfile>>> = Object.freeze({
  'seed-000': Object.freeze({
    name: 'seed-000',
    accessTokenTtl: 2 * HOUR,
    refreshTokenTtl: 90 * DAY,
    // AT Protocol OAuth: PAR, private_key_jwt for confidential clients, DID subjects
    tokenEndpointAuthMethod: 'private_key_jwt',
    requirePushedAuthorizationRequests: true,
    subjects: 'did',
    tokenRequestEncoding: 'form',
    rotateRefreshToken: true,
    endSessionNeedsIdTokenHint: false,
    // and DPoP with server-issued nonces on every token request
    dpop: Object.freeze({ nonce: true }),
  }),
  'seed-001': Object.freeze({
    name: 'seed-001',
    accessTokenTtl: HOUR,
    refreshTokenTtl: 365 * DAY,
    tokenEndpointAuthMethod: 'client_secret_post',
    requirePushedAuthorizationRequests: false,
    subjects: 'username',
    tokenRequestEncoding: 'json',
    rotateRefreshToken: true,
    endSessionNeedsIdTokenHint: false,
  }),
  'seed-002': Object.freeze(SEED_002),
  'seed-003': Object.freeze({
    name: 'seed-003',
    accessTokenTtl: HOUR,
    refreshTokenTtl: 365 * DAY,
    tokenEndpointAuthMethod: 'client_secret_post',
    requirePushedAuthorizationRequests: false,
    subjects: 'username',
    tokenRequestEncoding: 'form',
    rotateRefreshToken: false,
    endSessionNeedsIdTokenHint: false,
  }),
  // seed 002, with an end-session endpoint that refuses a logout without id_token_hint
  'strict-logout': Object.freeze({ ...SEED_002, name: 'strict-logout', endSessionNeedsIdTokenHint: true }),
  // seed 002's lifetimes, with DPoP-bound tokens only and server nonces: what sender-constrained providers do
  dpop: Object.freeze({ ...SEED_002, name: 'dpop', dpop: Object.freeze({ nonce: true }) }),
});

export const DEFAULT_PROFILE: ProfileName = 'seed-002';

export const PROFILE_NAMES = Object.keys(PROFILES) as ProfileName[];

export function isProfileName(value: string): value is ProfileName {
  return Object.hasOwn(PROFILES, value);
}
