import type { Locator, Page } from '@playwright/test';
import { test, expect } from '../src/fixtures.js';
import { sessionEnd } from '../src/sessionScreen.js';

const DRAFT = 'Ask the Caterpillar who I am';

// the refresh token lives 8 s, the access token 4 s: the end comes within seconds of the last click
test.use({ stackOptions: { accessTokenTtl: 4, refreshTokenTtl: 8 } });

/** Presses Tab (Shift+Tab with `backwards`) until `target` has the focus. */
async function tabTo(page: Page, target: Locator, { backwards = false, max = 25 } = {}): Promise<void> {
  for (let presses = 0; presses < max; presses += 1) {
    if (await target.evaluate((element) => element === document.activeElement)) return;
    await page.keyboard.press(backwards ? 'Shift+Tab' : 'Tab');
  }
  await expect(target, `reached with ${max} presses of ${backwards ? 'Shift+Tab' : 'Tab'}`).toBeFocused();
}

test('the whole flow works by keyboard alone: sign in, write, stay signed in, meet the end, sign in again, send the note', async ({
  page,
}) => {
  const { keyboard } = page;
  await page.goto('/notes');
  await tabTo(page, page.getByRole('button', { name: 'Sign in' }));
  await keyboard.press('Enter');

  // the IdP's form opens with the focus in its first field
  await expect(page.getByLabel('Username')).toBeFocused();
  await keyboard.type('alice');
  await keyboard.press('Tab');
  await keyboard.type('alice-password');
  await keyboard.press('Enter');
  await expect(page.getByTestId('signed-in-user')).toHaveText('Alice Liddell');
  await expect(page).toHaveURL(/\/notes$/);

  await tabTo(page, page.getByLabel('New note'));
  await keyboard.type(DRAFT);

  // the warning is up (8 s is inside its 2 minutes): back to "Stay signed in"
  const warning = page.getByTestId('session-warning');
  const staySignedIn = warning.getByRole('button', { name: 'Stay signed in' });
  await tabTo(page, staySignedIn, { backwards: true });
  const before = await sessionEnd(page);
  await keyboard.press('Enter');
  await expect.poll(async () => (await sessionEnd(page)).at).toBeGreaterThan(before.at);

  // the end: the dialog takes the focus; Escape does not close it, Tab stays inside it
  const dialog = page.getByRole('dialog', { name: 'Your session has expired' });
  await expect(dialog).toBeVisible({ timeout: 15_000 });
  await expect(dialog).toBeFocused();
  await keyboard.press('Escape');
  await keyboard.press('Escape');
  await expect(dialog).toBeVisible();
  const signInAgain = dialog.getByRole('button', { name: 'Sign in again' });
  await keyboard.press('Tab');
  await expect(signInAgain).toBeFocused();
  await keyboard.press('Tab');
  await expect(signInAgain).toBeFocused();
  await keyboard.press('Shift+Tab');
  await expect(signInAgain).toBeFocused();
  await keyboard.press('Enter');

  // the IdP still knows alice and sends her straight back, to /notes with the draft
  await expect(page.getByTestId('signed-in-user')).toHaveText('Alice Liddell');
  await expect(page).toHaveURL(/\/notes$/);
  const field = page.getByLabel('New note');
  await expect(field).toHaveValue(DRAFT);
  await tabTo(page, page.getByRole('button', { name: 'Add note' }));
  await keyboard.press('Enter');
  await expect(page.getByTestId('notes-list')).toContainText(DRAFT);
  await expect(field).toHaveValue('');
});
