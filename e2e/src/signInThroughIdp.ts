import { expect, type Page } from '@playwright/test';

/** The dev IdP's demo users; each one's password is `<name>-password`. */
export type DemoUser = 'alice' | 'bob';

/** Fills the dev IdP's login form, if it is asked for, and waits until the app shows a signed-in user. */
export async function completeIdpSignIn(page: Page, user: DemoUser): Promise<void> {
  const username = page.getByLabel('Username');
  const signedIn = page.getByTestId('signed-in-user');
  // an IdP session from an earlier sign-in in this browser context skips the form
  await expect(username.or(signedIn)).toBeVisible();
  if (await username.isVisible()) {
    await username.fill(user);
    await page.getByLabel('Password').fill(`${user}-password`);
    await page.getByRole('button', { name: 'Sign in' }).click();
  }
  await expect(signedIn).toBeVisible();
}

/** Signs `user` in through the real flow: the app's sign-in screen at `path`, the IdP's form, back to the app. */
export async function signInThroughIdp(page: Page, user: DemoUser = 'alice', path = '/'): Promise<void> {
  await page.goto(path);
  await page.getByTestId('sign-in-screen').getByRole('button', { name: 'Sign in' }).click();
  await completeIdpSignIn(page, user);
}
