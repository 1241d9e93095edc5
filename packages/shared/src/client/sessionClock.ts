/**
 * Clock arithmetic for the session countdown. The BFF's expiries are in its
 * own clock; `serverTime` in /auth/session lets us correct for a browser
 * clock that is off (skew = server clock - browser clock).
 */

/**
 * The skew measured by one /auth/session answer: the server stamped
 * `serverTime` somewhere between `sentAt` and `receivedAt` (browser clock);
 * assume the middle. Unparseable input means no correction.
 */
export function computeSkew(serverTime: string | undefined, sentAt: number, receivedAt: number): number {
  const server = serverTime === undefined ? Number.NaN : Date.parse(serverTime);
  if (!Number.isFinite(server)) return 0;
  return Math.round(server - (sentAt + receivedAt) / 2);
}

/** Milliseconds from `now` (browser clock) until `expiresAt` (server clock), never negative. */
export function remainingMs(expiresAt: string, now: number, skewMs: number): number {
  const end = Date.parse(expiresAt);
  if (!Number.isFinite(end)) return 0;
  return Math.max(0, end - (now + skewMs));
}

/** `12:34`, or `1:02:03` from an hour up; whole seconds, rounded down. */
export function formatRemaining(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1_000));
  const hours = Math.floor(total / 3_600);
  const minutes = Math.floor((total % 3_600) / 60);
  const seconds = total % 60;
  const ss = String(seconds).padStart(2, '0');
  if (hours > 0) return `${hours}:${String(minutes).padStart(2, '0')}:${ss}`;
  return `${minutes}:${ss}`;
}
