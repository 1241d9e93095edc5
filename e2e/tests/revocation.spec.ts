import { test, expect } from '../src/fixtures.js';
import { screenshotPath } from '../src/screenshots.js';

// revokeUser and the back-channel logout end every grant and session of alice at the IdP:
// a stack of its own, so that no session another file reuses dies with them
test.use({ stackOptions: { isolate: 'revocation' } });

test('when the grant is revoked at the IdP the prompt says "You were signed out elsewhere"', async ({
  page,
  signIn,
  stack,
  expireAccessToken,
}) => {
  await signIn(page, 'alice', '/notes');
  await page.getByLabel('New note').fill('Written after an administrator revoked my access');

  await stack.revokeUser('alice');
  await stack.resetCounters();
  await expireAccessToken(page);
  await page.getByRole('button', { name: 'Add note' }).click();

  const dialog = page.getByRole('dialog', { name: 'You were signed out elsewhere' });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByRole('button', { name: 'Sign in again' })).toBeVisible();
  await page.screenshot({ path: screenshotPath('relogin-signed-out-elsewhere') });
  // the IdP was asked, and said no
  expect((await stack.counters()).refresh_token).toEqual({ served: 0, refused: 1 });
});

test('when the IdP sends a back-channel logout the prompt says "You were signed out elsewhere"', async ({ page, signIn, stack }) => {
  await signIn(page, 'alice', '/notes');
  const logout = await fetch(`${stack.idpUrl}/__test/backchannel-logout`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ sub: 'alice' }),
  });
  // one logout token per IdP session of alice that signed in to the BFF (the test before left one too)
  const { sent } = (await logout.json()) as { sent: number };
  expect(sent).toBeGreaterThanOrEqual(1);

  // no refresh needed: the BFF ended the session when the logout token arrived
  await stack.resetCounters();
  await page.getByLabel('New note').fill('Written after the IdP signed me out');
  await page.getByRole('button', { name: 'Add note' }).click();
  await expect(page.getByRole('dialog', { name: 'You were signed out elsewhere' })).toBeVisible();
  expect((await stack.counters()).refresh_token).toEqual({ served: 0, refused: 0 });
});
