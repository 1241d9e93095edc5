import { test, expect } from '@bff/playwright';

// The app's URL is Playwright's baseURL. The rest describes its IdP (here the
// dev IdP; a Keycloak login page has #username, #password and #kc-login) and
// what the app shows once signed in.
test.use({
  idpLoginPage: '**/interaction/**',
  users: { alice: 'alice-password', bob: 'bob-password' },
  selectors: { username: '#username', password: '#password', submit: 'button[type="submit"]', signedIn: '.user-name' },
});

test('the header names the signed-in user', async ({ signedInPage: page }) => {
  await expect(page.locator('.user-name')).toHaveText('Alice Liddell');
  await expect(page.getByText('alice@example.com')).toBeVisible();
});

test('an expired access token is refreshed on the next API call', async ({ signedInPage: page, expireAccessToken }) => {
  await expireAccessToken(page);
  await page.reload();
  await expect(page.getByText('alice@example.com')).toBeVisible();
});

test('"Stay signed in" renews the session', async ({ signedInPage: page }) => {
  await page.getByRole('button', { name: 'Stay signed in' }).click();
  await expect(page.getByText('Renewed')).toBeVisible();
});

test('an ended session asks to sign in again', async ({ page, signIn, expireSession }) => {
  await signIn(page, 'bob');
  await expireSession(page);
  await page.reload();
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
});

test('signing out comes back signed out', async ({ page, signIn }) => {
  await signIn(page, 'bob');
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
});
