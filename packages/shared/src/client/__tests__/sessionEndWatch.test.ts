import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { SessionSnapshot } from '../fetchSession.js';
import { SESSION_END_CHECK_MS, watchSessionEnd } from '../sessionEndWatch.js';

const END = Date.parse('2030-01-01T10:00:10.000Z');

const snapshot = (sessionExpiresAt = new Date(END).toISOString(), skewMs = 0): SessionSnapshot => ({
  info: {
    authenticated: true,
    user: { sub: 'alice' },
    accessTokenExpiresAt: sessionExpiresAt,
    sessionExpiresAt,
    sessionEndsBy: 'idle',
    logoutUrl: 'http://localhost:3000/auth/logout?sid=s1',
    serverTime: '2030-01-01T10:00:00.000Z',
  },
  skewMs,
});

/** A page: its window and document as event targets, and a wall clock the test moves without running timers. */
function fakePage() {
  const page = { window: new EventTarget(), document: new EventTarget(), wallClock: END - 10_000 };
  return page;
}

describe('watchSessionEnd', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  function watch(read: () => SessionSnapshot | undefined) {
    const page = fakePage();
    const confirm = vi.fn();
    const stop = watchSessionEnd({ read, confirm, now: () => page.wallClock, window: page.window, document: page.document });
    return { page, confirm, stop };
  }

  it('asks the BFF within a second of the end, and only once for that end', () => {
    const current = snapshot();
    const { page, confirm, stop } = watch(() => current);
    for (let t = 0; t < 9; t += 1) {
      page.wallClock += SESSION_END_CHECK_MS;
      vi.advanceTimersByTime(SESSION_END_CHECK_MS);
    }
    expect(confirm).not.toHaveBeenCalled();
    page.wallClock += SESSION_END_CHECK_MS;
    vi.advanceTimersByTime(SESSION_END_CHECK_MS);
    expect(confirm).toHaveBeenCalledTimes(1);
    page.wallClock += 60_000;
    vi.advanceTimersByTime(60_000);
    expect(confirm).toHaveBeenCalledTimes(1);
    stop();
  });

  it('asks again for the new end when the BFF answered that the session goes on', () => {
    let current = snapshot();
    const { page, confirm, stop } = watch(() => current);
    page.wallClock = END;
    vi.advanceTimersByTime(SESSION_END_CHECK_MS);
    expect(confirm).toHaveBeenCalledTimes(1);
    // another tab stayed signed in: the answer carries a later end
    current = snapshot(new Date(END + 30_000).toISOString());
    vi.advanceTimersByTime(SESSION_END_CHECK_MS);
    expect(confirm).toHaveBeenCalledTimes(1);
    page.wallClock = END + 30_000;
    vi.advanceTimersByTime(SESSION_END_CHECK_MS);
    expect(confirm).toHaveBeenCalledTimes(2);
    stop();
  });

  it.each([
    ['document', 'visibilitychange'],
    ['document', 'resume'],
    ['window', 'pageshow'],
    ['window', 'focus'],
    ['window', 'online'],
  ] as const)('asks at once on %s %s when the end passed while no timer ran (a hidden tab, a sleeping machine)', (target, type) => {
    const { page, confirm, stop } = watch(() => snapshot());
    page.wallClock = END + 5 * 60_000;
    page[target].dispatchEvent(new Event(type));
    expect(confirm).toHaveBeenCalledTimes(1);
    stop();
  });

  it('corrects the end for the clock skew measured with the snapshot', () => {
    // the server runs 5 s ahead: its end comes 5 s early by this browser's clock
    const { page, confirm, stop } = watch(() => snapshot(undefined, 5_000));
    page.wallClock = END - 5_000;
    vi.advanceTimersByTime(SESSION_END_CHECK_MS);
    expect(confirm).toHaveBeenCalledTimes(1);
    stop();
  });

  it('does nothing while signed out or before the first answer, and nothing after it is stopped', () => {
    let current: SessionSnapshot | undefined;
    const { page, confirm, stop } = watch(() => current);
    page.wallClock = END + 1;
    vi.advanceTimersByTime(SESSION_END_CHECK_MS);
    current = { info: { authenticated: false, reason: 'SESSION_EXPIRED' }, skewMs: 0 };
    vi.advanceTimersByTime(SESSION_END_CHECK_MS);
    stop();
    current = snapshot();
    vi.advanceTimersByTime(SESSION_END_CHECK_MS);
    page.document.dispatchEvent(new Event('visibilitychange'));
    expect(confirm).not.toHaveBeenCalled();
  });
});
