import { MutationCache, QueryCache, QueryClient, type QueryKey } from '@tanstack/react-query';
import { isReauthCode, type ReauthCode } from '../errors.js';
import { isPastSessionEnd, sessionEndReason } from '../sessionEnd.js';
import { createAuthPromptStore, type AuthPromptStore } from '../client/authPrompt.js';
import { reauthCodeOf } from '../client/BffError.js';
import type { SessionSnapshot } from '../client/fetchSession.js';
import { bffPaths, type BffPathsConfig } from '../client/paths.js';
import { retryDelay, shouldRetry } from '../client/retryPolicy.js';
import { openSessionChannel, type SessionChannel } from '../client/sessionChannel.js';
import { setBffClientParts } from './bffClientParts.js';
import { sessionQueryKey } from './sessionQuery.js';

export interface BffQueryClientOptions extends BffPathsConfig {
  /** The re-login prompt the app shows (read it with `useAuthPrompt`); default a new one. */
  prompt?: AuthPromptStore;
  /** The app's other tabs; default `openSessionChannel()` (a BroadcastChannel). */
  channel?: SessionChannel;
  /** Source of retry jitter; tests pass a constant. */
  random?: () => number;
}

const isSessionQuery = (query: { queryKey: QueryKey }) => query.queryKey[0] === sessionQueryKey[0];

/**
 * The app's one QueryClient, for `<QueryClientProvider client>`. Its cache callbacks are the single place that
 * reacts to the session ending: any query or mutation failing with a re-auth
 * code, /auth/session turning anonymous after we were signed in or
 * answering past its own end, or another tab saying so. Each opens the
 * re-login prompt once and forgets the person's data; only a loss seen here
 * is broadcast, so tabs never echo each other. Connection trouble
 * (IDP_UNAVAILABLE, network) is retried by `shouldRetry` and shown by
 * an app's "Reconnecting..." state, which can read the caches (apps/web's
 * connection/reconnecting.ts).
 */
export function createBffQueryClient(options: BffQueryClientOptions = {}): QueryClient {
  const { prompt = createAuthPromptStore(), channel = openSessionChannel(), random = Math.random } = options;
  let signedInBefore = false;
  // set when another tab opened signed in: the next /auth/session answer says whether the session is back
  let checkingSignIn = false;

  const refetchSession = () => client.invalidateQueries({ queryKey: sessionQueryKey });
  const forgetData = () => client.removeQueries({ predicate: (query) => !isSessionQuery(query) });

  const sessionLost = (code: ReauthCode, seen: 'here' | 'other-tab') => {
    if (!prompt.openRelogin(code)) return;
    // what was on screen is not kept behind the prompt
    forgetData();
    if (seen === 'here') channel.post({ type: 'session-lost', code });
    void refetchSession();
  };

  const onError = (error: unknown) => {
    const code = reauthCodeOf(error);
    if (code !== undefined) sessionLost(code, 'here');
  };

  const onSessionSnapshot = ({ info }: SessionSnapshot) => {
    const checking = checkingSignIn;
    checkingSignIn = false;
    if (info.authenticated && isPastSessionEnd(info)) {
      // /auth/session never refreshes: past the refresh token's end it still names the user, but nothing works
      sessionLost(sessionEndReason(info.sessionEndsBy), 'here');
    } else if (info.authenticated) {
      // signed in again in another tab: the prompt closes and the data comes back
      if (checking) prompt.closeRelogin();
      if (!signedInBefore) channel.post({ type: 'signed-in' });
      signedInBefore = true;
    } else if (signedInBefore) {
      // idle or absolute timeout, revocation, a restart of the BFF's store...
      sessionLost(isReauthCode(info.reason) ? info.reason : 'UNAUTHENTICATED', 'here');
    }
  };

  const client: QueryClient = new QueryClient({
    queryCache: new QueryCache({
      onError,
      onSuccess: (data, query) => {
        if (isSessionQuery(query)) onSessionSnapshot(data as SessionSnapshot);
      },
    }),
    mutationCache: new MutationCache({ onError }),
    defaultOptions: {
      queries: {
        retry: shouldRetry,
        retryDelay: (failureCount) => retryDelay(failureCount, random()),
        staleTime: 15_000,
      },
      // not idempotent: a note may be saved even though the answer was lost
      mutations: { retry: false },
    },
  });

  channel.subscribe((message) => {
    if (message.type === 'session-lost') {
      if (signedInBefore) sessionLost(message.code, 'other-tab');
      return;
    }
    if (message.type === 'signed-in') {
      if (prompt.get().kind !== 'relogin') return;
      checkingSignIn = true;
      void refetchSession();
      return;
    }
    prompt.markSignedOut('elsewhere');
    // forget the person's data at once, then confirm with the BFF
    forgetData();
    client.setQueryData<SessionSnapshot>(sessionQueryKey, { info: { authenticated: false }, skewMs: 0 });
    void refetchSession();
  });

  setBffClientParts(client, { paths: bffPaths(options), channel, prompt });
  return client;
}
