import type { Page } from '@playwright/test';
import { bffRoute, type BffSetup } from './options.js';

/**
 * The BFF's dev-only test routes (`devEndpoints: true` in the plugin's
 * options, BFF_DEV_ENDPOINTS=1 for the server; refused in production),
 * called from the page's own browser context: `page.request` carries that
 * context's session cookie, so they act on the session this page uses.
 */
export async function callDevEndpoint(
  page: Page,
  setup: Pick<BffSetup, 'authPath'>,
  name: 'expire-access-token' | 'expire-session',
): Promise<void> {
  const here = page.url();
  if (!here.startsWith('http')) throw new Error(`${name}: open a page of the app first (the page is at ${here})`);
  const url = bffRoute({ appURL: here, authPath: setup.authPath }, `/__test/${name}`);
  const response = await page.request.post(url, { headers: { 'X-CSRF': '1' } });
  if (response.status() === 204) return;
  const hint = response.status() === 404 ? ' (is the BFF started with devEndpoints: true / BFF_DEV_ENDPOINTS=1?)' : '';
  throw new Error(`POST ${new URL(url).pathname} answered ${response.status()}${hint}: ${await response.text()}`);
}
