import { test as base, expect, type BrowserContext, type Page } from '@playwright/test';
import type { SessionInfo } from '@bff/shared';
import { watchConsole, watchPage, type ConsoleWatch } from './consoleGuard.js';
import { signInThroughIdp, type DemoUser } from './signInThroughIdp.js';
import { startStack, type Stack, type StackOptions } from './stack.js';

export { expect };
export type { DemoUser, Stack, StackOptions };
export { EXPECTED_CONSOLE_ERRORS, isExpectedConsoleError, watchConsole, watchPage, type ConsoleWatch } from './consoleGuard.js';
export { expireAccessToken, expireSession } from './devEndpoints.js';
export { completeIdpSignIn, signInThroughIdp } from './signInThroughIdp.js';

export type StorageState = Awaited<ReturnType<BrowserContext['storageState']>>;

/** A stored session with less time than this left is not handed out: a new one is signed in. */
const MIN_REMAINING_MS = 10_000;

export interface ConsoleGuard {
  /** Also fail the test on console errors of `context` (the default `context` and `signedInPage` are watched already). */
  watch(context: BrowserContext): void;
  /** The same for one page. */
  watchPage(page: Page): void;
}

export interface StoredSessions {
  /** `user`'s signed-in storage state: signed in through the real IdP flow once per worker, then reused. */
  get(user: DemoUser): Promise<StorageState>;
  has(user: DemoUser): boolean;
  /** The next `get` signs in again. */
  forget(user: DemoUser): void;
}

interface TestFixtures {
  /** Fails any test whose pages logged a console error or threw an uncaught exception. */
  consoleGuard: ConsoleGuard;
  /** Signs a demo user in through the real IdP form, starting at `path`: a session of this test's own. */
  signIn: (page: Page, user?: DemoUser, path?: string) => Promise<void>;
  /** The demo user `signedInPage` is signed in as (`test.use({ user: 'bob' })`); default alice. */
  user: DemoUser;
  /**
   * A fresh page on `/`, signed in as `user`, in the worker's context for
   * that user (made once from the stored session). Tests that end, revoke or sign out their
   * session must not use it (they would end it for the tests after them):
   * they sign in with `signIn`, or run in a stack of their own.
   */
  signedInPage: Page;
}

interface WorkerFixtures {
  stackOptions: StackOptions;
  stack: Stack;
  storedSessions: StoredSessions;
  userContexts: UserContexts;
}

/**
 * One browser context per user per worker, made from the stored session,
 * with an idle page on the BFF's site kept open: Chromium (with
 * --process-per-site) then gives each test's new page a warm renderer, and
 * the context's HTTP and code caches keep the SPA's bundle between tests.
 */
interface UserContexts {
  get(user: DemoUser): Promise<BrowserContext>;
  /** Closes the user's context and forgets the stored session; the next `get` signs in again. */
  forget(user: DemoUser): Promise<void>;
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
    async ({}, use) => {
      const watches: ConsoleWatch[] = [];
      await use({
        watch: (context) => void watches.push(watchConsole(context)),
        watchPage: (page) => void watches.push(watchPage(page)),
      });
      expect(
        watches.flatMap((watch) => watch.errors),
        'the page logged errors',
      ).toEqual([]);
    },
    { auto: true },
  ],
  // the default context (and so `page`) is watched; made only for tests that use it
  context: async ({ context, consoleGuard }, use) => {
    consoleGuard.watch(context);
    await use(context);
  },

  signIn: async ({}, use) => use(signInThroughIdp),

  user: ['alice', { option: true }],

  storedSessions: [
    async ({ browser, stack }, use) => {
      const signInOnce = async (user: DemoUser) => {
        const context = await browser.newContext({ baseURL: stack.bffUrl });
        try {
          await signInThroughIdp(await context.newPage(), user);
          return await context.storageState();
        } finally {
          await context.close();
        }
      };
      const states = oncePerUser(signInOnce);
      await use({ get: states.get, has: states.has, forget: states.forget });
    },
    { scope: 'worker' },
  ],

  userContexts: [
    async ({ browser, stack, storedSessions }, use) => {
      const open = async (user: DemoUser) => {
        const context = await browser.newContext({ baseURL: stack.bffUrl, storageState: await storedSessions.get(user) });
        // the anchor: an idle page on the BFF's site (not the SPA) that keeps its renderer process alive
        await (await context.newPage()).goto('/healthz');
        return context;
      };
      const contexts = oncePerUser(open);
      await use({
        get: contexts.get,
        async forget(user) {
          const context = contexts.peek(user);
          contexts.forget(user);
          storedSessions.forget(user);
          await (await context)?.close();
        },
      });
      await Promise.all(contexts.all().map(async (context) => (await context).close()));
    },
    { scope: 'worker' },
  ],

  signedInPage: async ({ user, storedSessions, userContexts, consoleGuard }, use) => {
    const started = performance.now();
    let how = storedSessions.has(user) ? 'stored session' : 'signed in through the IdP';
    const open = async () => {
      const context = await userContexts.get(user);
      const page = await context.newPage();
      consoleGuard.watchPage(page);
      // how long the session has left is read while the page loads, not before
      const [left] = await Promise.all([remainingMs(context), page.goto('/')]);
      return { page, left };
    };
    const first = await open();
    let { page } = first;
    const { left } = first;
    if (left === 'ended') {
      throw new Error(
        `${user}'s stored session has ended: an earlier test ended, revoked or signed out a session it shared. ` +
          'Tests that do that must sign in with the signIn fixture, or run in a stack of their own (stackOptions.isolate).',
      );
    }
    if (left < MIN_REMAINING_MS) {
      // short lifetimes (refreshTokenTtl of seconds) outrun a stored session: take a new one
      await page.close();
      await userContexts.forget(user);
      how = 'signed in again: the stored session was about to end';
      ({ page } = await open());
    }
    // waitFor resolves in the page as the element appears; expect() polls in 100/250/500 ms steps
    await page.getByTestId('signed-in-user').waitFor({ state: 'visible' });
    console.log(`signedInPage ready in ${Math.round(performance.now() - started)} ms (${user}, ${how})`);
    await use(page);
    await page.close();
  },
});

/** A per-user promise made once and shared; a failed one is forgotten so the next call tries again. */
function oncePerUser<T>(make: (user: DemoUser) => Promise<T>) {
  const made = new Map<DemoUser, Promise<T>>();
  return {
    get(user: DemoUser): Promise<T> {
      let value = made.get(user);
      if (value === undefined) {
        value = make(user);
        made.set(user, value);
        value.catch(() => made.delete(user));
      }
      return value;
    },
    has: (user: DemoUser) => made.has(user),
    peek: (user: DemoUser) => made.get(user),
    forget: (user: DemoUser) => void made.delete(user),
    all: () => [...made.values()],
  };
}

/** How long the context's session has left by the BFF's clock, or 'ended' when /auth/session says it has none. */
async function remainingMs(context: BrowserContext): Promise<number | 'ended'> {
  const info = (await (await context.request.get('/auth/session')).json()) as SessionInfo;
  if (!info.authenticated) return 'ended';
  return Date.parse(info.sessionExpiresAt) - Date.parse(info.serverTime);
}
