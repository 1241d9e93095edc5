import type { SessionUser } from '@bff/shared';
import { usePathname } from '../router/location';
import { matchPage } from '../router/routes';
import { NotFound } from './NotFound';
import { NotesPanel } from './NotesPanel';
import { OverviewPage } from './OverviewPage';
import { SessionWarning } from './SessionWarning';
import { SignedInHeader } from './SignedInHeader';

export interface SignedInViewProps {
  user: SessionUser;
  /** The re-login dialog is open over this view. */
  sessionOver?: boolean;
}

export function SignedInView({ user, sessionOver = false }: SignedInViewProps) {
  const pathname = usePathname();
  const page = matchPage(pathname);
  return (
    <>
      <SignedInHeader user={user} sessionOver={sessionOver} />
      {!sessionOver && <SessionWarning />}
      <main className="content">
        {page === '/' ? (
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
