import type { Page } from '@playwright/test';
import type { ReauthCode, SessionEndsBy, SessionInfo } from '@bff/shared';
import { expectAccessibleAtEveryWidth } from '../src/accessibility.js';
import { test, expect } from '../src/fixtures.js';

// Every screen the person can meet, checked with axe and photographed at desktop and 390 px
// (e2e/screenshots/<state>-<width>.png). The states that take minutes to reach for real (a
// warning against each deadline, each re-login wording, an IdP outage) are reached by answering
// the SPA's requests in the page: the real flows are each tested elsewhere (sessionWarning,
// sessionExpired, sessionEnded, revocation, idpOutage). Nothing here ends the stored session.
test.describe.configure({ mode: 'parallel' });

/** /auth/session as the BFF answers it, with the end moved to 89 s from now and named `endsBy`. */
async function sessionEndingSoon(page: Page, endsBy: SessionEndsBy): Promise<void> {
  await page.route('/auth/session', async (route) => {
    const response = await route.fetch();
    const info = (await response.json()) as SessionInfo;
    if (!info.authenticated) return route.fulfill({ response });
    const sessionExpiresAt = new Date(Date.parse(info.serverTime) + 89_000).toISOString();
    return route.fulfill({ response, json: { ...info, sessionExpiresAt, sessionEndsBy: endsBy } });
  });
}

/** The notes request answers 401 with `code`, as the BFF does once the session is over. */
async function sessionOverWith(page: Page, code: ReauthCode): Promise<void> {
  await page.route('/api/notes', (route) => route.fulfill({ status: 401, json: { error: 'Sign in again.', code } }));
}

test('the sign-in screen, first visit and after the session ended', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByRole('heading', { level: 1, name: 'Sign in' })).toBeVisible();
  await expectAccessibleAtEveryWidth(page, 'sign-in');

  await page.route('/auth/session', (route) =>
    route.fulfill({ json: { authenticated: false, reason: 'SESSION_EXPIRED', serverTime: new Date().toISOString() } }),
  );
  await page.reload();
  await expect(page.getByRole('heading', { level: 1, name: 'Your session has ended' })).toBeVisible();
  await expectAccessibleAtEveryWidth(page, 'sign-in-after-session-ended');
});

test('signed in: the overview and the notes page', async ({ signedInPage: page }) => {
  await expect(page.getByText('alice@example.com')).toBeVisible();
  await expect(page.getByTestId('session-countdown')).toBeVisible();
  await expectAccessibleAtEveryWidth(page, 'signed-in-overview');

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Notes' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Notes' })).toBeVisible();
  await expect(page.getByTestId('notes-list')).toBeVisible();
  await page.getByLabel('New note').fill('A draft, not sent yet');
  await expectAccessibleAtEveryWidth(page, 'notes');
});

const WARNINGS: Array<[SessionEndsBy, RegExp, boolean]> = [
  ['idle', /^Your session ends in 1:2\d because of inactivity\.$/, true],
  ['refresh_token', /^Your session ends in 1:2\d unless you stay signed in\.$/, true],
  ['absolute', /^Your session ends in 1:2\d\. It has reached its maximum length, so you will need to sign in again\.$/, false],
  ['access_token', /^Your session ends in 1:2\d\. Your sign-in cannot be renewed, so you will need to sign in again\.$/, false],
];

test('the warning against each deadline, with "Stay signed in" only where it can help', async ({ signedInPage: page }) => {
  for (const [endsBy, wording, staySignedIn] of WARNINGS) {
    await sessionEndingSoon(page, endsBy);
    await page.reload();
    const warning = page.getByTestId('session-warning');
    await expect(warning.getByRole('paragraph')).toHaveText(wording);
    await expect(warning.getByRole('button', { name: 'Stay signed in' })).toHaveCount(staySignedIn ? 1 : 0);
    await expect(warning.getByRole('button', { name: 'Dismiss' })).toBeVisible();
    await expect(page.getByTestId('session-countdown')).toHaveCount(0);
    await expectAccessibleAtEveryWidth(page, `warning-${endsBy.replace('_', '-')}`);
    await page.unroute('/auth/session');
  }
});

test('against the refresh token\'s end, a "Stay signed in" that did not move it is not offered again', async ({ signedInPage: page }) => {
  // an IdP that keeps the refresh token's expiry (seed 003, fixed lifetimes): the refresh succeeds, the end stays
  const end = new Date(Date.now() + 89_000).toISOString();
  await page.route('/auth/session', async (route) => {
    const response = await route.fetch();
    const info = (await response.json()) as SessionInfo;
    return route.fulfill({ response, json: { ...info, sessionExpiresAt: end, sessionEndsBy: 'refresh_token' } });
  });
  await page.route('/auth/refresh', (route) =>
    route.fulfill({
      json: { success: true, session: { sub: 'alice', name: 'Alice Liddell', expiresAt: end }, message: 'Session refreshed.' },
    }),
  );
  await page.reload();
  const warning = page.getByTestId('session-warning');
  await warning.getByRole('button', { name: 'Stay signed in' }).click();
  await expect(warning.getByRole('paragraph')).toHaveText(
    /^Your session ends in 1:2\d\. Your sign-in cannot be renewed, so you will need to sign in again\.$/,
  );
  await expect(warning.getByRole('button', { name: 'Stay signed in' })).toHaveCount(0);
  await expectAccessibleAtEveryWidth(page, 'warning-refresh-token-not-moved');
});

/** Each code the BFF ends a session with, the dialog's title and a part of its text, and the screenshot's name. */
const PROMPTS: Array<[ReauthCode, string, string, string]> = [
  ['SESSION_EXPIRED', 'Your session has ended', 'after a period of inactivity', 'relogin-ended'],
  ['EXPIRED_TOKEN', 'Your session has expired', 'too old to be renewed', 'relogin-expired'],
  ['TOKEN_REVOKED', 'You were signed out elsewhere', 'Your access was revoked', 'relogin-signed-out-elsewhere'],
  ['INVALID_GRANT', 'Please sign in again', 'could not be renewed', 'relogin-not-renewed'],
  ['UNAUTHENTICATED', 'Please sign in again', 'no longer signed in', 'relogin-not-signed-in'],
];

test('the re-login dialog in each wording, over a page that shows no data and names nobody', async ({ signedInPage: page }) => {
  for (const [code, title, detail, name] of PROMPTS) {
    await sessionOverWith(page, code);
    await page.reload();
    const dialog = page.getByRole('dialog', { name: title });
    await expect(dialog).toBeVisible();
    await expect(dialog).toContainText(detail);
    await expect(dialog).toBeFocused();
    await expect(page.getByTestId('signed-in-user')).toHaveCount(0);
    await expect(page.getByText('alice@example.com')).toHaveCount(0);
    await expectAccessibleAtEveryWidth(page, name);
    await page.unroute('/api/notes');
  }
});

test('"Reconnecting..." while the IdP cannot be reached', async ({ signedInPage: page }) => {
  await page.route('/api/me', (route) =>
    route.fulfill({ status: 503, json: { error: 'The identity provider is unavailable.', code: 'IDP_UNAVAILABLE' } }),
  );
  await page.reload();
  await expect(page.getByTestId('reconnecting')).toHaveText('Reconnecting...');
  await expectAccessibleAtEveryWidth(page, 'reconnecting');
});
