import { test as base, expect } from '@bff/playwright';
import { startStack, type Stack, type StackOptions } from './stack.js';

export { expect };
export type { Stack, StackOptions };

interface WorkerFixtures {
  stackOptions: StackOptions;
  stack: Stack;
}

/**
 * @bff/playwright's fixtures (signedInPage, signIn, expireAccessToken,
 * expireSession, the console guard) against this repository's stack: the
 * dev IdP, the demo API and the BFF serving the SPA, one stack per worker
 * and option set. The package's defaults are the dev IdP's form and users
 * and the demo SPA's signed-in marker, so only the app's URL is set here.
 */
export const test = base.extend<object, WorkerFixtures>({
  stackOptions: [{}, { option: true, scope: 'worker' }],
  stack: [
    async ({ stackOptions }, use) => {
      const stack = await startStack(stackOptions);
      await use(stack);
      await stack.close();
    },
    { scope: 'worker', timeout: 60_000 },
  ],
  appURL: [async ({ stack }, use) => use(stack.bffUrl), { scope: 'worker' }],
});
