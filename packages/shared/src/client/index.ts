/**
 * `@bff/shared/client`: a framework-free browser client for the BFF. No React,
 * no zod: it is on the SPA's startup path. React hooks built on it are in
 * `@bff/shared/react`.
 */
export { BffError, NETWORK_ERROR_STATUS, isConnectionError, reauthCodeOf, type BffErrorOptions } from './BffError.js';
export { bffFetch, errorFrom, type BffRequestInit } from './bffFetch.js';
export { MAX_RETRIES, MAX_RETRY_DELAY_MS, MAX_SERVER_ERROR_RETRIES, retryDelay, shouldRetry } from './retryPolicy.js';
export { computeSkew, formatRemaining, remainingMs } from './sessionClock.js';
export { fetchSession, type SessionSnapshot } from './fetchSession.js';
export { SESSION_WARNING_MS, sessionExpiry, type SessionExpiry } from './sessionExpiry.js';
export { SESSION_END_CHECK_MS, watchSessionEnd, type SessionEndWatchOptions } from './sessionEndWatch.js';
export { currentReturnTo, loginUrl, signIn } from './signIn.js';
