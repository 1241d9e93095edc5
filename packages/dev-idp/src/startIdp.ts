import type { EventEmitter } from 'node:events';
import type { RequestListener } from 'node:http';
import { exportJWK, generateKeyPair } from 'jose';
import type { ClientMetadata, JWK } from 'oidc-provider';
import Provider from 'oidc-provider';
import { providerConfiguration } from './configuration.js';
import { ClientAuthCounter, type ClientAuthCounts } from './clientAuthCounter.js';
import { GrantCounter, type Counters } from './counters.js';
import { devEndpoints } from './devEndpoints.js';
import { interactions } from './interactions.js';
import { jsonTokenRequests } from './jsonTokenRequests.js';
import { Listener } from './listener.js';
import { keepOfflineAccess, keepOfflineAccessPushed } from './keepOfflineAccess.js';
import { requireDpopAtPar } from './requireDpopAtPar.js';
import { requireIdTokenHint } from './requireIdTokenHint.js';
import { DEFAULT_PROFILE, PROFILES, type ProfileName, type ProviderProfile } from './profiles.js';
import { MemoryStore } from './store.js';
import { tokenEndpoint } from './tokenEndpoint.js';
import { backchannelLogout, revokeUser } from './userActions.js';

export interface IdpOptions {
  /** 0 = ephemeral; default 4000 */
  port?: number;
  /** bind address, default '127.0.0.1' (then ::1 too) */
  host?: string;
  /** default `http://localhost:${port}` */
  issuer?: string;
  /** default 'seed-002' */
  profile?: ProfileName;
  /** seconds, overrides the profile */
  accessTokenTtl?: number;
  /** seconds, overrides the profile */
  refreshTokenTtl?: number;
  /** for each URL U: redirect_uri `${U}${bffAuthPath}/callback`, post_logout_redirect_uri `${U}/`; the first one also receives back-channel logout at `${U}${bffAuthPath}/backchannel-logout` */
  bffPublicUrl: string | string[];
  /** where the BFF's auth routes are, as the browser sees them (its mount prefix included); default '/auth' */
  bffAuthPath?: string;
  /** default 'bff-demo'; a public client `${clientId}-public` is registered too */
  clientId?: string;
  /** default 'bff-demo-secret' */
  clientSecret?: string;
  /** how the confidential client authenticates; default: the profile's */
  tokenEndpointAuthMethod?: ProviderProfile['tokenEndpointAuthMethod'];
  /**
   * With `private_key_jwt`: the client's public keys, registered as they are.
   * Default: none registered; the provider fetches them from the first BFF
   * URL's `/auth/jwks.json` (its `jwks_uri`), as AT Protocol servers fetch a
   * client's keys from its metadata.
   */
  clientJwks?: { keys: JWK[] };
  /** the demo API's resource identifier: the `aud` of every access token */
  /** the demo API's resource identifier: the `aud` of every access token; several: each an API with tokens of its own (RFC 8707), the first the default */
  apiAudience: string | readonly string[];
  /** the /__test endpoints; default: NODE_ENV !== 'production' */
  devEndpoints?: boolean;
  /** default: silent */
  logger?: (line: string) => void;
}

export interface RunningIdp {
  issuer: string;
  port: number;
  profile: ProviderProfile;
  clientId: string;
  clientSecret: string;
  counters(): Counters;
  /** requests at the token, PAR and revocation endpoints by how the client authenticated */
  clientAuthCounts(): ClientAuthCounts;
  /** resets both */
  /** Token requests answered `use_dpop_nonce` (the DPoP nonce dance's first step): not refusals, counted apart. */
  dpopNonceChallenges(): number;
  resetCounters(): void;
  /** revokes every grant of that user; returns how many */
  revokeUser(sub: string): Promise<number>;
  /** sends back-channel logout tokens for the user's sessions, ends them and revokes their grants; returns how many were delivered */
  backchannelLogout(sub: string): Promise<number>;
  /**
   * An outage: stop listening and drop open connections, but keep every key, grant, token and session.
   * `drain`: a restart as a deploy does it: requests already in flight are answered first (up to 5 s).
   */
  stop(options?: { drain?: boolean }): Promise<void>;
  /** listen again on the same port */
  start(): Promise<void>;
  /** final shutdown */
  close(): Promise<void>;
}

function positiveInteger(value: number | undefined, name: string): number | undefined {
  if (value !== undefined && (!Number.isInteger(value) || value <= 0)) {
    throw new TypeError(`${name} must be a positive integer (seconds), got ${String(value)}`);
  }
  return value;
}

/** A path such as `/auth` or `/bff/auth`: a leading slash, no trailing one, no query. */
export function isBffAuthPath(value: string): boolean {
  return /^(\/[^/?#\s]+)+$/.test(value);
}

interface ClientAuthentication {
  method: ProviderProfile['tokenEndpointAuthMethod'];
  secret: string;
  jwks: { keys: JWK[] } | undefined;
  /** the client's token requests must carry a DPoP proof (RFC 9449, 5.2: dpop_bound_access_tokens) */
  dpopBound: boolean;
}

function clientsFor(urls: string[], authPath: string, clientId: string, auth: ClientAuthentication): ClientMetadata[] {
  const bases = urls.map((url) => url.replace(/\/+$/, ''));
  const [first] = bases;
  if (first === undefined) throw new TypeError('bffPublicUrl must name at least one URL');
  if (!isBffAuthPath(authPath)) throw new TypeError(`bffAuthPath must be a path such as /auth, got "${authPath}"`);
  const common: ClientMetadata = {
    client_id: clientId,
    redirect_uris: bases.map((base) => `${base}${authPath}/callback`),
    post_logout_redirect_uris: bases.map((base) => `${base}/`),
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    backchannel_logout_uri: `${first}${authPath}/backchannel-logout`,
    backchannel_logout_session_required: true,
  };
  // a DPoP profile accepts no token request without a proof (RFC 9449, 5.2: dpop_bound_access_tokens)
  if (auth.dpopBound) common.dpop_bound_access_tokens = true;
  const credentials: Partial<ClientMetadata> =
    auth.method === 'private_key_jwt'
      ? auth.jwks !== undefined
        ? { jwks: auth.jwks }
        : { jwks_uri: `${first}${authPath}/jwks.json` }
      : { client_secret: auth.secret };
  return [
    { ...common, ...credentials, token_endpoint_auth_method: auth.method },
    { ...common, client_id: `${clientId}-public`, token_endpoint_auth_method: 'none' },
  ];
}

async function signingKey(): Promise<JWK> {
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const jwk = await exportJWK(privateKey);
  return { ...jwk, alg: 'RS256', use: 'sig', kid: `dev-${Date.now().toString(36)}` } as JWK;
}

export async function startIdp(options: IdpOptions): Promise<RunningIdp> {
  const profile = PROFILES[options.profile ?? DEFAULT_PROFILE];
  if (profile === undefined) throw new TypeError(`profile must be one of ${Object.keys(PROFILES).join(', ')}`);
  const accessTokenTtl = positiveInteger(options.accessTokenTtl, 'accessTokenTtl') ?? profile.accessTokenTtl;
  const refreshTokenTtl = positiveInteger(options.refreshTokenTtl, 'refreshTokenTtl') ?? profile.refreshTokenTtl;
  const tokenEndpointAuthMethod = options.tokenEndpointAuthMethod ?? profile.tokenEndpointAuthMethod;
  const effective: ProviderProfile = Object.freeze({ ...profile, accessTokenTtl, refreshTokenTtl, tokenEndpointAuthMethod });
  const clientId = options.clientId ?? 'bff-demo';
  const clientSecret = options.clientSecret ?? 'bff-demo-secret';
  const log = options.logger ?? (() => {});
  const withDevEndpoints = options.devEndpoints ?? process.env['NODE_ENV'] !== 'production';
  const urls = Array.isArray(options.bffPublicUrl) ? options.bffPublicUrl : [options.bffPublicUrl];
  const apiAudiences = typeof options.apiAudience === 'string' ? [options.apiAudience] : [...options.apiAudience];
  if (apiAudiences.length === 0 || apiAudiences.some((audience) => typeof audience !== 'string' || audience === ''))
    throw new TypeError("apiAudience must be the API's resource identifier (a URL), or a list of them");

  const store = new MemoryStore();
  const counter = new GrantCounter();
  const clientAuthCounter = new ClientAuthCounter();
  // answers until the provider is ready (the issuer needs the port first)
  let handler: RequestListener = (_req, res) => {
    res.writeHead(503).end();
  };
  const listener = new Listener((req, res) => handler(req, res), options.host ?? '127.0.0.1', options.port ?? 4000);
  const port = await listener.start();
  const issuer = (options.issuer ?? `http://localhost:${port}`).replace(/\/+$/, '');

  try {
    const provider = new Provider(
      issuer,
      providerConfiguration({
        profile: effective,
        accessTokenTtl,
        refreshTokenTtl,
        clients: clientsFor(urls, options.bffAuthPath ?? '/auth', clientId, {
          method: tokenEndpointAuthMethod,
          secret: clientSecret,
          jwks: options.clientJwks,
          dpopBound: effective.dpop !== undefined,
        }),
        apiAudiences,
        signingKey: await signingKey(),
        store,
      }),
    );
    provider.on('server_error', (_ctx, err) => log(`server error: ${err.stack ?? err.message}`));
    // errors of our own middleware (Koa prints them to stderr unless someone listens)
    // (Koa's 'error' event is missing from @types/oidc-provider's event map)
    (provider as unknown as EventEmitter).on('error', (err: Error) => log(`error: ${err.stack ?? err.message}`));
    provider.on('backchannel.error', (_ctx, err, client) => log(`back-channel logout to ${client.clientId} failed: ${err.message}`));

    const actions = {
      counters: () => counter.snapshot(),
      dpopNonceChallenges: () => counter.nonceChallenges,
      clientAuthCounts: () => clientAuthCounter.snapshot(),
      resetCounters: () => {
        counter.reset();
        clientAuthCounter.reset();
      },
      revokeUser: async (sub: string) => revokeUser(store, sub),
      backchannelLogout: (sub: string) => backchannelLogout(provider, store, sub, log),
    };
    // browsers ask every origin for an icon; an empty answer keeps their consoles free of 404s
    provider.use(async (ctx, next) => {
      if (ctx.path === '/favicon.ico') ctx.status = 204;
      else await next();
    });
    provider.use(clientAuthCounter.middleware());
    provider.use(tokenEndpoint({ provider, store, counter, profile: effective }));
    provider.use(keepOfflineAccess());
    if (effective.endSessionNeedsIdTokenHint) provider.use(requireIdTokenHint());
    // AT Protocol: a pushed request carries a DPoP proof (oidc-provider's default PAR route)
    if (effective.dpop && effective.requirePushedAuthorizationRequests) provider.use(requireDpopAtPar('/request'));
    provider.use(interactions(provider, effective.subjects));
    if (withDevEndpoints) provider.use(devEndpoints(actions));

    const callback = provider.callback() as RequestListener;
    handler = keepOfflineAccessPushed(effective.tokenRequestEncoding === 'json' ? jsonTokenRequests(callback, counter) : callback);

    let closed = false;
    return {
      issuer,
      port,
      profile: effective,
      clientId,
      clientSecret,
      ...actions,
      stop: (stopOptions) => listener.stop(stopOptions),
      start: async () => {
        if (closed) throw new Error('the dev IdP was closed; start a new one');
        await listener.start();
      },
      close: async () => {
        closed = true;
        await listener.stop();
      },
    };
  } catch (err) {
    await listener.stop();
    throw err;
  }
}
