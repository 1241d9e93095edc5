import type { Browser } from '@bff/fastify-bff/testing';
import type { Stack } from '../../src/index.js';

/** Follows the sign-in up to (not into) the BFF callback; returns the callback URL and the login cookie. */
export async function untilCallback(stack: Stack, browser: Browser, returnTo = '/'): Promise<{ callback: URL; loginCookie: string }> {
  let url = new URL(`/auth/login?returnTo=${encodeURIComponent(returnTo)}`, stack.bffUrl);
  let response = await browser.fetch(url);
  const loginCookie = browser.cookies.get('bff.login')!;
  let submitted = false;
  for (let step = 0; step < 15; step += 1) {
    const location = response.headers.get('location');
    if (location) {
      const next = new URL(location, url);
      if (next.pathname === '/auth/callback') return { callback: next, loginCookie };
      url = next;
      response = await browser.fetch(url);
      continue;
    }
    const action = /<form[^>]*action="([^"]+)"/.exec(await response.text())?.[1];
    if (!action || submitted) throw new Error('no login form');
    submitted = true;
    url = new URL(action.replaceAll('&amp;', '&'), url);
    response = await browser.fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'username=alice&password=alice-password',
    });
  }
  throw new Error('no callback');
}
