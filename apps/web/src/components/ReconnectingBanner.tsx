import { useReconnecting } from '../connection/useReconnecting';

/**
 * The status region is always in the page so that screen readers announce
 * its text when it appears; the banner inside it comes and goes.
 */
export function ReconnectingBanner() {
  const reconnecting = useReconnecting();
  return (
    <div role="status" className="status-region">
      {reconnecting && (
        <p className="banner" data-testid="reconnecting">
          Reconnecting...
        </p>
      )}
    </div>
  );
}
