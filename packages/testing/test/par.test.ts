import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../src/index.js';
import { untilCallback } from './support/untilCallback.js';

describe('pushed authorization requests (OIDC_PAR=1) against the default profile', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ bff: { pushedAuthorizationRequests: true } });
  });
  afterAll(async () => stack?.close());

  it('pushes the request and sends the browser with client_id and request_uri only, then signs in', async () => {
    stack.idp.resetCounters();
    const browser = stack.browser();
    const login = await browser.fetch(`${stack.bffUrl}/auth/login?returnTo=/notes`);
    const authorize = new URL(login.headers.get('location')!);
    expect([...authorize.searchParams.keys()].sort()).toEqual(['client_id', 'request_uri']);
    // nothing of the request travels through the browser: no state, nonce, challenge or redirect_uri
    expect(authorize.search).not.toMatch(/state|nonce|code_challenge|redirect_uri|scope/);

    const { landedOn } = await browser.signIn(stack.bffUrl, 'alice', '/notes');
    expect(landedOn).toBe('/notes');
    expect((await browser.api(`${stack.bffUrl}/auth/session`)).body).toMatchObject({ authenticated: true, user: { sub: 'alice' } });
    // seen at the IdP: two pushed requests (the one above and the sign-in's), each with the client's secret
    expect(stack.idp.clientAuthCounts().pushed_authorization_request).toEqual({ client_secret_basic: { served: 2, refused: 0 } });
  });

  it('still checks state, nonce and PKCE at the callback', async () => {
    const forged = stack.browser();
    const { callback } = await untilCallback(stack, forged);
    callback.searchParams.set('state', 'forged');
    expect(await forged.api(callback.href)).toMatchObject({ status: 400, body: { code: 'BAD_REQUEST' } });

    const otherNonce = stack.browser();
    const { callback: second, loginCookie } = await untilCallback(stack, otherNonce);
    const transaction = stack.app.bff.cipher.open<Record<string, unknown>>(decodeURIComponent(loginCookie));
    otherNonce.cookies.set('bff.login', encodeURIComponent(stack.app.bff.cipher.seal({ ...transaction, nonce: 'another-nonce' })));
    expect((await otherNonce.fetch(second)).status).toBe(400);

    const otherVerifier = stack.browser();
    const { callback: third, loginCookie: cookie } = await untilCallback(stack, otherVerifier);
    const sealed = stack.app.bff.cipher.open<Record<string, unknown>>(decodeURIComponent(cookie));
    const verifier = 'x'.repeat(43);
    otherVerifier.cookies.set('bff.login', encodeURIComponent(stack.app.bff.cipher.seal({ ...sealed, codeVerifier: verifier })));
    expect((await otherVerifier.fetch(third)).status).toBe(400);
    for (const browser of [forged, otherNonce, otherVerifier]) expect(browser.cookies.has('bff.sid')).toBe(false);
  });

  it('answers 503 IDP_UNAVAILABLE, in the words of sign-in, when the PAR endpoint cannot be reached', async () => {
    await stack.app.bff.oidc.configuration(); // discovered while the IdP was up
    await stack.idp.stop();
    try {
      const response = await stack.browser().api(`${stack.bffUrl}/auth/login`);
      expect(response).toMatchObject({
        status: 503,
        body: { code: 'IDP_UNAVAILABLE', error: 'The sign-in service is not reachable right now. Please try again in a moment.' },
      });
    } finally {
      await stack.idp.start();
    }
  });
});
