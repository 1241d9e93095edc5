import Fastify from 'fastify';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { USERS, type ProfileName } from '@bff/dev-idp';
import { startStack, tokensOf, type Stack } from '../src/index.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('transparent refresh against the real dev IdP', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ accessTokenTtl: 2 });
  });
  afterAll(async () => stack?.close());
  afterEach(() => stack.idp.resetCounters());

  it('serves 50 concurrent requests after the access token expired with exactly one refresh grant', async () => {
    const browser = stack.browser();
    await browser.signIn(stack.bffUrl);
    const before = (await tokensOf(stack, browser)).tokens.accessToken;
    stack.idp.resetCounters();
    await sleep(2_100); // the access token is really expired now, at the IdP and the API too
    // the new token lives only 2 s; keep the BFF's clock still for the burst so a slow machine cannot expire it mid-burst
    stack.freeze();
    const results = await Promise.all(Array.from({ length: 50 }, () => browser.api(`${stack.bffUrl}/api/me`)));
    expect(results.map((r) => r.status)).toEqual(Array(50).fill(200));
    expect(stack.idp.counters().refresh_token).toEqual({ served: 1, refused: 0 });
    expect((await tokensOf(stack, browser)).tokens.accessToken).not.toBe(before);
    stack.unfreeze();
  });

  it('survives 10 rotations in a row without ever reusing a refresh token', async () => {
    const browser = stack.browser();
    await browser.signIn(stack.bffUrl);
    const seen = new Set<string>();
    for (let i = 0; i < 10; i += 1) {
      seen.add((await tokensOf(stack, browser)).tokens.refreshToken!);
      const refreshed = await browser.api(`${stack.bffUrl}/auth/refresh`, { method: 'POST' });
      expect(refreshed).toMatchObject({ status: 200, body: { success: true, session: { sub: 'alice', name: 'Alice Liddell' } } });
    }
    expect(seen.size).toBe(10);
    expect(stack.idp.counters().refresh_token).toEqual({ served: 10, refused: 0 });
    expect((await browser.api(`${stack.bffUrl}/api/me`)).status).toBe(200);
  });

  it('keeps the session through an IdP outage and recovers without a new sign-in', async () => {
    const browser = stack.browser();
    await browser.signIn(stack.bffUrl);
    await stack.idp.stop();
    try {
      stack.advance(5_000); // the BFF now sees the access token inside its skew
      const during = await browser.api(`${stack.bffUrl}/api/me`);
      expect(during).toMatchObject({ status: 503, body: { code: 'IDP_UNAVAILABLE' } });
      const session = await browser.api(`${stack.bffUrl}/auth/session`);
      expect(session.body).toMatchObject({ authenticated: true });
    } finally {
      await stack.idp.start();
    }
    stack.advance(2_500); // past the failure cooldown
    expect(await browser.api(`${stack.bffUrl}/api/me`)).toMatchObject({ status: 200, body: { sub: 'alice' } });
    expect(stack.idp.counters().refresh_token).toEqual({ served: 1, refused: 0 });
  });

  it('ends the session with TOKEN_REVOKED when the grant was revoked at the IdP', async () => {
    const browser = stack.browser();
    await browser.signIn(stack.bffUrl, 'bob');
    expect(await stack.idp.revokeUser('bob')).toBeGreaterThan(0);
    stack.advance(5_000);
    expect(await browser.api(`${stack.bffUrl}/api/me`)).toMatchObject({ status: 401, body: { code: 'TOKEN_REVOKED' } });
    expect(browser.cookies.has('bff.sid')).toBe(false);
  });

  it('remembers why a session ended for the next request of another tab', async () => {
    const tabA = stack.browser();
    await tabA.signIn(stack.bffUrl, 'bob');
    const tabB = stack.browser();
    tabB.cookies.set('bff.sid', tabA.cookies.get('bff.sid')!);
    await stack.idp.revokeUser('bob');
    stack.advance(5_000);
    await tabA.api(`${stack.bffUrl}/api/me`);
    expect((await tabB.api(`${stack.bffUrl}/auth/session`)).body).toMatchObject({ authenticated: false, reason: 'TOKEN_REVOKED' });
  });
});

describe('refresh token expiry', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ accessTokenTtl: 1, refreshTokenTtl: 2 });
  });
  afterAll(async () => stack?.close());

  it('answers EXPIRED_TOKEN once the refresh token has expired', async () => {
    const browser = stack.browser();
    await browser.signIn(stack.bffUrl);
    const info = await browser.api(`${stack.bffUrl}/auth/session`);
    expect(Date.parse(info.body.refreshTokenExpiresAt) - Date.now()).toBeLessThanOrEqual(2_000);
    expect(info.body.sessionExpiresAt).toBe(info.body.refreshTokenExpiresAt);
    expect(info.body.sessionEndsBy).toBe('refresh_token');
    await sleep(2_200);
    expect(await browser.api(`${stack.bffUrl}/api/me`)).toMatchObject({ status: 401, body: { code: 'EXPIRED_TOKEN' } });
    expect((await browser.api(`${stack.bffUrl}/auth/session`)).body).toMatchObject({ authenticated: false });
  });
});

describe('an upstream that answers 401', () => {
  let stack: Stack;
  let mode: 'once' | 'always' = 'once';
  let hits: Array<{ auth: string | undefined; body: unknown; cookie: string | undefined }> = [];
  const upstream = Fastify();
  upstream.all('/*', async (request, reply) => {
    hits.push({ auth: request.headers.authorization, body: request.body, cookie: request.headers.cookie });
    if (mode === 'always' || hits.length === 1)
      return reply.code(401).header('www-authenticate', 'Bearer error="invalid_token"').send({ error: 'invalid_token' });
    return { echoed: request.body };
  });

  beforeAll(async () => {
    await upstream.listen({ port: 0, host: '127.0.0.1' });
    const address = upstream.server.address();
    stack = await startStack({ upstream: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}` });
  });
  afterAll(async () => {
    await stack?.close();
    await upstream.close();
  });

  it('refreshes once and replays once with the POST body intact', async () => {
    const browser = stack.browser();
    await browser.signIn(stack.bffUrl);
    hits = [];
    mode = 'once';
    stack.idp.resetCounters();
    const response = await browser.api(`${stack.bffUrl}/api/things`, { method: 'POST', body: { text: 'intact ✓', n: 42 } });
    expect(response).toMatchObject({ status: 200, body: { echoed: { text: 'intact ✓', n: 42 } } });
    expect(hits).toHaveLength(2);
    expect(hits[0]!.auth).not.toBe(hits[1]!.auth);
    expect(hits.every((h) => h.cookie === undefined)).toBe(true);
    expect(stack.idp.counters().refresh_token).toEqual({ served: 1, refused: 0 });
  });

  it('passes a persistent 401 to the client after one replay, without looping', async () => {
    const browser = stack.browser();
    await browser.signIn(stack.bffUrl);
    hits = [];
    mode = 'always';
    stack.idp.resetCounters();
    const response = await browser.api(`${stack.bffUrl}/api/things`);
    expect(response.status).toBe(401);
    expect(hits).toHaveLength(2);
    expect(stack.idp.counters().refresh_token).toEqual({ served: 1, refused: 0 });
    // the session itself is fine
    expect((await browser.api(`${stack.bffUrl}/auth/session`)).body).toMatchObject({ authenticated: true });
  });
});

describe.each<[ProfileName, string]>([
  ['seed-000', 'form body, PAR, private_key_jwt, DID subjects, rotating'],
  ['seed-001', 'JSON body with the client credentials in it, single-use refresh tokens'],
  ['seed-002', 'form body, a new refresh token every time'],
  ['seed-003', 'client_secret_post, no refresh token in refresh responses'],
])('the whole flow under %s (%s)', (profile) => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ profile });
  });
  afterAll(async () => stack?.close());

  it('signs in, refreshes twice, calls the API, and stores no plaintext token', async () => {
    const browser = stack.browser();
    await browser.signIn(stack.bffUrl);
    const first = await tokensOf(stack, browser);
    for (let i = 0; i < 2; i += 1) {
      expect((await browser.api(`${stack.bffUrl}/auth/refresh`, { method: 'POST' })).status).toBe(200);
    }
    const after = await tokensOf(stack, browser);
    if (profile === 'seed-003') expect(after.tokens.refreshToken).toBe(first.tokens.refreshToken);
    else expect(after.tokens.refreshToken).not.toBe(first.tokens.refreshToken);
    expect(after.tokens.accessToken).not.toBe(first.tokens.accessToken);
    // seed 000 names people by DID
    const sub = profile === 'seed-000' ? USERS.find((user) => user.sub === 'alice')!.did : 'alice';
    expect(await browser.api(`${stack.bffUrl}/api/me`)).toMatchObject({ status: 200, body: { sub } });
    expect(stack.idp.counters().refresh_token).toEqual({ served: 2, refused: 0 });

    const dump = JSON.stringify(after.session);
    expect(after.tokens.idToken).toBeUndefined(); // not stored unless logout's id_token_hint is wanted
    for (const token of [after.tokens.accessToken, after.tokens.refreshToken, first.tokens.refreshToken]) {
      expect(token).toBeTruthy();
      expect(dump).not.toContain(token);
    }
  });
});

describe('a public client (token_endpoint_auth_method none)', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ publicClient: true });
  });
  afterAll(async () => stack?.close());

  it('signs in and refreshes without a client secret', async () => {
    const browser = stack.browser();
    await browser.signIn(stack.bffUrl);
    expect((await browser.api(`${stack.bffUrl}/auth/refresh`, { method: 'POST' })).status).toBe(200);
    expect((await browser.api(`${stack.bffUrl}/api/me`)).status).toBe(200);
  });
});

describe("a refresh that outlives the BFF's IdP timeout (regression: it cost the user the session)", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ slowableIdp: true, bff: { idpTimeoutSeconds: 1 } });
  });
  afterAll(async () => stack?.close());

  it('answers IDP_UNAVAILABLE meanwhile, keeps the late tokens, and never sends the rotated refresh token again', async () => {
    const browser = stack.browser();
    await browser.signIn(stack.bffUrl);
    stack.idp.resetCounters();
    stack.advance(15 * 60_000);
    stack.delayIdp(2_500); // the IdP gets the grant after the BFF stopped waiting, and rotates
    expect(await browser.api(`${stack.bffUrl}/api/me`)).toMatchObject({ status: 503, body: { code: 'IDP_UNAVAILABLE' } });
    // more requests while the grant is still on its way: no second grant with the old token
    expect(await browser.api(`${stack.bffUrl}/api/me`)).toMatchObject({ status: 503, body: { code: 'IDP_UNAVAILABLE' } });
    stack.delayIdp(0);
    await sleep(2_500);
    expect(await browser.api(`${stack.bffUrl}/api/me`)).toMatchObject({ status: 200, body: { sub: 'alice' } });
    expect(stack.idp.counters().refresh_token).toEqual({ served: 1, refused: 0 });
    stack.advance(-15 * 60_000);
  });
});
