import type { SessionSnapshot } from './fetchSession.js';
import { sessionExpiry } from './sessionExpiry.js';

/** How often the wall clock is compared with the session's end. */
export const SESSION_END_CHECK_MS = 1_000;

/** The page events after which the end may have passed unseen: the tab shown again, the page restored or thawed, the network back. */
const WINDOW_EVENTS = ['focus', 'pageshow', 'online'] as const;
const DOCUMENT_EVENTS = ['visibilitychange', 'resume'] as const;

export interface SessionEndWatchOptions {
  /** The latest /auth/session snapshot, or undefined before the first. */
  read(): SessionSnapshot | undefined;
  /**
   * The end has come by this browser's clock (skew corrected): ask
   * /auth/session, the authority (another tab may have stayed signed in).
   * Called at most once per snapshot, so the BFF is asked once per end.
   */
  confirm(): void;
  now?: () => number;
  intervalMs?: number;
  /** Where the events are heard; the browser's `window` and `document` unless a test says otherwise. */
  window?: Pick<Window, 'addEventListener' | 'removeEventListener'>;
  document?: Pick<Document, 'addEventListener' | 'removeEventListener'>;
}

/**
 * Notices the end of the session when it comes, without waiting for a click,
 * and returns the function that stops watching. A timer set for the end is
 * not enough: background tabs throttle timers (to once a minute in Chrome)
 * and a sleeping machine runs none, so the end is compared with the wall
 * clock every `intervalMs` (wherever timers still run, hidden tabs too) and
 * again whenever the page is shown, restored, thawed or back online.
 */
export function watchSessionEnd(options: SessionEndWatchOptions): () => void {
  const { read, confirm, now = Date.now, intervalMs = SESSION_END_CHECK_MS } = options;
  const win = options.window ?? window;
  const doc = options.document ?? document;
  let confirmedFor: SessionSnapshot | undefined;

  const check = () => {
    const snapshot = read();
    if (snapshot === undefined || snapshot === confirmedFor) return;
    if (!sessionExpiry(snapshot, now())?.expired) return;
    confirmedFor = snapshot;
    confirm();
  };

  const timer = setInterval(check, intervalMs);
  for (const type of WINDOW_EVENTS) win.addEventListener(type, check);
  for (const type of DOCUMENT_EVENTS) doc.addEventListener(type, check);
  check();
  return () => {
    clearInterval(timer);
    for (const type of WINDOW_EVENTS) win.removeEventListener(type, check);
    for (const type of DOCUMENT_EVENTS) doc.removeEventListener(type, check);
  };
}
