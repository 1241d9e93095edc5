import { test as base, expect, type BrowserContext, type Page } from '@playwright/test';
import { EXPECTED_CONSOLE_ERRORS, watchConsole, watchPage, type ConsoleWatch } from './consoleGuard.js';
import { callDevEndpoint } from './devEndpoints.js';
import { DEV_IDP_LOGIN_PAGE, DEV_IDP_SELECTORS, DEV_IDP_USERS, bffRoute, type BffSelectors, type BffSetup } from './options.js';
import { completeIdpSignIn, signInThroughIdp } from './signIn.js';
import { sessionStore, type StoredSessions } from './storedSessions.js';

export interface ConsoleGuard {
  /** Also fail the test on console errors and token leaks of `context` (the default `context` and `signedInPage` are watched already). */
  watch(context: BrowserContext): void;
  /** The same for one page. */
  watchPage(page: Page): void;
}

/** Options for one test (`test.use({ user: 'bob' })`). */
export interface BffTestOptions {
  /** Who `signedInPage` is signed in as; default the first of `users`. */
  user: string;
  /** Console errors that fail nothing; default EXPECTED_CONSOLE_ERRORS (HTTP statuses the app handles). */
  expectedConsoleErrors: readonly RegExp[];
}

/** Options for a worker: the app, its BFF and its IdP (`test.use(...)` in the config or a file). */
export interface BffWorkerOptions {
  /** The app's base URL; default the config's `use.baseURL`. It sets `baseURL` for the tests. */
  appURL: string | undefined;
  /** Where the BFF's auth routes are; default `/auth`. */
  authPath: string;
  /** The IdP's login page: a glob or RegExp of its URL; default the dev IdP's (`**\/interaction/**`). */
  idpLoginPage: string | RegExp;
  /** Users the IdP knows, by name: their passwords; default the dev IdP's alice and bob. */
  users: Readonly<Record<string, string>>;
  /** The IdP's form and the app's signed-in marker; each one left out is the dev IdP's, or the demo SPA's. */
  selectors: Partial<BffSelectors>;
}

export interface BffTestFixtures {
  /** Fails any test whose pages logged a console error, threw an uncaught exception, or showed a token (console or an answer of the app). */
  consoleGuard: ConsoleGuard;
  /** Signs `user` in through the real IdP form, landing on `path`: a session of this test's own. */
  signIn: (page: Page, user?: string, path?: string) => Promise<void>;
  /** Finishes a sign-in the app started ("Sign in again"): the IdP's form if asked, then the signed-in marker. */
  completeSignIn: (page: Page, user?: string) => Promise<void>;
  /**
   * A fresh page on `/`, signed in as `user`. The real sign-in runs once per
   * worker and user; later tests reuse its stored session. A test that ends,
   * revokes or signs out its session must not use it (it would end it for
   * the tests after it): it signs in with `signIn`.
   */
  signedInPage: Page;
  /** The page's next API call meets an expired access token, so the BFF refreshes for real at the IdP. */
  expireAccessToken: (page: Page) => Promise<void>;
  /** The page's next request meets SESSION_EXPIRED, as after the idle or absolute timeout. */
  expireSession: (page: Page) => Promise<void>;
}

export interface BffWorkerFixtures {
  /** The options, defaults applied. */
  bffSetup: BffSetup;
  storedSessions: StoredSessions;
}

/** A stored session with less time than this left is not handed out: a new one is signed in. */
const MIN_REMAINING_MS = 10_000;

export const test = base.extend<BffTestFixtures & BffTestOptions, BffWorkerFixtures & BffWorkerOptions>({
  appURL: [async ({}, use, workerInfo) => use(workerInfo.project.use.baseURL), { scope: 'worker', option: true }],
  authPath: ['/auth', { scope: 'worker', option: true }],
  idpLoginPage: [DEV_IDP_LOGIN_PAGE, { scope: 'worker', option: true }],
  users: [DEV_IDP_USERS, { scope: 'worker', option: true }],
  selectors: [{}, { scope: 'worker', option: true }],
  user: [async ({ users }, use) => use(Object.keys(users)[0] ?? ''), { option: true }],
  expectedConsoleErrors: [EXPECTED_CONSOLE_ERRORS, { option: true }],

  bffSetup: [
    async ({ appURL, authPath, idpLoginPage, users, selectors }, use) => {
      if (appURL === undefined) throw new Error("@bff/playwright: set the app's URL: use.baseURL in the config, or test.use({ appURL })");
      await use({ appURL, authPath, idpLoginPage, users, selectors: { ...DEV_IDP_SELECTORS, ...selectors } });
    },
    { scope: 'worker' },
  ],
  baseURL: async ({ bffSetup }, use) => use(bffSetup.appURL),

  consoleGuard: [
    async ({ bffSetup, expectedConsoleErrors }, use) => {
      const watches: ConsoleWatch[] = [];
      const options = { appOrigin: new URL(bffSetup.appURL).origin, expected: expectedConsoleErrors };
      await use({
        watch: (context) => void watches.push(watchConsole(context, options)),
        watchPage: (page) => void watches.push(watchPage(page, options)),
      });
      await Promise.all(watches.map((watch) => watch.settled()));
      expect(
        watches.flatMap((watch) => watch.errors),
        'the page logged errors or showed a token',
      ).toEqual([]);
    },
    { auto: true },
  ],
  // the default context (and so `page`) is watched; made only for tests that use it
  context: async ({ context, consoleGuard }, use) => {
    consoleGuard.watch(context);
    await use(context);
  },

  signIn: async ({ bffSetup, user }, use) => use((page, who = user, path = '/') => signInThroughIdp(page, bffSetup, who, path)),
  completeSignIn: async ({ bffSetup, user }, use) => use((page, who = user) => completeIdpSignIn(page, bffSetup, who)),
  expireAccessToken: async ({ bffSetup }, use) => use((page) => callDevEndpoint(page, bffSetup, 'expire-access-token')),
  expireSession: async ({ bffSetup }, use) => use((page) => callDevEndpoint(page, bffSetup, 'expire-session')),

  storedSessions: [
    async ({ browser, bffSetup }, use) => {
      const sessions = sessionStore(browser, bffSetup);
      await use(sessions);
      await sessions.close();
    },
    { scope: 'worker' },
  ],

  signedInPage: async ({ user, bffSetup, storedSessions, consoleGuard }, use) => {
    const open = async () => {
      const context = await storedSessions.context(user);
      const page = await context.newPage();
      consoleGuard.watchPage(page);
      // how long the session has left is read while the page loads, not before
      const [left] = await Promise.all([remainingMs(context, bffSetup), page.goto('/')]);
      return { page, left };
    };
    const first = await open();
    let { page } = first;
    if (first.left === 'ended') {
      throw new Error(
        `${user}'s stored session has ended: an earlier test ended, revoked or signed out a session it shared. ` +
          'Tests that do that must sign in with the signIn fixture, or run in a worker of their own.',
      );
    }
    if (first.left < MIN_REMAINING_MS) {
      // short lifetimes (refresh tokens of seconds) outrun a stored session: take a new one
      await page.close();
      await storedSessions.forget(user);
      ({ page } = await open());
    }
    // waitFor resolves in the page as the element appears; expect() polls in 100/250/500 ms steps
    await page.locator(bffSetup.selectors.signedIn).first().waitFor({ state: 'visible' });
    await use(page);
    await page.close();
  },
});

export { expect };

/** How long the context's session has left by the BFF's clock, or 'ended' when /auth/session says it has none. */
async function remainingMs(context: BrowserContext, setup: BffSetup): Promise<number | 'ended'> {
  const info = (await (await context.request.get(bffRoute(setup, '/session'))).json()) as {
    authenticated: boolean;
    sessionExpiresAt?: string;
    serverTime?: string;
  };
  if (!info.authenticated || info.sessionExpiresAt === undefined || info.serverTime === undefined) return 'ended';
  return Date.parse(info.sessionExpiresAt) - Date.parse(info.serverTime);
}
