import { useEffect, useRef, type KeyboardEvent } from 'react';
import type { ReauthCode } from '@bff/shared';
import { signIn } from '@bff/shared/client';
import { useBffPaths } from '@bff/shared/react';
import { focusedBeforeDialog, returnFocus } from '../session/focusReturn';
import { COME_BACK_HERE, REAUTH_MESSAGES } from '../session/reauthMessages';

const FOCUSABLE = 'button:not([disabled]), [href], input:not([disabled]), [tabindex]:not([tabindex="-1"])';

export interface ReloginDialogProps {
  code: ReauthCode;
}

/**
 * A native modal `<dialog>`: the page behind is inert and under a backdrop.
 * The session is over and only signing in again helps, so the person cannot
 * dismiss it (Escape included): behind it, every request would fail. It
 * closes when another tab signed in again, and focus then returns to where
 * it was. Focus starts on the dialog itself, so a keystroke meant for a form
 * does not press "Sign in again".
 */
export function ReloginDialog({ code }: ReloginDialogProps) {
  const dialogRef = useRef<HTMLDialogElement>(null);
  const { title, detail } = REAUTH_MESSAGES[code];
  const paths = useBffPaths();

  useEffect(() => {
    const dialog = dialogRef.current;
    if (dialog === null) return;
    const previous = focusedBeforeDialog();
    const open = () => {
      if (!dialog.open) dialog.showModal();
      dialog.focus();
    };
    // Chrome lets a repeated Escape close a modal whatever `cancel` says: open it again
    const refuse = (event: Event) => event.preventDefault();
    const reopen = () => dialog.isConnected && open();
    dialog.addEventListener('cancel', refuse);
    dialog.addEventListener('close', reopen);
    open();
    return () => {
      dialog.removeEventListener('cancel', refuse);
      dialog.removeEventListener('close', reopen);
      if (dialog.open) dialog.close();
      returnFocus(previous);
    };
  }, []);

  // a modal dialog keeps Tab inside the page, but the browser's own toolbar is on the way round: wrap instead
  const onKeyDown = (event: KeyboardEvent<HTMLDialogElement>) => {
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
    <dialog
      ref={dialogRef}
      className="dialog"
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
      <button type="button" className="button primary" onClick={() => signIn({ paths })}>
        Sign in again
      </button>
    </dialog>
  );
}
