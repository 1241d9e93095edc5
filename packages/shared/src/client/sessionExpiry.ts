import type { SessionEndsBy } from '../sessionEnd.js';
import type { SessionSnapshot } from './fetchSession.js';
import { remainingMs } from './sessionClock.js';

/** Warn this long before the session ends, unless told otherwise. */
export const SESSION_WARNING_MS = 2 * 60_000;

export interface SessionExpiry {
  /** Server-clock ISO time the session ends. */
  expiresAt: string;
  /** Which deadline that is: idle, absolute, refresh_token or access_token (sessionEnd.ts). */
  endsBy: SessionEndsBy;
  /** Time left, corrected for clock skew; 0 once over. */
  remainingMs: number;
  /** Time left is at most `warnBefore`. */
  warning: boolean;
  expired: boolean;
}

/** Where the countdown to the end of the session stands at `now` (browser clock); null when signed out. */
export function sessionExpiry({ info, skewMs }: SessionSnapshot, now: number, warnBefore = SESSION_WARNING_MS): SessionExpiry | null {
  if (!info.authenticated) return null;
  const left = remainingMs(info.sessionExpiresAt, now, skewMs);
  return {
    expiresAt: info.sessionExpiresAt,
    endsBy: info.sessionEndsBy,
    remainingMs: left,
    warning: left <= warnBefore,
    expired: left === 0,
  };
}
