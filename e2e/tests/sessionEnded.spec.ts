import { test, expect } from '../src/fixtures.js';
import { screenshotPath } from '../src/screenshots.js';

const DRAFT = 'Ask the Queen who stole the tarts';

// this test ends its session on purpose: it signs in on its own, never with the stored one
test('when the session ends the prompt says so, and signing in again returns to /notes with the unsent note', async ({
  page,
  signIn,
  completeSignIn,
  expireSession,
}) => {
  await signIn(page, 'alice', '/notes');
  await expect(page).toHaveURL(/\/notes$/);
  await page.getByLabel('New note').fill(DRAFT);

  await expireSession(page);
  await page.getByRole('button', { name: 'Add note' }).click();

  const dialog = page.getByRole('dialog', { name: 'Your session has ended' });
  await expect(dialog).toBeVisible();
  await expect(dialog).toHaveAttribute('aria-modal', 'true');
  await page.screenshot({ path: screenshotPath('relogin-session-ended') });

  await dialog.getByRole('button', { name: 'Sign in again' }).click();
  await completeSignIn(page, 'alice');
  await expect(page).toHaveURL(/\/notes$/);
  await expect(page.getByLabel('New note')).toHaveValue(DRAFT);
  await expect(page.getByTestId('notes-list')).not.toContainText(DRAFT);

  // and the new session sends it
  await page.getByRole('button', { name: 'Add note' }).click();
  await expect(page.getByTestId('notes-list')).toContainText(DRAFT);
  await expect(page.getByTestId('relogin-dialog')).toHaveCount(0);
});

test('when the BFF no longer knows the session cookie the prompt says "Please sign in again"', async ({ context, page, signIn }) => {
  await signIn(page, 'alice', '/notes');
  // a cookie the BFF cannot match to a session, as after a restart that lost the memory store
  const [cookie] = await context.cookies(page.url()).then((all) => all.filter((c) => c.name === 'bff.sid'));
  expect(cookie).toBeDefined();
  await context.addCookies([{ ...cookie!, value: `${cookie!.value}x` }]);

  await page.getByLabel('New note').fill('Lost with the server');
  await page.getByRole('button', { name: 'Add note' }).click();
  const dialog = page.getByRole('dialog', { name: 'Please sign in again' });
  await expect(dialog).toBeVisible();
  await page.screenshot({ path: screenshotPath('relogin-please-sign-in-again') });
});
