import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sessionInfoSchema } from '@bff/shared/schemas';
import { startStack, tokensOf, type Stack } from '../src/index.js';

describe('sign-in end to end against the real dev IdP and demo API', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => stack?.close());

  it('signs alice in through the IdP form and returns her to where she started', async () => {
    const browser = stack.browser();
    const { landedOn } = await browser.signIn(stack.bffUrl, 'alice', '/notes?tab=mine');
    expect(landedOn).toBe('/notes?tab=mine');
    expect([...browser.cookies.keys()]).toContain('bff.sid');

    const session = await browser.api(`${stack.bffUrl}/auth/session`);
    expect(session.status).toBe(200);
    expect(sessionInfoSchema.parse(session.body)).toMatchObject({
      authenticated: true,
      user: { sub: 'alice', name: 'Alice Liddell', email: 'alice@example.com' },
    });
    expect(session.headers.get('cache-control')).toBe('no-store');

    const me = await browser.api(`${stack.bffUrl}/api/me`);
    expect(me).toMatchObject({ status: 200, body: { sub: 'alice', name: 'Alice Liddell' } });
  });

  it('proxies notes: list, add with a JSON body, delete', async () => {
    const browser = stack.browser();
    await browser.signIn(stack.bffUrl, 'bob');
    const added = await browser.api(`${stack.bffUrl}/api/notes`, { method: 'POST', body: { text: 'buy milk' } });
    expect(added).toMatchObject({ status: 201, body: { text: 'buy milk' } });
    const list = await browser.api(`${stack.bffUrl}/api/notes`);
    expect(list.body.map((n: { text: string }) => n.text)).toContain('buy milk');
    const removed = await browser.api(`${stack.bffUrl}/api/notes/${added.body.id}`, { method: 'DELETE' });
    expect(removed.status).toBe(204);
  });

  it('gives each sign-in a new session id, even over an existing session cookie', async () => {
    const browser = stack.browser();
    await browser.signIn(stack.bffUrl, 'alice');
    const first = browser.cookies.get('bff.sid');
    await browser.signIn(stack.bffUrl, 'alice');
    const second = browser.cookies.get('bff.sid');
    expect(second).toBeDefined();
    expect(second).not.toBe(first);
    // the old id no longer leads anywhere
    const old = stack.browser();
    old.cookies.set('bff.sid', first!);
    expect((await old.api(`${stack.bffUrl}/api/me`)).body).toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('answers UNAUTHENTICATED without a session, and CSRF_REQUIRED before looking at the session', async () => {
    const browser = stack.browser();
    expect(await browser.api(`${stack.bffUrl}/api/me`)).toMatchObject({ status: 401, body: { code: 'UNAUTHENTICATED' } });
    const noHeader = await fetch(`${stack.bffUrl}/api/me`);
    expect(noHeader.status).toBe(403);
    expect(await noHeader.json()).toMatchObject({ code: 'CSRF_REQUIRED' });
    expect(await browser.api(`${stack.bffUrl}/auth/session`)).toMatchObject({ status: 200, body: { authenticated: false } });
  });

  it('logs out: revokes the refresh token at the IdP, ends the session, returns the end-session URL', async () => {
    const browser = stack.browser();
    await browser.signIn(stack.bffUrl, 'alice');
    const id = browser.cookies.get('bff.sid')!;
    const unsigned = stack.app.parseCookie(`x=${id}`).x!;
    const sessionId = stack.app.bff.sessions.idFromCookie(decodeURIComponent(unsigned))!;
    const stored = await stack.app.bff.store.get(sessionId);
    if (stored?.state !== 'active') throw new Error('no active session stored');
    const { refreshToken } = stack.app.bff.tokens.open(stored);

    const out = await browser.api(`${stack.bffUrl}/auth/logout`, { method: 'POST' });
    expect(out.status).toBe(200);
    expect(out.body.endSessionUrl).toMatch(new RegExp(`^${stack.idp.issuer}/`));
    const endSession = new URL(out.body.endSessionUrl);
    expect(endSession.searchParams.get('post_logout_redirect_uri')).toBe(`${stack.bffUrl}/`);
    expect(endSession.searchParams.get('client_id')).toBe(stack.idp.clientId);
    // the URL goes to the browser: no token in it, not even the ID token as id_token_hint
    expect(endSession.searchParams.has('id_token_hint')).toBe(false);
    expect(JSON.stringify(out.body)).not.toMatch(/eyJ[\w-]+\.eyJ/);
    expect(browser.cookies.has('bff.sid')).toBe(false);
    expect((await browser.api(`${stack.bffUrl}/auth/session`)).body).toMatchObject({ authenticated: false });

    // the IdP now refuses that refresh token
    const refused = await fetch(`${stack.idp.issuer}/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${stack.idp.clientId}:${stack.idp.clientSecret}`).toString('base64')}`,
      },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken! }).toString(),
    });
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ error: 'invalid_grant' });

    // idempotent
    expect(await browser.api(`${stack.bffUrl}/auth/logout`, { method: 'POST' })).toMatchObject({
      status: 200,
      body: { endSessionUrl: null },
    });
  });
});

describe('logout with OIDC_LOGOUT_ID_TOKEN_HINT', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ bff: { logoutIdTokenHint: true } });
  });
  afterAll(async () => stack?.close());

  it('sends id_token_hint only in the 302 of the sign-out navigation, never in a body', async () => {
    const browser = stack.browser();
    await browser.signIn(stack.bffUrl);
    const session = (await browser.api(`${stack.bffUrl}/auth/session`)).body;
    // the POST's body names client_id only, even with the hint on: JavaScript reads bodies
    const tab = stack.browser();
    await tab.signIn(stack.bffUrl);
    const posted = await tab.api(`${stack.bffUrl}/auth/logout`, { method: 'POST' });
    expect(new URL(posted.body.endSessionUrl).searchParams.has('id_token_hint')).toBe(false);

    const navigation = await browser.fetch(session.logoutUrl);
    expect(navigation.status).toBe(302);
    const location = new URL(navigation.headers.get('location')!);
    expect(location.searchParams.get('id_token_hint')).toMatch(/^eyJ/);
    expect(location.searchParams.get('post_logout_redirect_uri')).toBe(`${stack.bffUrl}/`);
    expect((await browser.api(`${stack.bffUrl}/auth/session`)).body).toMatchObject({ authenticated: false });
    // the IdP accepts the hint and signs the user out at once
    expect((await browser.fetch(location)).status).toBe(200);
  });
});

describe('sign-out as a navigation: GET /auth/logout?sid=', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => stack?.close());

  it('ends nothing without the right sid, and everything with it: the session, the refresh token at the IdP', async () => {
    const browser = stack.browser();
    await browser.signIn(stack.bffUrl);
    const { logoutUrl } = (await browser.api(`${stack.bffUrl}/auth/session`)).body;
    expect(logoutUrl).toMatch(new RegExp(`^${stack.bffUrl}/auth/logout\\?sid=.+`));
    const { tokens } = await tokensOf(stack, browser);

    // a link from another site knows no sid: nothing ends
    for (const url of [`${stack.bffUrl}/auth/logout`, `${stack.bffUrl}/auth/logout?sid=guess`]) {
      const refused = await browser.fetch(url);
      expect(refused.status).toBe(400);
      expect(await refused.json()).toMatchObject({ code: 'BAD_REQUEST' });
    }
    expect((await browser.api(`${stack.bffUrl}/auth/session`)).body).toMatchObject({ authenticated: true });

    const out = await browser.fetch(logoutUrl);
    expect(out.status).toBe(302);
    const location = new URL(out.headers.get('location')!);
    expect(location.searchParams.get('client_id')).toBe(stack.idp.clientId);
    expect(location.searchParams.has('id_token_hint')).toBe(false); // not kept unless logoutIdTokenHint
    expect((await browser.api(`${stack.bffUrl}/auth/session`)).body).toMatchObject({ authenticated: false });
    // revoked at the IdP (RFC 7009): the refresh token is refused on its own
    const reuse = await fetch(`${stack.idp.issuer}/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${stack.idp.clientId}:${stack.idp.clientSecret}`).toString('base64')}`,
      },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: tokens.refreshToken! }),
    });
    expect(reuse.status).toBe(400);
    // once more: already signed out, it goes home
    const again = await browser.fetch(logoutUrl);
    expect(again.status).toBe(302);
    expect(again.headers.get('location')).toBe(`${stack.bffUrl}/`);
  });
});

describe('an API that is down', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => stack?.close());

  it('answers 502 UPSTREAM_UNAVAILABLE for that call and keeps the session', async () => {
    const browser = stack.browser();
    await browser.signIn(stack.bffUrl);
    await stack.api.close();
    expect(await browser.api(`${stack.bffUrl}/api/me`)).toMatchObject({ status: 502, body: { code: 'UPSTREAM_UNAVAILABLE' } });
    expect((await browser.api(`${stack.bffUrl}/auth/session`)).body).toMatchObject({ authenticated: true });
  });
});
