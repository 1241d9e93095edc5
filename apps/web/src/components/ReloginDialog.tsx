import { useEffect, useRef, type KeyboardEvent } from 'react';
import type { ReauthCode } from '@bff/shared';
import { signIn } from '@bff/shared/client';
import { COME_BACK_HERE, REAUTH_MESSAGES } from '../session/reauthMessages';

const FOCUSABLE = 'button:not([disabled]), [href], input:not([disabled]), [tabindex]:not([tabindex="-1"])';

export interface ReloginDialogProps {
  code: ReauthCode;
}

/**
 * Modal: the session is over and only signing in again helps, so there is no
 * way to dismiss it (Escape included): behind it, every request would fail.
 * The page behind is made `inert` by App; focus starts on the dialog itself,
 * so a keystroke meant for a form does not press "Sign in again".
 */
export function ReloginDialog({ code }: ReloginDialogProps) {
  const dialogRef = useRef<HTMLDivElement>(null);
  const { title, detail } = REAUTH_MESSAGES[code];

  useEffect(() => {
    dialogRef.current?.focus();
  }, []);

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (event.key === 'Escape') {
      event.preventDefault();
      return;
    }
    if (event.key !== 'Tab' || dialogRef.current === null) return;
    const focusable = Array.from(dialogRef.current.querySelectorAll<HTMLElement>(FOCUSABLE));
    const first = focusable[0];
    const last = focusable[focusable.length - 1];
    if (first === undefined || last === undefined) return;
    const active = document.activeElement;
    if (event.shiftKey && (active === first || active === dialogRef.current)) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && active === last) {
      event.preventDefault();
      first.focus();
    }
  };

  return (
    <div className="backdrop">
      <div
        ref={dialogRef}
        className="dialog"
        role="dialog"
        aria-modal="true"
        aria-labelledby="relogin-title"
        aria-describedby="relogin-detail"
        tabIndex={-1}
        onKeyDown={onKeyDown}
        data-testid="relogin-dialog"
      >
        <h2 id="relogin-title">{title}</h2>
        <p id="relogin-detail">
          {detail} {COME_BACK_HERE}
        </p>
        <button type="button" className="button primary" onClick={signIn}>
          Sign in again
        </button>
      </div>
    </div>
  );
}
