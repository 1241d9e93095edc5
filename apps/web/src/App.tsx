import { useState } from 'react';
import type { AuthenticatedSessionInfo } from '@bff/shared';
import { useAuthPrompt, useSession } from '@bff/shared/react';
import { describeError } from './api/describeError';
import { ReconnectingBanner } from './components/ReconnectingBanner';
import { ReloginDialog } from './components/ReloginDialog';
import { SignInScreen } from './components/SignInScreen';
import { SignedInView } from './components/SignedInView';

/**
 * Chooses the screen: signed in, the re-login dialog over the last signed-in
 * view (so the person sees where they will come back to), or sign-in.
 */
export function App() {
  const session = useSession();
  const prompt = useAuthPrompt();
  const info = session.data?.info;

  // Remember the last signed-in session: it stays on screen, inert, under the re-login dialog.
  const [lastSignedIn, setLastSignedIn] = useState<AuthenticatedSessionInfo | null>(null);
  if (info?.authenticated && info !== lastSignedIn) setLastSignedIn(info);

  const relogin = prompt.kind === 'relogin' ? prompt : null;
  const user = prompt.kind === 'signed-out' ? undefined : info?.authenticated ? info.user : relogin ? lastSignedIn?.user : undefined;

  let screen;
  if (prompt.kind === 'signed-out') {
    screen = <SignInScreen signedOut={prompt.where} />;
  } else if (user !== undefined) {
    screen = (
      <>
        <div className="app" inert={relogin !== null}>
          <SignedInView user={user} sessionOver={relogin !== null} />
        </div>
        {relogin && <ReloginDialog code={relogin.code} />}
      </>
    );
  } else if (info !== undefined) {
    screen = <SignInScreen reason={relogin?.code ?? (info.authenticated ? undefined : info.reason)} />;
  } else if (session.isError) {
    screen = (
      <main className="sign-in">
        <p className="brand">Refresh-token BFF demo</p>
        <h1>Cannot load your session</h1>
        <p>{describeError(session.error, 'loading your session')}</p>
        <button type="button" className="button primary" onClick={() => void session.refetch()}>
          Try again
        </button>
      </main>
    );
  } else {
    screen = <p className="loading">Loading...</p>;
  }

  return (
    <>
      <ReconnectingBanner />
      {screen}
    </>
  );
}
