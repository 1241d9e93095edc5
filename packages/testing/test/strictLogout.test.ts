import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ID_TOKEN_HINT_REQUIRED } from '@bff/dev-idp';
import type { Browser } from '@bff/fastify-bff/testing';
import { startStack, tokensOf, type Stack } from '../src/index.js';

/**
 * Whether the IdP still has a login session for this browser: a new sign-in
 * either comes straight back to the BFF's callback (remembered) or stops at
 * the IdP's password form.
 */
async function idpRemembers(stack: Stack, browser: Browser): Promise<boolean> {
  let url = new URL('/auth/login?returnTo=/', stack.bffUrl);
  for (let step = 0; step < 10; step += 1) {
    const response = await browser.fetch(url);
    const location = response.headers.get('location');
    if (response.status >= 300 && response.status < 400 && location) {
      url = new URL(location, url);
      if (url.origin === stack.bffUrl && url.pathname === '/auth/callback') return true;
      continue;
    }
    const html = await response.text();
    if (html.includes('name="password"')) return false;
    throw new Error(`the IdP answered ${response.status} at ${url.href}: ${html.slice(0, 200)}`);
  }
  throw new Error('too many redirects');
}

/** Follows the BFF's sign-out navigation to the IdP; answers the IdP's response to the end-session request. */
async function signOutAtIdp(stack: Stack, browser: Browser): Promise<Response> {
  const { logoutUrl } = (await browser.api(`${stack.bffUrl}/auth/session`)).body;
  const navigation = await browser.fetch(logoutUrl);
  expect(navigation.status).toBe(302);
  const endSession = new URL(navigation.headers.get('location')!);
  expect(endSession.origin).toBe(new URL(stack.idp.issuer).origin);
  return browser.fetch(endSession);
}

/**
 * Against an IdP that refuses RP-initiated logout without id_token_hint (the
 * dev IdP's strict-logout profile; Keycloak 18+ and others behave alike),
 * the BFF's sign-out ends the IdP's own login session only with
 * OIDC_LOGOUT_ID_TOKEN_HINT=1.
 */
describe('logout at an IdP that requires id_token_hint, with OIDC_LOGOUT_ID_TOKEN_HINT=1', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ profile: 'strict-logout', bff: { logoutIdTokenHint: true } });
  });
  afterAll(async () => stack?.close());

  it("ends the BFF session and the IdP's login session: the next sign-in asks for the password", async () => {
    const browser = stack.browser();
    await browser.signIn(stack.bffUrl);
    expect(await idpRemembers(stack, browser)).toBe(true);
    await browser.signIn(stack.bffUrl); // the check above started a sign-in; finish with a session again

    const page = await signOutAtIdp(stack, browser);
    expect(page.status).toBe(200);
    // the dev IdP's page submits its form by script; a test browser submits it by hand
    const html = await page.text();
    const action = /id="op.logoutForm" method="post" action="([^"]+)"/.exec(html)?.[1];
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(html)?.[1];
    expect(action && xsrf).toBeTruthy();
    const done = await browser.fetch(action!, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ xsrf: xsrf!, logout: 'yes' }).toString(),
    });
    expect(done.status).toBe(303);
    expect(done.headers.get('location')).toBe(`${stack.bffUrl}/`);

    expect((await browser.api(`${stack.bffUrl}/auth/session`)).body).toMatchObject({ authenticated: false });
    expect(await idpRemembers(stack, browser)).toBe(false);
  });
});

describe('logout at an IdP that requires id_token_hint, without it (the default)', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ profile: 'strict-logout' });
  });
  afterAll(async () => stack?.close());

  it('ends the BFF session and revokes the refresh token, but the IdP refuses and keeps its login session', async () => {
    const browser = stack.browser();
    await browser.signIn(stack.bffUrl);
    const { tokens } = await tokensOf(stack, browser);

    const refused = await signOutAtIdp(stack, browser);
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain(ID_TOKEN_HINT_REQUIRED.split(':')[0]);

    // what the BFF owns is gone either way
    expect((await browser.api(`${stack.bffUrl}/auth/session`)).body).toMatchObject({ authenticated: false });
    const reuse = await fetch(`${stack.idp.issuer}/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${stack.idp.clientId}:${stack.idp.clientSecret}`).toString('base64')}`,
      },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: tokens.refreshToken! }),
    });
    expect(reuse.status).toBe(400);
    // the IdP's is not: signing in again needs no password
    expect(await idpRemembers(stack, browser)).toBe(true);
  });
});
