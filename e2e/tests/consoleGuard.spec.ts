import { watchConsole } from '@bff/playwright';
import { test, expect } from '../src/fixtures.js';

test('the console guard collects console errors and uncaught exceptions, and lets expected HTTP statuses through', async ({ browser }) => {
  // a context the auto guard does not watch, so that these errors fail nothing
  const context = await browser.newContext();
  const watch = watchConsole(context);
  const page = await context.newPage();
  await Promise.all([
    page.waitForEvent('pageerror'),
    page.evaluate(() => {
      console.error('Failed to load resource: the server responded with a status of 401 (Unauthorized)');
      console.warn('a warning is not an error');
      console.error('something broke');
      setTimeout(() => {
        throw new Error('thrown and never caught');
      });
    }),
  ]);
  await context.close();
  expect(watch.errors).toEqual(['something broke', 'uncaught: thrown and never caught']);
});

test('a test whose page logs a console error fails', async ({ page }) => {
  test.fail(true, 'the console guard must fail this test; if it passes, the guard is broken');
  await Promise.all([page.waitForEvent('console'), page.evaluate(() => console.error('deliberate console error'))]);
});

test('a test whose page throws an uncaught exception fails', async ({ page }) => {
  test.fail(true, 'the console guard must fail this test; if it passes, the guard is broken');
  await Promise.all([
    page.waitForEvent('pageerror'),
    page.evaluate(() => {
      setTimeout(() => {
        throw new Error('deliberate uncaught exception');
      });
    }),
  ]);
});

test('a test whose page logs a token fails, whatever the console level', async ({ page }) => {
  test.fail(true, 'the console guard must fail this test; if it passes, the guard is broken');
  const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlLXNpZ25hdHVyZQ';
  await Promise.all([page.waitForEvent('console'), page.evaluate((token) => console.log(`token: ${token}`), jwt)]);
});

test("a test whose page reads a token from one of the app's own answers fails", async ({ page }) => {
  test.fail(true, 'the console guard must fail this test; if it passes, the guard is broken');
  await page.goto('/healthz');
  await page.route('**/api/careless', (route) => route.fulfill({ json: { access_token: 'opaque-but-a-token' } }));
  await page.evaluate(() => fetch('/api/careless', { headers: { 'X-CSRF': '1' } }).then((response) => response.text()));
});
