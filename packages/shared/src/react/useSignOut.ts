import { useMutation, useQueryClient, type QueryClient } from '@tanstack/react-query';
import type { SessionSnapshot } from '../client/fetchSession.js';
import { signOut, type SignOutOptions } from '../client/signOut.js';
import { bffClientParts } from './bffClientParts.js';
import { sessionQueryKey } from './sessionQuery.js';

/** The sign-out mutation of `client` (what useSignOut runs): `signOut()` with its paths, other tabs, prompt and the cached `logoutUrl`. */
export function signOutMutationOptions(client: QueryClient, navigate?: SignOutOptions['navigate']) {
  const { paths, channel, prompt } = bffClientParts(client);
  return {
    mutationFn: () => {
      const info = client.getQueryData<SessionSnapshot>(sessionQueryKey)?.info;
      const logoutUrl = info?.authenticated ? info.logoutUrl : undefined;
      return signOut({ logoutUrl, paths, channel, prompt, ...(navigate && { navigate }) });
    },
  };
}

/**
 * Sign-out as a mutation: a top-level navigation to the session's
 * `logoutUrl`, the app's other tabs told. It stays pending while the page leaves.
 */
export function useSignOut() {
  return useMutation(signOutMutationOptions(useQueryClient()));
}
