import * as client from 'openid-client';
import type { GrantContext, GrantResult } from '../tokens/grant.js';
import { classifyGrantError } from './classify.js';
import { signingCryptoKey } from './clientKeys.js';
import { BffError } from '../errors.js';
import { DiscoveryError } from './discoveryError.js';
import { DpopKeys } from './dpop.js';
import type { DpopKey } from '../session/store.js';
import type { ResolvedBffOptions } from '../options.js';

export interface LoginTransaction {
  state: string;
  nonce: string;
  codeVerifier: string;
  returnTo: string;
  createdAt: number;
}

type TokenResponse = Awaited<ReturnType<typeof client.refreshTokenGrant>>;

/**
 * openid-client, configured once from the options: discovery (lazy, retried
 * after a failure so a BFF started before its IdP recovers), client
 * authentication, the JSON token-request encoding, and one timeout for every
 * IdP call.
 */
export class OidcClient {
  #configuration: Promise<client.Configuration> | undefined;
  /** The same client for refresh grants, with the long timeout: a slow grant is waited for, never abandoned (see TokenManager). */
  #refreshConfiguration: client.Configuration | undefined;

  /** With DPoP on (options.dpop): the sessions' proof keys. */
  readonly dpop: DpopKeys | undefined;

  /**
   * Who signs proofs for a session that has a key: with DPoP on, `dpop`; with it turned off since the session
   * began (a restart with OIDC_DPOP=0), a stand-in, because the session's tokens stay bound to its key until it ends.
   */
  get #proofKeys(): DpopKeys {
    return this.dpop ?? (this.#formerDpop ??= new DpopKeys('ES256'));
  }
  #formerDpop: DpopKeys | undefined;

  constructor(private readonly options: ResolvedBffOptions) {
    this.dpop = options.dpop ? new DpopKeys(options.dpop.algorithm) : undefined;
  }

  configuration(): Promise<client.Configuration> {
    this.#configuration ??= this.#discover().catch((err: unknown) => {
      this.#configuration = undefined;
      throw err;
    });
    return this.#configuration;
  }

  /** For logs: how the BFF authenticates to the IdP, never the secret. */
  get clientAuthDescription(): string {
    const { tokenAuthMethod, clientId, clientKeys } = this.options;
    const key = tokenAuthMethod === 'private_key_jwt' ? `, key ${clientKeys[0]?.kid ?? '?'}` : '';
    return `client ${clientId} (${tokenAuthMethod}${key})`;
  }

  get redirectUri(): string {
    return `${this.options.publicUrl}${this.options.authPath}/callback`;
  }

  async authorizationUrl(returnTo: string, now: number): Promise<{ url: URL; transaction: LoginTransaction }> {
    const config = await this.configuration();
    const transaction: LoginTransaction = {
      state: client.randomState(),
      nonce: client.randomNonce(),
      codeVerifier: client.randomPKCECodeVerifier(),
      returnTo,
      createdAt: now,
    };
    const parameters: Record<string, string> = {
      ...this.options.authParams,
      redirect_uri: this.redirectUri,
      scope: this.options.scopes,
      response_type: 'code',
      state: transaction.state,
      nonce: transaction.nonce,
      code_challenge: await client.calculatePKCECodeChallenge(transaction.codeVerifier),
      code_challenge_method: 'S256',
    };
    // every API's resource: the grant covers them all, and each refresh then asks a token for one (RFC 8707, 2.1)
    const withResources = new URLSearchParams(parameters);
    for (const resource of this.#resources()) withResources.append('resource', resource);
    // with DPoP, the code is bound to the sign-in's key from the start: a proof on the pushed request, or dpop_jkt (RFC 9449, 10)
    const dpop = await this.#dpopOption(config, this.loginDpopKey(transaction.state));
    // RFC 9126: the parameters go to the IdP server-to-server; the browser carries client_id and request_uri only
    const url = this.usesPar(config)
      ? await client.buildAuthorizationUrlWithPAR(config, withResources, dpop)
      : client.buildAuthorizationUrl(config, await withThumbprint(withResources, dpop));
    return { url, transaction };
  }

  /** Whether authorization requests are pushed: asked for (OIDC_PAR), or required by the IdP. */
  usesPar(config: client.Configuration): boolean {
    const metadata = config.serverMetadata();
    const push = this.options.pushedAuthorizationRequests || metadata.require_pushed_authorization_requests === true;
    if (push && !metadata.pushed_authorization_request_endpoint) {
      throw new BffError('INTERNAL', `OIDC_PAR is on, but ${this.options.issuer} advertises no pushed_authorization_request_endpoint`);
    }
    return push;
  }

  /** With DPoP: the key of the sign-in that `state` names, the same at login and at the callback (DpopKeys.derive). */
  loginDpopKey(state: string): DpopKey | undefined {
    return this.dpop?.derive(this.options.tokenEncryptionKeys[0]!, state);
  }

  /**
   * Validates state, nonce and PKCE and redeems the code. `callbackUrl` is built from the PUBLIC URL.
   * With DPoP, the new session's key signs the proof, and the tokens are bound to it.
   */
  async exchangeCode(callbackUrl: URL, transaction: LoginTransaction, dpopKey?: DpopKey): Promise<TokenResponse> {
    const config = await this.configuration();
    return client.authorizationCodeGrant(
      config,
      callbackUrl,
      {
        pkceCodeVerifier: transaction.codeVerifier,
        expectedState: transaction.state,
        expectedNonce: transaction.nonce,
        idTokenExpected: true,
      },
      this.options.resource ? { resource: this.options.resource } : undefined,
      await this.#dpopOption(config, dpopKey),
    );
  }

  /** The refresh_token grant, its failures classified here (oidc/classify.ts): the token manager knows no openid-client. */
  async refresh(refreshToken: string, context: GrantContext): Promise<GrantResult> {
    try {
      await this.configuration();
      const config = this.#refreshConfiguration!;
      const response = await client.refreshTokenGrant(
        config,
        refreshToken,
        refreshParameters(context.target ? context.target : { resource: this.options.resource }),
        await this.#dpopOption(config, context.dpopKey),
      );
      return { type: 'tokens', response };
    } catch (err) {
      return classifyGrantError(err, context);
    }
  }

  /** RFC 7009, when the IdP offers it. Returns false when it does not. */
  async revoke(token: string, hint: 'refresh_token' | 'access_token'): Promise<boolean> {
    const config = await this.configuration();
    if (!config.serverMetadata().revocation_endpoint) return false;
    await client.tokenRevocation(config, token, { token_type_hint: hint });
    return true;
  }

  async userInfo(accessToken: string, sub: string, dpopKey?: DpopKey): Promise<Record<string, unknown> | undefined> {
    const config = await this.configuration();
    if (!config.serverMetadata().userinfo_endpoint) return undefined;
    return client.fetchUserInfo(config, accessToken, sub, await this.#dpopOption(config, dpopKey));
  }

  /**
   * A DPoP proof for one proxied request (RFC 9449, 7.1): `htm`, `htu` (the
   * upstream URL without its query), `ath` of the access token, and the nonce
   * that origin asked for last. Signed by openid-client's handle for the key.
   */
  async proof(key: DpopKey, url: URL, method: string, accessToken: string): Promise<string> {
    const dpop = this.#proofKeys;
    return dpop.proof(await dpop.handle(await this.configuration(), key), url, method, accessToken);
  }

  /** Remembers a resource server's `DPoP-Nonce` for the next proofs of this key to that origin. */
  async rememberNonce(key: DpopKey, url: URL, nonce: string): Promise<void> {
    const dpop = this.#proofKeys;
    dpop.rememberNonce(await dpop.handle(await this.configuration(), key), url, nonce);
  }

  /** The distinct resource indicators of the main token and of every API. */
  #resources(): string[] {
    const all = [this.options.resource, ...this.options.apis.map((api) => api.resource)];
    return [...new Set(all.filter((resource): resource is string => resource !== undefined))];
  }

  /** openid-client's `{ DPoP }` option for a request signed with `key` (its nonce dance included), or none. */
  async #dpopOption(config: client.Configuration, key: DpopKey | undefined): Promise<client.DPoPOptions | undefined> {
    if (!key) return undefined;
    return { DPoP: await this.#proofKeys.handle(config, key) };
  }

  /** The IdP's RP-initiated logout URL, or null when it has none. */
  async endSessionUrl(idToken: string | undefined): Promise<string | null> {
    const config = await this.configuration().catch(() => undefined);
    if (!config?.serverMetadata().end_session_endpoint) return null;
    const parameters: Record<string, string> = {
      client_id: this.options.clientId,
      post_logout_redirect_uri: `${this.options.publicUrl}/`,
    };
    if (idToken) parameters.id_token_hint = idToken;
    return client.buildEndSessionUrl(config, parameters).href;
  }

  async #discover(): Promise<client.Configuration> {
    const { issuer, clientId, idpTimeoutSeconds } = this.options;
    const auth = await this.#clientAuth();
    const insecure = new URL(issuer).protocol === 'http:';
    const config = await client
      .discovery(new URL(issuer), clientId, undefined, auth, {
        execute: insecure ? [client.allowInsecureRequests] : [],
        timeout: idpTimeoutSeconds,
      })
      .catch((err: unknown) => {
        throw new DiscoveryError(issuer, err);
      });
    const refresh = new client.Configuration(config.serverMetadata(), clientId, config.clientMetadata(), auth);
    for (const [each, timeout] of [
      [config, idpTimeoutSeconds],
      [refresh, this.options.refreshGrantTimeoutSeconds],
    ] as const) {
      if (insecure) client.allowInsecureRequests(each);
      each.timeout = timeout;
      if (this.options.tokenRequestEncoding === 'json')
        each[client.customFetch] = jsonTokenRequests(config.serverMetadata().token_endpoint);
    }
    this.#refreshConfiguration = refresh;
    return config;
  }

  /** How the BFF authenticates at the token, PAR and revocation endpoints (OIDC_TOKEN_AUTH_METHOD). */
  async #clientAuth(): Promise<client.ClientAuth> {
    const { tokenAuthMethod, clientSecret, clientKeys } = this.options;
    switch (tokenAuthMethod) {
      case 'none':
        return client.None();
      case 'client_secret_post':
        return client.ClientSecretPost(clientSecret);
      case 'private_key_jwt': {
        // the first key signs; the others are only published (GET /auth/jwks.json) while a rotation settles
        const [signing] = clientKeys;
        if (!signing) throw new Error('private_key_jwt needs a client key (OIDC_CLIENT_PRIVATE_KEY)');
        return client.PrivateKeyJwt({ key: await signingCryptoKey(signing), kid: signing.kid });
      }
      default:
        return client.ClientSecretBasic(clientSecret);
    }
  }
}

/** The authorization request with `dpop_jkt`, the thumbprint of the sign-in's DPoP key, when there is one. */
async function withThumbprint(parameters: URLSearchParams, dpop: client.DPoPOptions | undefined): Promise<URLSearchParams> {
  if (dpop?.DPoP) parameters.set('dpop_jkt', await dpop.DPoP.calculateThumbprint());
  return parameters;
}

/** A refresh grant's extra parameters: the RFC 8707 resource and a (narrowing) scope, for the token asked for. */
function refreshParameters(target: { resource?: string | undefined; scopes?: string | undefined }): Record<string, string> | undefined {
  const parameters: Record<string, string> = {};
  if (target.resource) parameters.resource = target.resource;
  if (target.scopes) parameters.scope = target.scopes;
  return Object.keys(parameters).length > 0 ? parameters : undefined;
}

/**
 * For IdPs whose token endpoint wants a JSON body (seed 001): openid-client
 * hands its form body to customFetch, which re-encodes it as JSON for the
 * token endpoint only; every other request goes out unchanged.
 */
export function jsonTokenRequests(tokenEndpoint: string | undefined): client.CustomFetch {
  return (url, options) => {
    if (url === tokenEndpoint && options.body instanceof URLSearchParams) {
      const headers = { ...options.headers, 'content-type': 'application/json' };
      return fetch(url, { ...options, headers, body: JSON.stringify(Object.fromEntries(options.body)) });
    }
    return fetch(url, options);
  };
}
