import { isReauthCode, type ErrorCode } from '@bff/shared';
import { signIn } from '@bff/shared/client';
import { useBffPaths } from '@bff/shared/react';
import { COME_BACK_HERE, REAUTH_MESSAGES } from '../session/reauthMessages';

export interface SignInScreenProps {
  /** Why the last session ended, from /auth/session or the re-auth code that ended it. */
  reason?: ErrorCode | undefined;
  /** Signed out on purpose: here, or in another tab. */
  signedOut?: 'here' | 'elsewhere' | undefined;
}

function wording({ reason, signedOut }: SignInScreenProps): { title: string; detail: string } {
  if (signedOut === 'elsewhere') return { title: 'You signed out in another tab', detail: 'Sign in to continue.' };
  if (signedOut === 'here') return { title: 'You are signed out', detail: 'Sign in to continue.' };
  // UNAUTHENTICATED on its own is simply "not signed in": a first visit reads the same
  if (isReauthCode(reason) && reason !== 'UNAUTHENTICATED') {
    const message = REAUTH_MESSAGES[reason];
    return { title: message.title, detail: `${message.detail} ${COME_BACK_HERE}` };
  }
  return {
    title: 'Sign in',
    detail: 'Sign in to see your profile and notes. Your tokens stay on the server; this page only holds a session cookie.',
  };
}

export function SignInScreen(props: SignInScreenProps) {
  const { title, detail } = wording(props);
  const paths = useBffPaths();
  return (
    <main className="sign-in" data-testid="sign-in-screen">
      <p className="brand">Refresh-token BFF demo</p>
      <h1>{title}</h1>
      <p>{detail}</p>
      <button type="button" className="button primary" onClick={() => signIn({ paths })}>
        Sign in
      </button>
    </main>
  );
}
