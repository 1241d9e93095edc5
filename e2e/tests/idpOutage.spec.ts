import type { Page } from '@playwright/test';
import { test, expect, type Stack } from '../src/fixtures.js';
import { screenshotPath } from '../src/screenshots.js';

// These tests sign in on their own: a refresh caught in the outage can cost the session (see the second test).

/** Freezes the IdP and makes the page's next API calls need a refresh it cannot get; "Reconnecting..." shows. */
async function meetTheOutage(page: Page, stack: Stack, expireAccessToken: (page: Page) => Promise<void>): Promise<void> {
  await expect(page.getByText('alice@example.com')).toBeVisible();
  stack.freezeIdp();
  await expireAccessToken(page);
  // a reload asks for /api/me and /api/notes again; both must wait for the IdP
  await page.reload();
  await expect(page.getByTestId('reconnecting')).toHaveText('Reconnecting...');
}

test('while the IdP is down the app shows "Reconnecting..." and keeps the person signed in', async ({
  page,
  signIn,
  stack,
  expireAccessToken,
}) => {
  await signIn(page, 'alice', '/');
  try {
    await meetTheOutage(page, stack, expireAccessToken);
    await expect(page.getByTestId('signed-in-user')).toHaveText('Alice Liddell');
    await expect(page.getByTestId('relogin-dialog')).toHaveCount(0);
    const session = await (await page.request.get('/auth/session')).json();
    expect(session).toMatchObject({ authenticated: true });
    await page.screenshot({ path: screenshotPath('reconnecting') });
  } finally {
    stack.thawIdp();
  }
});

// regression: the refresh that timed out during the outage reached the IdP on thaw and rotated the token;
// the BFF dropped that answer, refreshed again with the old token and lost the session
test('when the IdP is back the app recovers on its own, without signing in again', async ({ page, signIn, stack, expireAccessToken }) => {
  await signIn(page, 'alice', '/');
  await stack.resetCounters();
  try {
    await meetTheOutage(page, stack, expireAccessToken);
  } finally {
    stack.thawIdp();
  }
  const profile = page.getByText('alice@example.com');
  const dialog = page.getByTestId('relogin-dialog');
  await expect(profile.or(dialog)).toBeVisible({ timeout: 20_000 });
  expect(await dialog.count(), 'the re-login prompt is open').toBe(0);
  await expect(page.getByTestId('reconnecting')).toHaveCount(0);
  await expect(profile).toBeVisible();
  await expect(page.getByTestId('notes-list')).toBeVisible();
  expect((await stack.counters()).refresh_token?.refused).toBe(0);
});
