import type { SessionInfo } from '../session.js';
import { BffError, reauthCodeOf } from './BffError.js';
import { bffFetch } from './bffFetch.js';
import { DEFAULT_BFF_PATHS, type BffPaths } from './paths.js';
import { computeSkew } from './sessionClock.js';

/** /auth/session as received, with the clock skew measured on that answer. */
export interface SessionSnapshot {
  info: SessionInfo;
  /** Server clock minus browser clock, in ms. */
  skewMs: number;
}

export interface FetchSessionOptions {
  signal?: AbortSignal | undefined;
  /** Where the BFF's routes are (`bffPaths()`); default `/auth`. */
  paths?: BffPaths;
  fetch?: typeof fetch;
  now?: () => number;
}

/** GET /auth/session, read as signed in or not, with the clock skew measured on the answer. */
export async function fetchSession({
  signal,
  paths = DEFAULT_BFF_PATHS,
  fetch,
  now = Date.now,
}: FetchSessionOptions = {}): Promise<SessionSnapshot> {
  const sentAt = now();
  let info: SessionInfo;
  try {
    info = await bffFetch<SessionInfo>(paths.session, { signal }, fetch);
  } catch (error) {
    // The contract answers 200 `{ authenticated: false }`; a 401 means the same.
    const code = reauthCodeOf(error);
    if (code !== undefined) return { info: { authenticated: false, reason: code }, skewMs: 0 };
    throw error;
  }
  if (typeof info !== 'object' || info === null || typeof info.authenticated !== 'boolean') {
    throw new BffError('The session answer could not be read.', { status: 200 });
  }
  return { info, skewMs: computeSkew(info.serverTime, sentAt, now()) };
}
