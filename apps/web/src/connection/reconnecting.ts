import type { Query, QueryClient } from '@tanstack/react-query';
import { isConnectionError } from '@bff/shared/client';

/** While reconnecting, queries that gave up are tried again this often. */
export const RECONNECT_INTERVAL_MS = 10_000;

/** The latest failure of a query: a retry in progress, or the final error. */
function failureOf(query: Query): unknown {
  return query.state.fetchFailureReason ?? (query.state.status === 'error' ? query.state.error : null);
}

const isWaitingForConnection = (query: Query) => query.getObserversCount() > 0 && isConnectionError(failureOf(query));

/**
 * "Reconnecting..." is shown while some query on screen, or some mutation
 * still retrying, last failed with IDP_UNAVAILABLE or a network error. It is
 * read from the caches, so it clears itself when those requests succeed.
 */
export function isReconnecting(client: QueryClient): boolean {
  return (
    client.getQueryCache().getAll().some(isWaitingForConnection) ||
    client
      .getMutationCache()
      .getAll()
      .some((mutation) => mutation.state.status === 'pending' && isConnectionError(mutation.state.failureReason))
  );
}

export function subscribeToCaches(client: QueryClient, listener: () => void): () => void {
  const offQueries = client.getQueryCache().subscribe(listener);
  const offMutations = client.getMutationCache().subscribe(listener);
  return () => {
    offQueries();
    offMutations();
  };
}

/**
 * Queries stop retrying after MAX_RETRIES; while we are reconnecting, try the
 * ones that gave up again every `intervalMs`, one request per query.
 */
export function startReconnectLoop(client: QueryClient, intervalMs = RECONNECT_INTERVAL_MS): () => void {
  let timer: ReturnType<typeof setInterval> | undefined;
  const retryGivenUp = () =>
    client.refetchQueries({
      type: 'active',
      predicate: (query) => query.state.status === 'error' && query.state.fetchStatus === 'idle' && isWaitingForConnection(query),
    });
  const update = () => {
    const reconnecting = isReconnecting(client);
    if (reconnecting && timer === undefined) timer = setInterval(() => void retryGivenUp(), intervalMs);
    if (!reconnecting && timer !== undefined) {
      clearInterval(timer);
      timer = undefined;
    }
  };
  const unsubscribe = subscribeToCaches(client, update);
  return () => {
    unsubscribe();
    if (timer !== undefined) clearInterval(timer);
  };
}
