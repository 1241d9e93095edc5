import type { SessionInfo } from '@bff/shared';
import { test, expect } from '../src/fixtures.js';
import { completeIdpSignIn } from '../src/signInThroughIdp.js';
import { screenshotPath } from '../src/screenshots.js';

const DRAFT = 'Remind the Dormouse about the treacle well';

// the refresh token lives 8 s, the access token 4 s: an idle person outlives both
test.use({ stackOptions: { accessTokenTtl: 4, refreshTokenTtl: 8 } });

test('after the refresh token runs out the prompt says the session has expired, and signing in again keeps the draft', async ({ page, signIn, stack }) => {
  await signIn(page, 'alice', '/notes');
  await page.getByLabel('New note').fill(DRAFT);
  // the person steps away until the refresh token has expired, and the countdown says so
  await expect
    .poll(async () => {
      const session = (await (await page.request.get('/auth/session')).json()) as SessionInfo;
      return session.authenticated && session.refreshTokenExpiresAt !== undefined && session.refreshTokenExpiresAt <= session.serverTime;
    }, { timeout: 15_000 })
    .toBe(true);
  await expect(page.getByTestId('session-countdown')).toHaveText('Session ends in 0:00');

  await stack.resetCounters();
  await page.getByRole('button', { name: 'Add note' }).click();
  const dialog = page.getByRole('dialog', { name: 'Your session has expired' });
  await expect(dialog).toBeVisible();
  await page.screenshot({ path: screenshotPath('relogin-session-expired') });

  await dialog.getByRole('button', { name: 'Sign in again' }).click();
  await completeIdpSignIn(page, 'alice');
  await expect(page).toHaveURL(/\/notes$/);
  await expect(page.getByLabel('New note')).toHaveValue(DRAFT);
  await expect(page.getByTestId('relogin-dialog')).toHaveCount(0);
  expect((await stack.counters()).authorization_code?.served).toBe(1);
});
