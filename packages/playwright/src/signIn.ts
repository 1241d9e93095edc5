import { expect, type Page } from '@playwright/test';
import { bffRoute, passwordOf, type BffSetup } from './options.js';

/**
 * Fills the IdP's login form as `user`, if it is asked for, and waits until
 * the app shows its signed-in marker. An IdP session from an earlier sign-in
 * in this browser context skips the form.
 */
export async function completeIdpSignIn(page: Page, setup: BffSetup, user: string): Promise<void> {
  const { selectors } = setup;
  const password = passwordOf(setup, user);
  const username = page.locator(selectors.username);
  const signedIn = page.locator(selectors.signedIn);
  await expect(username.or(signedIn).first()).toBeVisible();
  if (await username.isVisible()) {
    // the form must be the IdP's, not a look-alike of the app's own
    await page.waitForURL(setup.idpLoginPage, { waitUntil: 'commit' });
    await username.fill(user);
    await page.locator(selectors.password).fill(password);
    await page.locator(selectors.submit).click();
  }
  await expect(signedIn.first()).toBeVisible();
}

/** Signs `user` in through the real flow: the BFF's login route with `returnTo=path`, the IdP's form, back to the app at `path`. */
export async function signInThroughIdp(page: Page, setup: BffSetup, user: string, path = '/'): Promise<void> {
  await page.goto(`${bffRoute(setup, '/login')}?${new URLSearchParams({ returnTo: path })}`);
  await completeIdpSignIn(page, setup, user);
}
