import { test, expect } from '../src/fixtures.js';

/** Access and ID tokens are JWTs; refresh tokens never reach the browser in any form. */
const JWT = /eyJ[\w-]{5,}\.eyJ[\w-]{5,}\.[\w-]{10,}/;
const TOKEN_FIELDS = /"(access_token|refresh_token|id_token|accessToken|refreshToken|idToken)"/;

test('alice signs in, sees her name and notes, adds one, signs out and stays signed out after a reload', async ({ page, signIn }) => {
  // every body the SPA's fetch calls receive from the BFF, read before the page can navigate away
  const bodies: string[] = [];
  await page.route(
    (url) => url.pathname.startsWith('/api/') || url.pathname.startsWith('/auth/'),
    async (route) => {
      if (route.request().resourceType() !== 'fetch') return route.continue();
      const response = await route.fetch();
      bodies.push(await response.text());
      return route.fulfill({ response });
    },
  );

  await signIn(page, 'alice');
  await expect(page.getByTestId('signed-in-user')).toContainText('Alice Liddell');
  await expect(page.getByTestId('notes-list')).toContainText('Welcome');

  await page.getByLabel('New note').fill('Buy tea for the Hatter');
  await page.getByRole('button', { name: 'Add note' }).click();
  await expect(page.getByTestId('notes-list')).toContainText('Buy tea for the Hatter');
  await page.screenshot({ path: 'screenshots/signed-in.png', fullPage: true });

  // nothing a script on the page could read holds a token
  const exposed = await page.evaluate(() => ({
    local: JSON.stringify({ ...localStorage }),
    session: JSON.stringify({ ...sessionStorage }),
    cookie: document.cookie,
    dom: document.documentElement.outerHTML,
  }));
  expect(exposed.cookie).toBe('');
  for (const text of [exposed.local, exposed.session, exposed.dom, ...bodies]) {
    expect(text).not.toMatch(JWT);
    expect(text).not.toMatch(TOKEN_FIELDS);
  }
  expect(bodies.length).toBeGreaterThan(3);

  // sign-out is a top-level navigation to the session's logoutUrl (GET /auth/logout?sid=...), which the BFF answers with a 302 to the IdP
  const navigations: URL[] = [];
  page.on('request', (request) => {
    if (request.isNavigationRequest()) navigations.push(new URL(request.url()));
  });
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByTestId('sign-in-screen')).toBeVisible();
  expect(navigations.some((url) => url.pathname === '/auth/logout' && url.searchParams.has('sid'))).toBe(true);
  // no body the page read carried a token, the /auth/session that gave logoutUrl included
  for (const text of bodies) {
    expect(text).not.toMatch(JWT);
    expect(text).not.toMatch(TOKEN_FIELDS);
  }
  await page.reload();
  await expect(page.getByTestId('sign-in-screen')).toBeVisible();
  await expect(page.getByTestId('signed-in-user')).toHaveCount(0);
});

test('the session cookie is HttpOnly and SameSite, and the page is served with a strict CSP', async ({ page, context, signIn }) => {
  await signIn(page, 'bob');
  const cookie = (await context.cookies()).find((c) => c.name === 'bff.sid');
  expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
  const response = await page.request.get('/');
  expect(response.headers()['content-security-policy']).toContain("script-src 'self'");
  expect(response.headers()['content-security-policy']).toContain("frame-ancestors 'none'");
});
