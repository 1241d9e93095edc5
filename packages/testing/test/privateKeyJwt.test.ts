import { generateKeyPairSync, type JsonWebKey } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IdpOptions } from '@bff/dev-idp';
import { resolveOptions, type ResolvedBffOptions } from '@bff/fastify-bff';
import { startStack, tokensOf, type Stack } from '../src/index.js';
import { untilCallback } from './support/untilCallback.js';

type JWK = NonNullable<IdpOptions['clientJwks']>['keys'][number];

/** An ES256 or RS256 key pair as JWKs with a kid: the private one for the BFF, the public one for an IdP. */
function keyPair(kid: string, type: 'ec' | 'rsa' = 'ec'): { privateJwk: JsonWebKey & { kid: string }; publicJwk: JWK } {
  const { privateKey, publicKey } =
    type === 'ec' ? generateKeyPairSync('ec', { namedCurve: 'P-256' }) : generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    privateJwk: { ...privateKey.export({ format: 'jwk' }), kid },
    publicJwk: { ...publicKey.export({ format: 'jwk' }), kid } as JWK,
  };
}

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

describe('private_key_jwt against the default profile, keys fetched from the BFF (jwks_uri)', () => {
  let stack: Stack;
  const current = keyPair('current', 'rsa');
  const next = keyPair('next');
  beforeAll(async () => {
    stack = await startStack({
      idp: { tokenEndpointAuthMethod: 'private_key_jwt' },
      bff: { tokenAuthMethod: 'private_key_jwt', clientSecret: undefined, clientPrivateKey: [current.privateJwk, next.privateJwk] },
    });
  });
  afterAll(async () => stack?.close());

  it('publishes every configured key at /auth/jwks.json, the signing key first, with no private member', async () => {
    const response = await fetch(`${stack.bffUrl}/auth/jwks.json`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/jwk-set\+json/);
    const text = await response.text();
    const { keys } = JSON.parse(text) as { keys: Array<Record<string, unknown>> };
    expect(keys.map((key) => [key.kid, key.kty, key.alg, key.use])).toEqual([
      ['current', 'RSA', 'RS256', 'sig'],
      ['next', 'EC', 'ES256', 'sig'],
    ]);
    for (const key of keys) for (const member of PRIVATE_MEMBERS) expect(key).not.toHaveProperty(member);
    // nor anywhere in the text, under any name
    for (const secret of [current.privateJwk.d, current.privateJwk.p, current.privateJwk.q, next.privateJwk.d]) {
      expect(text).not.toContain(secret);
    }
    expect(keys[0]).toEqual({ kty: 'RSA', n: current.publicJwk.n, e: current.publicJwk.e, kid: 'current', alg: 'RS256', use: 'sig' });
  });

  it('signs in, refreshes and revokes with a client assertion signed by the first key, never a secret', async () => {
    stack.idp.resetCounters();
    const browser = stack.browser();
    await browser.signIn(stack.bffUrl);
    expect((await browser.api(`${stack.bffUrl}/auth/refresh`, { method: 'POST' })).status).toBe(200);
    expect((await browser.api(`${stack.bffUrl}/auth/logout`, { method: 'POST' })).status).toBe(200);
    expect(stack.idp.clientAuthCounts()).toEqual({
      token: { private_key_jwt: { served: 2, refused: 0 } },
      revocation: { private_key_jwt: { served: 1, refused: 0 } },
    });
  });

  it('keeps the grant when the IdP refuses the client at refresh: invalid_client is our configuration, not the grant', async () => {
    const browser = stack.browser();
    await browser.signIn(stack.bffUrl);
    const { refreshToken } = (await tokensOf(stack, browser)).tokens;
    // the same BFF configuration, but signing with a key it never published
    const { options } = stack.app.bff;
    const OidcClient = stack.app.bff.oidc.constructor as new (options: ResolvedBffOptions) => typeof stack.app.bff.oidc;
    const stranger = new OidcClient(
      resolveOptions({
        publicUrl: options.publicUrl,
        issuer: options.issuer,
        clientId: options.clientId,
        apiUpstream: options.apiUpstream,
        sessionSecret: options.sessionSecrets,
        tokenEncryptionKeys: options.tokenEncryptionKeys,
        tokenAuthMethod: 'private_key_jwt',
        clientPrivateKey: keyPair('stranger').privateJwk,
      }),
    );
    stack.idp.resetCounters();
    expect(await stranger.refresh(refreshToken!, { now: Date.now() })).toMatchObject({ type: 'unavailable', code: 'IDP_UNAVAILABLE' });
    expect(stack.idp.clientAuthCounts().token).toEqual({ private_key_jwt: { served: 0, refused: 1 } });
    // the grant is untouched: the BFF's own refresh still works
    expect(await browser.api(`${stack.bffUrl}/auth/refresh`, { method: 'POST' })).toMatchObject({ status: 200, body: { success: true } });
  });
});

describe('a client key the IdP does not know', () => {
  const registered = keyPair('registered');
  const wrong = keyPair('wrong');
  const lines: string[] = [];
  const logStream = { write: (line: string) => void lines.push(line) };

  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({
      logStream,
      // the IdP knows only `registered`; the BFF signs with `wrong` (and publishes `registered` second: not enough)
      idp: { tokenEndpointAuthMethod: 'private_key_jwt', clientJwks: { keys: [registered.publicJwk] } },
      bff: { tokenAuthMethod: 'private_key_jwt', clientSecret: undefined, clientPrivateKey: [wrong.privateJwk, registered.privateJwk] },
    });
  });
  afterAll(async () => stack?.close());

  it('refuses the sign-in with CLIENT_AUTH_FAILED: a page that says the fault is ours, a log line that names the key', async () => {
    lines.length = 0;
    const browser = stack.browser();
    const error = await browser.signIn(stack.bffUrl).catch((err: Error) => err.message);
    // the sign-in stops at the callback, where the code is exchanged with the wrong key
    expect(error).toMatch(/sign-in stopped at .*\/auth\/callback.* with 502/);
    expect(browser.cookies.has('bff.sid')).toBe(false);
    expect(stack.idp.counters().authorization_code).toEqual({ served: 0, refused: 1 });

    // what the person sees, as a page and as JSON
    const page = stack.browser();
    const { landed, body } = await untilCallbackPage(stack, page);
    expect(landed).toBe(502);
    expect(body).toContain('CLIENT_AUTH_FAILED');
    expect(body).toContain('did not accept this application&#39;s credentials');

    // what the operator reads: the code, the client, the method and the key id, the IdP's words; no token
    const logged = lines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => line.code === 'CLIENT_AUTH_FAILED');
    expect(logged.length).toBeGreaterThan(0);
    const text = JSON.stringify(logged[0]);
    expect(logged[0]).toMatchObject({ level: 50 });
    expect(text).toContain('client bff-demo (private_key_jwt, key wrong)');
    expect(text).toContain('invalid_client');
    expect(text).not.toMatch(/eyJ[\w-]+\.eyJ/);
  });

  it('refuses already at login when the request is pushed (PAR authenticates the client too)', async () => {
    const par = await startStack({
      idp: { tokenEndpointAuthMethod: 'private_key_jwt', clientJwks: { keys: [registered.publicJwk] } },
      bff: {
        tokenAuthMethod: 'private_key_jwt',
        clientSecret: undefined,
        clientPrivateKey: wrong.privateJwk,
        pushedAuthorizationRequests: true,
      },
    });
    try {
      const response = await par.browser().api(`${par.bffUrl}/auth/login`);
      expect(response).toMatchObject({ status: 502, body: { code: 'CLIENT_AUTH_FAILED' } });
      expect(par.idp.clientAuthCounts().pushed_authorization_request).toEqual({ private_key_jwt: { served: 0, refused: 1 } });
    } finally {
      await par.close();
    }
  });
});

/** Signs in as far as the callback and loads it as a browser navigation would (Accept: text/html). */
async function untilCallbackPage(stack: Stack, browser: ReturnType<Stack['browser']>): Promise<{ landed: number; body: string }> {
  const { callback } = await untilCallback(stack, browser);
  const response = await browser.fetch(callback, { headers: { accept: 'text/html' } });
  return { landed: response.status, body: await response.text() };
}
