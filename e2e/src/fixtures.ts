import { test as base, expect, type Page } from '@playwright/test';
import { startStack, type Stack, type StackOptions } from './stack.js';

export { expect };
export type { Stack, StackOptions };

/** Console lines that are the browser reporting an HTTP status we asked for, not an error of the app. */
const EXPECTED_CONSOLE = [/^Failed to load resource: the server responded with a status of (401|403|404|409|502|503|504)/];

interface TestFixtures {
  /** Fails any test whose page logged a console error or threw an uncaught exception. */
  consoleGuard: void;
  /** Signs a demo user in through the real IdP form, starting at `path`. */
  signIn: (page: Page, user?: 'alice' | 'bob', path?: string) => Promise<void>;
}

interface WorkerFixtures {
  stackOptions: StackOptions;
  stack: Stack;
}

export const test = base.extend<TestFixtures, WorkerFixtures>({
  stackOptions: [{}, { option: true, scope: 'worker' }],
  stack: [
    async ({ stackOptions }, use) => {
      const stack = await startStack(stackOptions);
      await use(stack);
      await stack.close();
    },
    { scope: 'worker', timeout: 60_000 },
  ],
  baseURL: async ({ stack }, use) => use(stack.bffUrl),
  consoleGuard: [
    async ({ page }, use) => {
      const errors: string[] = [];
      page.on('console', (message) => {
        if (message.type() !== 'error') return;
        const text = message.text();
        if (!EXPECTED_CONSOLE.some((pattern) => pattern.test(text))) errors.push(text);
      });
      page.on('pageerror', (error) => errors.push(`uncaught: ${error.message}`));
      await use();
      expect(errors, 'the page logged errors').toEqual([]);
    },
    { auto: true },
  ],
  signIn: async ({}, use) => {
    await use(async (page, user = 'alice', path = '/') => {
      await page.goto(path);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByLabel('Username').fill(user);
      await page.getByLabel('Password').fill(`${user}-password`);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await expect(page.getByTestId('signed-in-user')).toBeVisible();
    });
  },
});
