import { BffError, isConnectionError } from './BffError.js';

/** How many times a query waiting for the IdP or the network is tried again. */
export const MAX_RETRIES = 6;
/**
 * Other 5xx (UPSTREAM_UNAVAILABLE, INTERNAL) get fewer tries: the person
 * should see "unavailable" for that data within seconds, not half a minute.
 */
export const MAX_SERVER_ERROR_RETRIES = 2;
/** The longest wait between two tries. */
export const MAX_RETRY_DELAY_MS = 8_000;

/**
 * Retry what time can fix (network failures, IDP_UNAVAILABLE and other 5xx);
 * never a 4xx: a 401 needs a person, a 400 a fix.
 * `failureCount` is TanStack Query's: 0 after the first failure.
 */
export function shouldRetry(failureCount: number, error: unknown): boolean {
  if (!(error instanceof BffError)) return false; // a bug in our own code: trying again won't help
  if (isConnectionError(error)) return failureCount < MAX_RETRIES;
  return error.status >= 500 && failureCount < MAX_SERVER_ERROR_RETRIES;
}

/**
 * Exponential backoff: 1 s, 2 s, 4 s, then MAX_RETRY_DELAY_MS. `jitter` in
 * [0, 1) spreads the retries of several tabs by up to a fifth of the delay.
 */
export function retryDelay(failureCount: number, jitter = 0): number {
  const base = Math.min(1_000 * 2 ** failureCount, MAX_RETRY_DELAY_MS);
  return Math.round(base * (1 - 0.2 * jitter));
}
