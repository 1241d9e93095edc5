import { useNow } from '@bff/shared/react';
import { usePoliteAnnouncement } from '../session/usePoliteAnnouncement';
import { useSessionWarning } from '../session/useSessionWarning';
import { warningAnnouncement } from '../session/warningMessages';

/**
 * The countdown for screen readers: a polite live region, always in the
 * page so that a change is heard, saying how many minutes are left while
 * the warning shows, at most once a minute.
 */
export function SessionAnnouncer() {
  const warning = useSessionWarning();
  const now = useNow();
  const wanted = warning?.visible ? warningAnnouncement(warning.expiry.remainingMs, warning.expiry.endsBy, warning.canExtend) : '';
  const text = usePoliteAnnouncement(wanted, now);
  return (
    <p role="status" className="sr-only" data-testid="session-announcer">
      {text}
    </p>
  );
}
