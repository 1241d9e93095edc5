import { test, expect } from '../src/fixtures.js';
import { emulatePageLifecycle } from '../src/pageLifecycle.js';
import { screenshotPath } from '../src/screenshots.js';
import { sessionEnd } from '../src/sessionScreen.js';

const DRAFT = 'Ask the Cheshire Cat which way to go';

// the refresh token lives 8 s, the access token 4 s: an idle person outlives both (the stack of sessionExpired.spec.ts)
test.use({ stackOptions: { accessTokenTtl: 4, refreshTokenTtl: 8 } });

test('a hidden tab shows the prompt as soon as it is visible again, a sleeping one as soon as it wakes, and signing in again in another tab closes it with focus back in place', async ({
  context,
  page,
  signIn,
  completeSignIn,
}) => {
  const hiddenTab = await emulatePageLifecycle(page);
  await signIn(page, 'alice', '/notes');
  const field = page.getByLabel('New note');
  await field.fill(DRAFT);
  await expect(field).toBeFocused();

  // a second tab on the same session, on a machine that will sleep; without BroadcastChannel, so that only its own clock can tell it
  const sleepy = await context.newPage();
  await sleepy.addInitScript(() => Reflect.deleteProperty(window, 'BroadcastChannel'));
  const sleepingTab = await emulatePageLifecycle(sleepy);
  await sleepy.goto('/');
  await expect(sleepy.getByTestId('notes-list')).toBeVisible();

  await hiddenTab.hide();
  await sleepingTab.sleep();
  const end = await sessionEnd(page);
  // past the end, by the BFF's account too (it is the one asked)
  await page.waitForTimeout(end.at - Date.now() + 500);
  await expect(page.getByTestId('relogin-dialog')).toHaveCount(0);
  await expect(sleepy.getByTestId('relogin-dialog')).toHaveCount(0);

  await hiddenTab.show();
  const prompt = page.getByRole('dialog', { name: 'Your session has expired' });
  await expect(prompt).toBeVisible({ timeout: 2_000 });
  await expect(prompt).toBeFocused();
  await expect(page.getByTestId('notes-list')).toHaveCount(0);

  await sleepingTab.wake();
  await expect(sleepy.getByRole('dialog', { name: 'Your session has expired' })).toBeVisible({ timeout: 2_000 });
  await expect(sleepy.getByTestId('signed-in-user')).toHaveCount(0);
  await sleepy.setViewportSize({ width: 390, height: 844 });
  await sleepy.screenshot({ path: screenshotPath('relogin-after-sleep-390') });

  // the person opens a third tab and signs in again there: the first tab's prompt closes, with the draft
  // and the focus where they were. The third tab opens on the prompt, or on the sign-in screen when the
  // first tab's data requests, sent again as it was shown, met the ended refresh token before its prompt
  const third = await context.newPage();
  await third.goto('/');
  await third.getByRole('button', { name: /^Sign in( again)?$/ }).click();
  await completeSignIn(third, 'alice');
  await expect(prompt).toHaveCount(0);
  await expect(page.getByTestId('signed-in-user')).toHaveText('Alice Liddell');
  await expect(page.getByTestId('notes-list')).toBeVisible();
  await expect(field).toHaveValue(DRAFT);
  await expect(field).toBeFocused();
});
