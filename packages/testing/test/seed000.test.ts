import { calculateJwkThumbprint, decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { USERS } from '@bff/dev-idp';
import { refreshResultSchema, sessionInfoSchema } from '@bff/shared/schemas';
import { startStack, tokensOf, type Stack } from '../src/index.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const alice = USERS.find((user) => user.sub === 'alice')!;

/**
 * Seed 000 is an AT Protocol authorization server: it takes pushed
 * authorization requests only, authenticates the BFF by a signed client
 * assertion (keys fetched from the BFF's /auth/jwks.json), and names people
 * by DID with a handle, and takes token requests (and pushed requests) only
 * with DPoP proofs carrying its nonces.
 */
describe('the seed-000 profile end to end (PAR, DPoP with nonces, private_key_jwt, DID subjects)', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ profile: 'seed-000', accessTokenTtl: 2 });
  });
  afterAll(async () => stack?.close());

  it('pushes the authorization request: the browser carries only client_id and request_uri', async () => {
    const browser = stack.browser();
    const login = await browser.fetch(`${stack.bffUrl}/auth/login?returnTo=/notes`);
    expect(login.status).toBe(302);
    const authorize = new URL(login.headers.get('location')!);
    expect(authorize.origin + authorize.pathname).toBe(`${stack.idp.issuer}/auth`);
    expect([...authorize.searchParams.keys()].sort()).toEqual(['client_id', 'request_uri']);
    expect(authorize.searchParams.get('request_uri')).toMatch(/^urn:ietf:params:oauth:request_uri:/);
  });

  it('refuses an authorization request that was not pushed (the IdP requires PAR)', async () => {
    const response = await fetch(
      `${stack.idp.issuer}/auth?${new URLSearchParams({
        client_id: stack.idp.clientId,
        response_type: 'code',
        scope: 'openid',
        redirect_uri: `${stack.bffUrl}/auth/callback`,
        code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
        code_challenge_method: 'S256',
      }).toString()}`,
      { redirect: 'manual' },
    );
    const location = new URL(response.headers.get('location') ?? `${stack.bffUrl}/`);
    // oidc-provider renders or redirects the error; either way no sign-in starts
    expect(response.status === 400 || location.searchParams.get('error') === 'invalid_request').toBe(true);
  });

  it('signs alice in by DID with her handle, PAR and a client assertion at every endpoint, and answers refresh in seed 000 shape', async () => {
    stack.idp.resetCounters();
    const browser = stack.browser();
    const { landedOn } = await browser.signIn(stack.bffUrl, 'alice', '/notes');
    expect(landedOn).toBe('/notes');

    const session = sessionInfoSchema.parse((await browser.api(`${stack.bffUrl}/auth/session`)).body);
    expect(session).toMatchObject({
      authenticated: true,
      user: { sub: alice.did, did: alice.did, handle: 'alice.test', name: 'Alice Liddell' },
    });
    expect(alice.did).toMatch(/^did:plc:[a-z2-7]{24}$/);
    // the demo API sees the DID as the subject of the access token
    expect(await browser.api(`${stack.bffUrl}/api/me`)).toMatchObject({ status: 200, body: { sub: alice.did } });

    const refreshed = await browser.api(`${stack.bffUrl}/auth/refresh`, { method: 'POST' });
    expect(refreshed.status).toBe(200);
    expect(refreshResultSchema.parse(refreshed.body)).toEqual({
      success: true,
      session: { did: alice.did, handle: 'alice.test', expiresAt: expect.any(String) },
      message: expect.any(String),
    });
    expect(Object.keys(refreshed.body).sort()).toEqual(['message', 'session', 'success']);
    expect(Object.keys(refreshed.body.session).sort()).toEqual(['did', 'expiresAt', 'handle']);

    // the nonce dance: the first push (with its DPoP proof) is answered use_dpop_nonce, the second carries the
    // nonce; the token requests reuse it (one origin), so the code exchange and the refresh pass at once
    expect(stack.idp.clientAuthCounts()).toEqual({
      pushed_authorization_request: { private_key_jwt: { served: 1, refused: 1 } },
      token: { private_key_jwt: { served: 2, refused: 0 } },
    });
    // every token is bound to the session's key, which signed the pushed request too
    const { tokens } = await tokensOf(stack, browser);
    const { d: _private, ...publicKey } = tokens.dpopKey!;
    expect(decodeJwt(tokens.accessToken).cnf).toEqual({ jkt: await calculateJwkThumbprint(publicKey) });
    expect(tokens.tokenType?.toLowerCase()).toBe('dpop');
  });

  it('serves a burst of 50 requests at expiry with exactly one refresh grant', async () => {
    const browser = stack.browser();
    await browser.signIn(stack.bffUrl);
    const before = (await tokensOf(stack, browser)).tokens.refreshToken;
    stack.idp.resetCounters();
    await sleep(2_100); // the access token is really expired, at the IdP and the API too
    // the new token lives only 2 s; keep the BFF's clock still for the burst so a slow machine cannot expire it mid-burst
    stack.freeze();
    try {
      const results = await Promise.all(Array.from({ length: 50 }, () => browser.api(`${stack.bffUrl}/api/me`)));
      expect(results.map((r) => r.status)).toEqual(Array(50).fill(200));
    } finally {
      stack.unfreeze();
    }
    expect(stack.idp.counters().refresh_token).toEqual({ served: 1, refused: 0 });
    expect(stack.idp.clientAuthCounts().token).toEqual({ private_key_jwt: { served: 1, refused: 0 } });
    // rotated: the old refresh token is dead, the new one stored
    expect((await tokensOf(stack, browser)).tokens.refreshToken).not.toBe(before);
  });

  it('revokes the refresh token at logout with a client assertion', async () => {
    const browser = stack.browser();
    await browser.signIn(stack.bffUrl);
    const { refreshToken } = (await tokensOf(stack, browser)).tokens;
    stack.idp.resetCounters();
    const out = await browser.api(`${stack.bffUrl}/auth/logout`, { method: 'POST' });
    expect(out.status).toBe(200);
    expect(stack.idp.clientAuthCounts().revocation).toEqual({ private_key_jwt: { served: 1, refused: 0 } });

    // the IdP refuses that refresh token now (asked with a client assertion too)
    const again = await stack.app.bff.oidc.refresh(refreshToken!, { now: Date.now() });
    expect(again).toMatchObject({ type: 'refused', code: 'TOKEN_REVOKED' });
    expect(stack.idp.counters().refresh_token).toEqual({ served: 0, refused: 1 });
  });
});

describe('seed-000 and a BFF without DPoP', () => {
  it('is refused at the pushed request already, with SIGN_IN_REFUSED naming DPoP', async () => {
    const stack = await startStack({ profile: 'seed-000', bff: { dpop: false } });
    try {
      const login = await stack.browser().api(`${stack.bffUrl}/auth/login`);
      expect(login).toMatchObject({ status: 403, body: { code: 'SIGN_IN_REFUSED', error: expect.stringContaining('DPoP') } });
      // nothing was pushed: the IdP refused the request before reading it
      const pushed = Object.values(stack.idp.clientAuthCounts().pushed_authorization_request ?? {});
      expect(pushed.reduce((sum, counts) => sum + counts.served, 0)).toBe(0);
    } finally {
      await stack.close();
    }
  });
});
