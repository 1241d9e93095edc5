import { queryOptions } from '@tanstack/react-query';
import { ROUTES, type SessionInfo } from '@bff/shared';
import { BffError, reauthCodeOf } from '../api/BffError';
import { bffFetch } from '../api/bffFetch';
import { computeSkew } from './sessionClock';

/** /auth/session as received, with the clock skew measured on that answer. */
export interface SessionSnapshot {
  info: SessionInfo;
  /** Server clock minus browser clock, in ms. */
  skewMs: number;
}

export const sessionQueryKey = ['session'] as const;

/** Re-read the session this often, so idle-timeout moves and refreshes show. */
export const SESSION_POLL_MS = 60_000;

export async function fetchSession(
  signal?: AbortSignal,
  fetchFn?: typeof fetch,
  now: () => number = Date.now,
): Promise<SessionSnapshot> {
  const sentAt = now();
  let info: SessionInfo;
  try {
    info = await bffFetch<SessionInfo>(ROUTES.session, { signal }, fetchFn);
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

export const sessionQueryOptions = queryOptions({
  queryKey: sessionQueryKey,
  queryFn: ({ signal }) => fetchSession(signal),
  refetchInterval: SESSION_POLL_MS,
  refetchOnWindowFocus: true,
  // focus, the poll and the expiry checks may coincide: one request is enough
  staleTime: 5_000,
});
