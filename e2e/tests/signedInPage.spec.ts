import { test, expect } from '../src/fixtures.js';
import { screenshotPath } from '../src/screenshots.js';

test('signedInPage opens the overview signed in as alice, with her profile and notes', async ({ signedInPage: page }) => {
  await expect(page.getByTestId('signed-in-user')).toHaveText('Alice Liddell');
  await expect(page.getByText('alice@example.com')).toBeVisible();
  await expect(page.getByTestId('notes-list')).toBeVisible();
  await expect(page.getByTestId('session-countdown')).toContainText(/^Session ends in \d+:\d\d$/);
  await page.screenshot({ path: screenshotPath('signed-in-overview') });
});

test('signedInPage reuses the stored session: the IdP signs nobody in again', async ({ signedInPage: page, stack }) => {
  await stack.resetCounters();
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Notes' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Notes' })).toBeVisible();
  await page.reload();
  await expect(page.getByTestId('signed-in-user')).toHaveText('Alice Liddell');
  expect((await stack.counters()).authorization_code?.served).toBe(0);
});

test('expireAccessToken makes the next API call refresh at the IdP, and the stored session keeps working', async ({
  signedInPage: page,
  stack,
  expireAccessToken,
}) => {
  await stack.resetCounters();
  await expireAccessToken(page);
  await page.reload();
  await expect(page.getByText('alice@example.com')).toBeVisible();
  expect((await stack.counters()).refresh_token).toEqual({ served: 1, refused: 0 });
});

test.describe('as bob', () => {
  test.use({ user: 'bob' });

  test('signedInPage signs in the user the test asks for', async ({ signedInPage: page }) => {
    await expect(page.getByTestId('signed-in-user')).toHaveText('Bob Builder');
    await expect(page.getByText('bob@example.com')).toBeVisible();
  });
});
