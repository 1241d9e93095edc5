import type { Page } from '@playwright/test';

export interface PageLifecycle {
  /** The tab goes to the background: `document.visibilityState` is 'hidden' and no timer runs. */
  hide(): Promise<void>;
  /** The tab is shown again: 'visible', `visibilitychange`, and the timers run again. */
  show(): Promise<void>;
  /** The machine sleeps: no timer runs, and nothing tells the page. */
  sleep(): Promise<void>;
  /** The machine wakes: the timers run again, late, as after a real sleep. */
  wake(): Promise<void>;
}

declare global {
  interface Window {
    __pageLifecycle?: { set(next: { hidden?: boolean; asleep?: boolean }): void };
  }
}

/**
 * A background tab and a sleeping machine, emulated in `page` (call before
 * it loads the app). Headless Chromium shows every page as visible and will
 * not freeze a visible one, so the page's own timers are held instead: a
 * hidden tab's run at most once a minute in Chrome, a sleeping machine's not
 * at all, and held ones run on show or wake. The emulation is stricter than
 * Chrome (no timer at all while hidden), so a test that passes with it
 * does not lean on timers.
 */
export async function emulatePageLifecycle(page: Page): Promise<PageLifecycle> {
  await page.addInitScript(() => {
    const state = { hidden: false, asleep: false };
    const paused = () => state.hidden || state.asleep;
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => (state.hidden ? 'hidden' : 'visible') });
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => state.hidden });

    const realSetTimeout = window.setTimeout.bind(window);
    const realSetInterval = window.setInterval.bind(window);
    const realClearTimeout = window.clearTimeout.bind(window);
    /** Timeouts that came due while paused, by id: they run on show or wake, unless cleared first. */
    const held = new Map<number, () => void>();
    type Handler = (...args: unknown[]) => void;
    window.setTimeout = ((handler: Handler, ms?: number, ...args: unknown[]) => {
      const id: number = realSetTimeout(() => (paused() ? held.set(id, () => handler(...args)) : handler(...args)), ms);
      return id;
    }) as typeof window.setTimeout;
    window.setInterval = ((handler: Handler, ms?: number, ...args: unknown[]) =>
      realSetInterval(() => {
        if (!paused()) handler(...args);
      }, ms)) as typeof window.setInterval;
    window.clearTimeout = ((id?: number) => {
      if (id !== undefined) held.delete(id);
      realClearTimeout(id);
    }) as typeof window.clearTimeout;

    window.__pageLifecycle = {
      set(next) {
        const wasHidden = state.hidden;
        Object.assign(state, next);
        if (wasHidden !== state.hidden) document.dispatchEvent(new Event('visibilitychange'));
        if (paused()) return;
        const due = [...held.values()];
        held.clear();
        for (const run of due) run();
      },
    };
  });
  const set = (next: { hidden?: boolean; asleep?: boolean }) =>
    page.evaluate((value) => {
      if (!window.__pageLifecycle) throw new Error('emulatePageLifecycle must be called before the page loads the app');
      window.__pageLifecycle.set(value);
    }, next);
  return {
    hide: () => set({ hidden: true }),
    show: () => set({ hidden: false }),
    sleep: () => set({ asleep: true }),
    wake: () => set({ asleep: false }),
  };
}
