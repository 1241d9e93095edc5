import { test, expect } from '../src/fixtures.js';
import { screenshotPath } from '../src/screenshots.js';

// the session's end shown is the refresh token's: 8 s, well inside the 2-minute warning (the stack
// of the other session-end tests; these sessions are too short for signedInPage's stored ones)
test.use({ stackOptions: { accessTokenTtl: 4, refreshTokenTtl: 8 } });

/** Seconds left in "0:17". */
function secondsLeft(text: string | null): number {
  const match = /^(\d+):(\d\d)$/.exec(text?.trim() ?? '');
  if (match === null) throw new Error(`no countdown in ${JSON.stringify(text)}`);
  return Number(match[1]) * 60 + Number(match[2]);
}

test('the warning shows before the session ends and "Stay signed in" moves the countdown forward', async ({ page, signIn }) => {
  await signIn(page, 'alice', '/');
  const warning = page.getByTestId('session-warning');
  const time = warning.locator('.time');
  await expect(warning).toBeVisible();
  await expect(warning).toHaveRole('region');
  await expect(warning.getByRole('paragraph')).toHaveText(/^Your session ends in 0:\d\d unless you stay signed in\.$/);
  // the time is on screen once: the header's countdown steps aside
  await expect(page.getByTestId('session-countdown')).toHaveCount(0);
  await expect(page.getByTestId('session-announcer')).toHaveText('Your session ends within a minute unless you stay signed in.');
  await page.screenshot({ path: screenshotPath('session-warning') });

  // let a few seconds run off, so that "forward" means something
  await expect.poll(async () => secondsLeft(await time.textContent())).toBeLessThanOrEqual(5);
  const before = secondsLeft(await time.textContent());

  await warning.getByRole('button', { name: 'Stay signed in' }).click();
  await expect.poll(async () => secondsLeft(await time.textContent())).toBeGreaterThanOrEqual(before + 2);
  await expect(page.getByTestId('relogin-dialog')).toHaveCount(0);
});

test('"Dismiss" hides the warning and puts the countdown back in the header', async ({ page, signIn }) => {
  await signIn(page, 'alice', '/');
  const warning = page.getByTestId('session-warning');
  await warning.getByRole('button', { name: 'Dismiss' }).click();
  await expect(warning).toHaveCount(0);
  await expect(page.getByTestId('session-countdown')).toContainText('Session ends in');
  // dismissed: the live region falls silent
  await expect(page.getByTestId('session-announcer')).toHaveText('');
});
