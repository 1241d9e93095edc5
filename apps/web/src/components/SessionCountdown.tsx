import { useEffect } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { formatRemaining } from '@bff/shared/client';
import { sessionQueryKey, useSessionExpiry } from '@bff/shared/react';

/** "Session ends in 12:34". Deliberately not a live region: a ticking clock must not talk. */
export function SessionCountdown() {
  const expiry = useSessionExpiry();
  const client = useQueryClient();
  const warning = expiry?.warning ?? false;
  const expired = expiry?.expired ?? false;

  // Activity elsewhere may have moved the idle timeout: ask the BFF again
  // when the warning would start and when the countdown reaches zero.
  useEffect(() => {
    if (warning || expired) void client.invalidateQueries({ queryKey: sessionQueryKey });
  }, [warning, expired, client]);

  if (expiry === null) return null;
  return (
    <span className={warning ? 'countdown soon' : 'countdown'} data-testid="session-countdown">
      Session ends in <span className="time">{formatRemaining(expiry.remainingMs)}</span>
    </span>
  );
}
