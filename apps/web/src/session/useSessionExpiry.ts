import { remainingMs } from './sessionClock';
import { useNow } from './useNow';
import { useSession } from './useSession';

/** Warn this long before the session ends, unless told otherwise. */
export const SESSION_WARNING_MS = 2 * 60_000;

export interface SessionExpiry {
  /** Server-clock ISO time the session ends. */
  expiresAt: string;
  /** Time left, corrected for clock skew; 0 once over. */
  remainingMs: number;
  /** Time left is at most `warnBefore`. */
  warning: boolean;
  expired: boolean;
}

/** A live countdown to the end of the session, ticking every second; null when signed out. */
export function useSessionExpiry({ warnBefore = SESSION_WARNING_MS }: { warnBefore?: number } = {}): SessionExpiry | null {
  const { data } = useSession();
  const now = useNow();
  if (data === undefined || !data.info.authenticated) return null;
  const left = remainingMs(data.info.sessionExpiresAt, now, data.skewMs);
  return {
    expiresAt: data.info.sessionExpiresAt,
    remainingMs: left,
    warning: left <= warnBefore,
    expired: left === 0,
  };
}
