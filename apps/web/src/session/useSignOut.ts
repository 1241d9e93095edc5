import { useMutation } from '@tanstack/react-query';
import { ROUTES, type LogoutResult } from '@bff/shared';
import { bffFetch } from '@bff/shared/client';
import { useSession } from '@bff/shared/react';
import { sessionChannel } from '../queryClient';
import { authPrompt } from './authPrompt';
import { logoutDestination } from './logoutDestination';

/**
 * Sign-out: tell the other tabs, then navigate to the session's `logoutUrl`
 * (`GET /auth/logout?sid=...`). The BFF ends the session and answers with a
 * 302 to the IdP's end-session endpoint, so the IdP's own session ends too,
 * and any `id_token_hint` travels only in that redirect. Without a
 * `logoutUrl` (an older BFF), POST /auth/logout and follow its answer.
 */
export function useSignOut() {
  const session = useSession();
  const logoutUrl = session.data?.info.authenticated ? session.data.info.logoutUrl : undefined;
  return useMutation({
    mutationFn: async (): Promise<string> => {
      if (logoutUrl) return logoutUrl;
      const { endSessionUrl } = await bffFetch<LogoutResult>(ROUTES.logout, { method: 'POST' });
      return endSessionUrl ?? '/';
    },
    onSuccess: (destination) => {
      authPrompt.markSignedOut('here');
      sessionChannel.post({ type: 'signed-out' });
      window.location.assign(logoutDestination(destination, window.location.origin));
    },
  });
}
