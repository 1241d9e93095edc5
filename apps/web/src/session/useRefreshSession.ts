import { useMutation, useQueryClient } from '@tanstack/react-query';
import { ROUTES, type RefreshResult } from '@bff/shared';
import { bffFetch, isConnectionError, retryDelay, shouldRetry } from '@bff/shared/client';
import { sessionQueryKey } from '@bff/shared/react';

/** "Stay signed in": POST /auth/refresh, then re-read the session for its new expiry. */
export function useRefreshSession() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => bffFetch<RefreshResult>(ROUTES.refresh, { method: 'POST' }),
    // safe to repeat: the BFF runs one refresh per session at a time
    retry: (failureCount, error) => isConnectionError(error) && shouldRetry(failureCount, error),
    retryDelay: (failureCount) => retryDelay(failureCount, Math.random()),
    // stay pending until the new expiry is on screen
    onSuccess: () => client.invalidateQueries({ queryKey: sessionQueryKey }),
  });
}
