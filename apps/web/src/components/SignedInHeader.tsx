import type { SessionUser } from '@bff/shared';
import { Link } from '../router/Link';
import { SessionCountdown } from './SessionCountdown';
import { SignOutButton } from './SignOutButton';

export interface SignedInHeaderProps {
  user: SessionUser;
  /** The session is over (the re-login dialog is open): nobody is signed in any more. */
  sessionOver?: boolean;
}

export function SignedInHeader({ user, sessionOver = false }: SignedInHeaderProps) {
  // a DID subject (AT Protocol) is known by its handle; a handle that is only the DID again says nothing new
  const handle = user.handle !== undefined && user.handle !== user.did ? `@${user.handle}` : undefined;
  return (
    <header className="site-header">
      <Link to="/" className="brand">
        Refresh-token BFF demo
      </Link>
      <nav aria-label="Main">
        <Link to="/">Overview</Link>
        <Link to="/notes">Notes</Link>
      </nav>
      {sessionOver ? (
        <p className="who muted" data-testid="session-ended">
          Session ended
        </p>
      ) : (
        <div className="who">
          <span>
            Signed in as <strong data-testid="signed-in-user">{user.name ?? handle ?? user.sub}</strong>
            {handle !== undefined && user.name !== undefined ? (
              <>
                {' '}
                <span className="handle" data-testid="signed-in-handle">
                  {handle}
                </span>
              </>
            ) : null}
          </span>
          <SessionCountdown />
          <SignOutButton />
        </div>
      )}
    </header>
  );
}
