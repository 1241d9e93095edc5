import { queryOptions } from '@tanstack/react-query';
import { fetchSession } from '../client/fetchSession.js';
import { DEFAULT_BFF_PATHS, type BffPaths } from '../client/paths.js';

export const sessionQueryKey = ['session'] as const;

/** Re-read the session this often, so idle-timeout moves and refreshes show. */
export const SESSION_POLL_MS = 60_000;

/** The /auth/session query, for `useQuery`, `prefetchQuery` or `fetchQuery`. */
export function sessionQueryOptions(paths: BffPaths = DEFAULT_BFF_PATHS) {
  return queryOptions({
    queryKey: sessionQueryKey,
    queryFn: ({ signal }) => fetchSession({ signal, paths }),
    refetchInterval: SESSION_POLL_MS,
    refetchOnWindowFocus: true,
    // focus, the poll and the expiry checks may coincide: one request is enough
    staleTime: 5_000,
  });
}
