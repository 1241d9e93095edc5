/**
 * `@bff/shared/react`: the session as React hooks on TanStack Query (peer
 * dependencies `react` and `@tanstack/react-query`). Render them under a
 * `QueryClientProvider`. The framework-free parts are in `@bff/shared/client`.
 */
export { SESSION_POLL_MS, sessionQueryKey, sessionQueryOptions } from './sessionQuery.js';
export { useNow } from './useNow.js';
export { useSession } from './useSession.js';
export { useSessionExpiry } from './useSessionExpiry.js';
