import { test, expect } from '../src/fixtures.js';
import { screenshotPath } from '../src/screenshots.js';
import { recordSessionScreen, sessionEnd } from '../src/sessionScreen.js';

const DRAFT = 'Remind the Dormouse about the treacle well';

// the refresh token lives 8 s, the access token 4 s: an idle person outlives both
test.use({ stackOptions: { accessTokenTtl: 4, refreshTokenTtl: 8 } });

test('a tab left alone shows "Your session has expired" within 2 s of the end, with no click, and signing in again keeps the draft', async ({
  page,
  signIn,
  completeSignIn,
  stack,
}) => {
  await signIn(page, 'alice', '/notes');
  await page.getByLabel('New note').fill(DRAFT);
  await expect(page.getByTestId('notes-list')).toBeVisible();
  const screen = await recordSessionScreen(page);
  // the person steps away: from here the test only watches
  const end = await sessionEnd(page);
  expect(end.by).toBe('refresh_token');

  const dialog = page.getByRole('dialog', { name: 'Your session has expired' });
  await expect(dialog).toBeVisible({ timeout: end.at - Date.now() + 5_000 });
  const { dialogAt, announced } = await screen.read();
  expect(dialogAt! - end.at, 'ms from the end to the dialog').toBeLessThanOrEqual(2_000);
  expect(dialogAt!).toBeGreaterThanOrEqual(end.at - 50);
  // behind it: nobody named as signed in, no notes, no profile
  await expect(page.getByTestId('signed-in-user')).toHaveCount(0);
  await expect(page.getByTestId('session-ended')).toHaveText('Session ended');
  await expect(page.getByTestId('notes-list')).toHaveCount(0);
  await expect(page.getByText('alice@example.com')).toHaveCount(0);
  // the countdown was said once, politely, not every second
  expect(announced).toEqual(['Your session ends within a minute unless you stay signed in.']);
  await page.screenshot({ path: screenshotPath('relogin-session-expired') });

  await stack.resetCounters();
  await dialog.getByRole('button', { name: 'Sign in again' }).click();
  await completeSignIn(page, 'alice');
  await expect(page).toHaveURL(/\/notes$/);
  await expect(page.getByLabel('New note')).toHaveValue(DRAFT);
  await expect(page.getByTestId('relogin-dialog')).toHaveCount(0);
  expect((await stack.counters()).authorization_code?.served).toBe(1);
});
