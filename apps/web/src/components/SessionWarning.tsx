import { useState } from 'react';
import { SESSION_WARNING_MS, formatRemaining } from '@bff/shared/client';
import { useSessionExpiry } from '@bff/shared/react';
import { describeError } from '../api/describeError';
import { useRefreshSession } from '../session/useRefreshSession';

export interface SessionWarningProps {
  /** Show the warning this many ms before the session ends. */
  warnBefore?: number;
}

/**
 * "Your session ends in 1:59 - Stay signed in". The alert is announced once
 * when it appears; the ticking time is hidden from screen readers (a steady
 * sentence stands in for it), or the alert would speak every second.
 */
export function SessionWarning({ warnBefore = SESSION_WARNING_MS }: SessionWarningProps) {
  const expiry = useSessionExpiry({ warnBefore });
  const refresh = useRefreshSession();
  // dismissed for this expiry only: a later, different expiry warns again
  const [dismissedFor, setDismissedFor] = useState<string | null>(null);

  if (expiry === null || !expiry.warning || expiry.expired || dismissedFor === expiry.expiresAt) return null;

  const minutes = Math.max(1, Math.ceil(warnBefore / 60_000));
  return (
    <div role="alert" className="session-warning" data-testid="session-warning">
      <p>
        <span className="sr-only">
          Your session ends in less than {minutes} {minutes === 1 ? 'minute' : 'minutes'}.
        </span>
        <span aria-hidden="true">
          Your session ends in <span className="time">{formatRemaining(expiry.remainingMs)}</span> -{' '}
        </span>
      </p>
      <div className="actions">
        <button type="button" className="button primary" onClick={() => refresh.mutate()} disabled={refresh.isPending}>
          Stay signed in
        </button>
        <button type="button" className="button" onClick={() => setDismissedFor(expiry.expiresAt)}>
          Dismiss
        </button>
      </div>
      {refresh.isError && <p className="error-text">{describeError(refresh.error, 'renewing your session')}</p>}
    </div>
  );
}
