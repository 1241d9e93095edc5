import { createServer } from 'node:net';
import * as client from 'openid-client';
import { startIdp, type IdpOptions, type RunningIdp } from '../index.js';
import { Browser, signIn, type SignInResult } from './browser.js';

export const BFF_URL = 'http://127.0.0.1:3999';
export const REDIRECT_URI = `${BFF_URL}/auth/callback`;
export const API_AUDIENCE = 'http://127.0.0.1:4001';
export const SCOPE = 'openid profile email offline_access';

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

export async function startTestIdp(options: Partial<IdpOptions> = {}): Promise<RunningIdp> {
  const port = options.port ?? (await freePort());
  return startIdp({
    port,
    issuer: `http://127.0.0.1:${port}`,
    bffPublicUrl: BFF_URL,
    apiAudience: API_AUDIENCE,
    devEndpoints: true,
    ...options,
  });
}

/** An openid-client configuration for the IdP's confidential client, authenticating as the profile says. */
export async function confidentialClient(idp: RunningIdp): Promise<client.Configuration> {
  const auth =
    idp.profile.tokenEndpointAuthMethod === 'client_secret_basic'
      ? client.ClientSecretBasic(idp.clientSecret)
      : client.ClientSecretPost(idp.clientSecret);
  const config = await client.discovery(new URL(idp.issuer), idp.clientId, undefined, auth, {
    execute: [client.allowInsecureRequests],
  });
  if (idp.profile.tokenRequestEncoding === 'json') config[client.customFetch] = jsonTokenRequests(idp);
  return config;
}

/** Re-encodes token requests as JSON bodies, as a seed-001 client must. */
function jsonTokenRequests(idp: RunningIdp): client.CustomFetch {
  return (url, options) => {
    if (url === `${idp.issuer}/token` && options.body instanceof URLSearchParams) {
      return fetch(url, {
        ...options,
        headers: { ...options.headers, 'content-type': 'application/json' },
        body: JSON.stringify(Object.fromEntries(options.body)),
      });
    }
    return fetch(url, options);
  };
}

export interface Login {
  signIn: SignInResult;
  tokens?: client.TokenEndpointResponse & client.TokenEndpointResponseHelpers;
}

export interface LoginOptions {
  /** undefined: never fill the form (expect a remembered session) */
  credentials?: { username: string; password: string } | undefined;
  /** extra authorization request parameters */
  params?: Record<string, string>;
  browser?: Browser;
  redirectUri?: string;
}

export const ALICE = { username: 'alice', password: 'alice-password' };

/** Authorization code + PKCE through the login form, then the code exchange. */
export async function login(config: client.Configuration, options: LoginOptions = { credentials: ALICE }): Promise<Login> {
  const { credentials, params = {}, browser = new Browser(), redirectUri = REDIRECT_URI } = options;
  const pkceCodeVerifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope: SCOPE,
    code_challenge: await client.calculatePKCECodeChallenge(pkceCodeVerifier),
    code_challenge_method: 'S256',
    state,
    nonce,
    ...params,
  });
  const result = await signIn(browser, url, redirectUri, credentials);
  if (result.callback === undefined || !result.callback.searchParams.has('code')) return { signIn: result };
  const tokens = await client.authorizationCodeGrant(config, result.callback, {
    pkceCodeVerifier,
    expectedState: state,
    expectedNonce: nonce,
  });
  return { signIn: result, tokens };
}

/** The refresh grant's refusal, as the client sees it. */
export async function refreshRefusal(
  config: client.Configuration,
  refreshToken: string,
): Promise<{ error: string; description?: string | undefined }> {
  try {
    await client.refreshTokenGrant(config, refreshToken);
  } catch (err) {
    if (err instanceof client.ResponseBodyError) return { error: err.error, description: err.error_description };
    throw err;
  }
  throw new Error('the refresh was not refused');
}

export function decodeJwt(token: string): { header: Record<string, unknown>; payload: Record<string, unknown> } {
  const [header = '', payload = ''] = token.split('.');
  const decode = (part: string): Record<string, unknown> =>
    JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;
  return { header: decode(header), payload: decode(payload) };
}
