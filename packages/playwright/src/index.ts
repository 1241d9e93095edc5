/**
 * `@bff/playwright`: Playwright fixtures for an app behind a refresh-token
 * BFF (@bff/fastify-bff). `test` and `expect` replace Playwright's own.
 */
export {
  test,
  expect,
  type BffTestFixtures,
  type BffTestOptions,
  type BffWorkerFixtures,
  type BffWorkerOptions,
  type ConsoleGuard,
} from './fixtures.js';
export {
  EXPECTED_CONSOLE_ERRORS,
  carriesToken,
  watchConsole,
  watchPage,
  type ConsoleWatch,
  type ConsoleWatchOptions,
} from './consoleGuard.js';
export { DEV_IDP_LOGIN_PAGE, DEV_IDP_SELECTORS, DEV_IDP_USERS, type BffSelectors, type BffSetup } from './options.js';
export { completeIdpSignIn, signInThroughIdp } from './signIn.js';
export type { StoredSessions } from './storedSessions.js';
