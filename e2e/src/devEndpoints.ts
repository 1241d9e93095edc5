import type { Page } from '@playwright/test';

/**
 * The BFF's dev-only test routes (BFF_DEV_ENDPOINTS=1, which startStack sets),
 * called from the page's own browser context: `page.request` carries that
 * context's session cookie, so they act on the session this page uses.
 */
async function callDevEndpoint(page: Page, name: 'expire-access-token' | 'expire-session'): Promise<void> {
  const here = page.url();
  if (!here.startsWith('http')) throw new Error(`${name}: open a page of the app first (the page is at ${here})`);
  const response = await page.request.post(new URL(`/auth/__test/${name}`, here).href, { headers: { 'X-CSRF': '1' } });
  if (response.status() === 204) return;
  const hint = response.status() === 404 ? ' (is the BFF started with BFF_DEV_ENDPOINTS=1?)' : '';
  throw new Error(`POST /auth/__test/${name} answered ${response.status()}${hint}: ${await response.text()}`);
}

/** The page's next API call meets an expired access token, so the BFF refreshes for real at the IdP. */
export function expireAccessToken(page: Page): Promise<void> {
  return callDevEndpoint(page, 'expire-access-token');
}

/** The page's next request meets SESSION_EXPIRED, as after the idle or absolute timeout. */
export function expireSession(page: Page): Promise<void> {
  return callDevEndpoint(page, 'expire-session');
}
