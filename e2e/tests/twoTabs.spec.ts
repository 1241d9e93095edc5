import { test, expect } from '../src/fixtures.js';
import { screenshotPath } from '../src/screenshots.js';

// signing out ends the session: this test signs in on its own
test('signing out in one tab shows the other tab signed out within 2 seconds', async ({ context, page, signIn }) => {
  await signIn(page, 'alice', '/notes');
  const other = await context.newPage();
  await other.goto('/');
  await expect(other.getByTestId('signed-in-user')).toHaveText('Alice Liddell');
  await page.screenshot({ path: screenshotPath('two-tabs-before-sign-out') });

  await page.getByRole('button', { name: 'Sign out' }).click();
  const signedOut = other.getByTestId('sign-in-screen');
  await expect(signedOut).toBeVisible({ timeout: 2_000 });
  await expect(signedOut.getByRole('heading', { level: 1 })).toHaveText('You signed out in another tab');
  await expect(other.getByTestId('signed-in-user')).toHaveCount(0);
  await other.screenshot({ path: screenshotPath('two-tabs-other-tab-signed-out') });

  // the tab that signed out ends on the sign-in screen too, after the IdP's end-session round trip
  await expect(page.getByTestId('sign-in-screen')).toBeVisible();
  await page.screenshot({ path: screenshotPath('signed-out') });
});
