import type { SessionUser } from '@bff/shared';
import { usePathname } from '../router/location';
import { matchPage, PAGES } from '../router/routes';
import { NotFound } from './NotFound';
import { NotesPanel } from './NotesPanel';
import { OverviewPage } from './OverviewPage';
import { SessionAnnouncer } from './SessionAnnouncer';
import { SessionWarning } from './SessionWarning';
import { SignedInHeader } from './SignedInHeader';

export interface SignedInViewProps {
  user: SessionUser;
  /** The re-login dialog is open over this view: the person's data is not shown. */
  sessionOver?: boolean;
}

export function SignedInView({ user, sessionOver = false }: SignedInViewProps) {
  const pathname = usePathname();
  const page = matchPage(pathname);
  return (
    <>
      <SignedInHeader user={user} sessionOver={sessionOver} />
      {!sessionOver && <SessionWarning />}
      {!sessionOver && <SessionAnnouncer />}
      <main className="content">
        {sessionOver ? (
          // where signing in again comes back to, without the data (the unsent note waits in sessionStorage)
          <>
            <h1 className="page-title">{page === undefined ? 'Not found' : PAGES[page]}</h1>
            <p className="muted">Sign in again to see this page.</p>
          </>
        ) : page === '/' ? (
          <OverviewPage />
        ) : page === '/notes' ? (
          <NotesPanel headingLevel={1} />
        ) : (
          <NotFound pathname={pathname} />
        )}
      </main>
    </>
  );
}
