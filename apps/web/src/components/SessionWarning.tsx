import { formatRemaining } from '@bff/shared/client';
import { useRefreshSession } from '@bff/shared/react';
import { describeError } from '../api/describeError';
import { sessionWarningState } from '../session/sessionWarningState';
import { useSessionWarning } from '../session/useSessionWarning';
import { warningReason } from '../session/warningMessages';

/**
 * "Your session ends in 1:28 because of inactivity." with "Stay signed in"
 * when that can move the end. The header's countdown steps aside while this
 * shows, so the time is on screen once; screen readers hear it through
 * SessionAnnouncer, once a minute, not from this ticking text.
 */
export function SessionWarning() {
  const warning = useSessionWarning();
  const refresh = useRefreshSession();
  if (warning === null || !warning.visible) return null;

  const { expiry, canExtend } = warning;
  const staySignedIn = () =>
    refresh.mutate(undefined, {
      // an IdP that keeps the refresh token's expiry: the end did not move, so stop offering it
      onSuccess: (result) => {
        if (Date.parse(result.session.expiresAt) <= Date.parse(expiry.expiresAt)) sessionWarningState.markFixed(expiry.expiresAt);
      },
    });

  return (
    <section className="session-warning" aria-label="Session ending" data-testid="session-warning">
      <p>
        Your session ends in <span className="time">{formatRemaining(expiry.remainingMs)}</span>
        {warningReason(expiry.endsBy, canExtend)}
      </p>
      <div className="actions">
        {canExtend && (
          <button type="button" className="button primary" onClick={staySignedIn} disabled={refresh.isPending}>
            Stay signed in
          </button>
        )}
        <button type="button" className="button" onClick={() => sessionWarningState.dismiss(expiry.expiresAt)}>
          Dismiss
        </button>
      </div>
      {refresh.isError && <p className="error-text">{describeError(refresh.error, 'renewing your session')}</p>}
    </section>
  );
}
