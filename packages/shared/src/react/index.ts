/**
 * `@bff/shared/react`: the session as React hooks on TanStack Query (peer
 * dependencies `react` 18 or 19 and `@tanstack/react-query` 5). Render them
 * under a `QueryClientProvider`, best with the client `createBffQueryClient`
 * makes. The framework-free parts are in `@bff/shared/client`.
 */
export { createBffQueryClient, type BffQueryClientOptions } from './createBffQueryClient.js';
export { bffClientParts, type BffClientParts } from './bffClientParts.js';
export { SESSION_POLL_MS, sessionQueryKey, sessionQueryOptions } from './sessionQuery.js';
export { useAuthPrompt } from './useAuthPrompt.js';
export { useBffPaths } from './useBffPaths.js';
export { useNow } from './useNow.js';
export { useRefreshSession } from './useRefreshSession.js';
export { useSession } from './useSession.js';
export { useSessionExpiry } from './useSessionExpiry.js';
export { useSignOut } from './useSignOut.js';
