import { useMutation } from '@tanstack/react-query';
import { ROUTES, type LogoutResult } from '@bff/shared';
import { bffFetch } from '@bff/shared/client';
import { sessionChannel } from '../queryClient';
import { authPrompt } from './authPrompt';
import { logoutDestination } from './logoutDestination';

/** POST /auth/logout, tell the other tabs, then leave through the IdP's end-session URL (or reload home). */
export function useSignOut() {
  return useMutation({
    mutationFn: () => bffFetch<LogoutResult>(ROUTES.logout, { method: 'POST' }),
    onSuccess: ({ endSessionUrl }) => {
      authPrompt.markSignedOut('here');
      sessionChannel.post({ type: 'signed-out' });
      window.location.assign(logoutDestination(endSessionUrl, window.location.origin));
    },
  });
}
