import type { Browser, BrowserContext } from '@playwright/test';
import { bffRoute, type BffSetup } from './options.js';
import { signInThroughIdp } from './signIn.js';

export interface StoredSessions {
  /**
   * `user`'s browser context for this worker: signed in through the real IdP
   * flow once, then kept, with an idle page on the app's site left open so
   * that (with Chromium's `--process-per-site`) each new page gets a warm
   * renderer and the app's bundle comes from the context's cache.
   */
  context(user: string): Promise<BrowserContext>;
  /** Closes the user's context; the next `context(user)` signs in again. */
  forget(user: string): Promise<void>;
  close(): Promise<void>;
}

export function sessionStore(browser: Browser, setup: BffSetup): StoredSessions {
  const contexts = new Map<string, Promise<BrowserContext>>();
  const open = async (user: string) => {
    const signingIn = await browser.newContext({ baseURL: setup.appURL });
    let storageState: Awaited<ReturnType<BrowserContext['storageState']>>;
    try {
      await signInThroughIdp(await signingIn.newPage(), setup, user);
      storageState = await signingIn.storageState();
    } finally {
      await signingIn.close();
    }
    const context = await browser.newContext({ baseURL: setup.appURL, storageState });
    // the anchor: an idle page on the app's site (a JSON route, not the app) that keeps its renderer process alive
    await (await context.newPage()).goto(bffRoute(setup, '/session'));
    return context;
  };
  return {
    context(user) {
      let context = contexts.get(user);
      if (context === undefined) {
        context = open(user);
        contexts.set(user, context);
        // a failed sign-in is forgotten, so that the next test tries again
        context.catch(() => contexts.delete(user));
      }
      return context;
    },
    async forget(user) {
      const context = contexts.get(user);
      contexts.delete(user);
      await (await context?.catch(() => undefined))?.close();
    },
    async close() {
      const all = [...contexts.values()];
      contexts.clear();
      await Promise.all(all.map(async (context) => (await context.catch(() => undefined))?.close()));
    },
  };
}
