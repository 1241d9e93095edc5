import { SESSION_WARNING_MS, sessionExpiry, type SessionExpiry } from '../client/sessionExpiry.js';
import { useNow } from './useNow.js';
import { useSession } from './useSession.js';

/** A live countdown to the end of the session, ticking every second; null when signed out. */
export function useSessionExpiry({ warnBefore = SESSION_WARNING_MS }: { warnBefore?: number } = {}): SessionExpiry | null {
  const { data } = useSession();
  const now = useNow();
  return data === undefined ? null : sessionExpiry(data, now, warnBefore);
}
