import { useMutation, useQueryClient, type QueryClient } from '@tanstack/react-query';
import type { RefreshResult } from '../session.js';
import { isConnectionError } from '../client/BffError.js';
import { bffFetch } from '../client/bffFetch.js';
import { retryDelay, shouldRetry } from '../client/retryPolicy.js';
import { bffClientParts } from './bffClientParts.js';
import { sessionQueryKey } from './sessionQuery.js';

/** The "Stay signed in" mutation of `client` (what useRefreshSession runs). */
export function refreshSessionMutationOptions(client: QueryClient, random: () => number = Math.random) {
  const { paths } = bffClientParts(client);
  return {
    mutationFn: () => bffFetch<RefreshResult>(paths.refresh, { method: 'POST' }),
    // safe to repeat: the BFF runs one refresh per session at a time
    retry: (failureCount: number, error: unknown) => isConnectionError(error) && shouldRetry(failureCount, error),
    retryDelay: (failureCount: number) => retryDelay(failureCount, random()),
    // stay pending until the new expiry is on screen
    onSuccess: () => client.invalidateQueries({ queryKey: sessionQueryKey }),
  };
}

/** "Stay signed in": POST /auth/refresh, then re-read the session for its new expiry. */
export function useRefreshSession() {
  return useMutation(refreshSessionMutationOptions(useQueryClient()));
}
