import type { Page } from '@playwright/test';
import { test, expect } from '../src/fixtures.js';

/** How long the person keeps working: six lifetimes of a 5-second access token. */
const WORK_MS = 30_000;

test.use({ stackOptions: { accessTokenTtl: 5 } });

test('with a 5-second access token the person works for 30 seconds without one failed call or a re-login prompt', async ({
  signedInPage: page,
  stack,
}) => {
  const failures: string[] = [];
  page.on('response', (response) => {
    const { pathname } = new URL(response.url());
    const ours = pathname.startsWith('/api/') || pathname.startsWith('/auth/');
    if (ours && (response.status() < 200 || response.status() > 299)) {
      failures.push(`${response.request().method()} ${pathname} -> ${response.status()}`);
    }
  });
  const nav = page.getByRole('navigation', { name: 'Main' });
  const notes = page.getByTestId('notes-list');
  await stack.resetCounters();

  const until = Date.now() + WORK_MS;
  for (let round = 1; Date.now() < until; round += 1) {
    const text = `Round ${round}: ${new Date().toISOString()}`;
    await nav.getByRole('link', { name: 'Notes' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Notes' })).toBeVisible();
    await addNote(page, text);
    await page.getByRole('button', { name: `Delete note: ${text}` }).click();
    await expect(notes).not.toContainText(text);

    await nav.getByRole('link', { name: 'Overview' }).click();
    await expect(page.getByText('alice@example.com')).toBeVisible();
    // a reload asks for everything again: /auth/session, /api/me, /api/notes
    if (round % 2 === 0) await page.reload();
    await expect(page.getByText('alice@example.com')).toBeVisible();
    await expect(notes).toBeVisible();
    await expect(page.getByTestId('relogin-dialog')).toHaveCount(0);
    await page.waitForTimeout(2_000);
  }

  expect(failures).toEqual([]);
  const counters = await stack.counters();
  console.log(`refresh grants in ${WORK_MS / 1000} s: ${JSON.stringify(counters.refresh_token)}`);
  expect(counters.refresh_token?.served).toBeGreaterThan(0);
  expect(counters.refresh_token?.refused).toBe(0);
  // nobody signed in again behind the scenes
  expect(counters.authorization_code?.served).toBe(0);
});

async function addNote(page: Page, text: string): Promise<void> {
  await page.getByLabel('New note').fill(text);
  await page.getByRole('button', { name: 'Add note' }).click();
  await expect(page.getByTestId('notes-list')).toContainText(text);
  await expect(page.getByLabel('New note')).toHaveValue('');
}
