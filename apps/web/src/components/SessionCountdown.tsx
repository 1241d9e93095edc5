import { useEffect } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { formatRemaining } from '@bff/shared/client';
import { sessionQueryKey } from '@bff/shared/react';
import { useSessionWarning } from '../session/useSessionWarning';

/**
 * "Session ends in 12:34". Deliberately not a live region: a ticking clock
 * must not talk (SessionAnnouncer speaks for it). It steps aside while the
 * warning shows the same time.
 */
export function SessionCountdown() {
  const warning = useSessionWarning();
  const client = useQueryClient();
  const near = warning?.expiry.warning ?? false;

  // Activity elsewhere may have moved the idle timeout: ask the BFF again
  // when the warning would start. The end itself is watched by watchSessionEnd (main.tsx).
  useEffect(() => {
    if (near) void client.invalidateQueries({ queryKey: sessionQueryKey });
  }, [near, client]);

  if (warning === null || warning.visible) return null;
  return (
    <span className={near ? 'countdown soon' : 'countdown'} data-testid="session-countdown">
      Session ends in <span className="time">{formatRemaining(warning.expiry.remainingMs)}</span>
    </span>
  );
}
