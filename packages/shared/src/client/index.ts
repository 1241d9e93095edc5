/**
 * `@bff/shared/client`: a framework-free browser client for the BFF. No React,
 * no zod: it is on the SPA's startup path. React hooks built on it are in
 * `@bff/shared/react`.
 */
export { BffError, NETWORK_ERROR_STATUS, isConnectionError, reauthCodeOf, type BffErrorOptions } from './BffError.js';
export { bffFetch, errorFrom, type BffRequestInit } from './bffFetch.js';
export { DEFAULT_BFF_PATHS, bffPaths, type BffPaths, type BffPathsConfig } from './paths.js';
export { MAX_RETRIES, MAX_RETRY_DELAY_MS, MAX_SERVER_ERROR_RETRIES, retryDelay, shouldRetry } from './retryPolicy.js';
export { computeSkew, formatRemaining, remainingMs } from './sessionClock.js';
export { fetchSession, type FetchSessionOptions, type SessionSnapshot } from './fetchSession.js';
export { SESSION_WARNING_MS, sessionExpiry, type SessionExpiry } from './sessionExpiry.js';
export { SESSION_END_CHECK_MS, watchSessionEnd, type SessionEndWatchOptions } from './sessionEndWatch.js';
export { currentReturnTo, loginUrl, signIn } from './signIn.js';
export { logoutDestination } from './logoutDestination.js';
export { signOut, type SignOutOptions } from './signOut.js';
export { createAuthPromptStore, type AuthPrompt, type AuthPromptStore } from './authPrompt.js';
export { SESSION_CHANNEL_NAME, isSessionMessage, openSessionChannel, type SessionChannel, type SessionMessage } from './sessionChannel.js';
