import type { LogoutResult } from '../session.js';
import type { AuthPromptStore } from './authPrompt.js';
import { bffFetch } from './bffFetch.js';
import { fetchSession } from './fetchSession.js';
import { logoutDestination } from './logoutDestination.js';
import { DEFAULT_BFF_PATHS, type BffPaths } from './paths.js';
import type { SessionChannel } from './sessionChannel.js';

export interface SignOutOptions {
  /** The session's `logoutUrl`, when a /auth/session answer is at hand; else /auth/session is asked. */
  logoutUrl?: string | undefined;
  /** Where the BFF's routes are (`bffPaths()`); default `/auth`. */
  paths?: BffPaths;
  /** Told `signed-out`, so that the app's other tabs show it at once. */
  channel?: SessionChannel;
  /** Marked signed out here, so that this tab shows it until the page has gone. */
  prompt?: AuthPromptStore;
  fetch?: typeof fetch;
  /** Default: a full-page navigation (`window.location.assign`). */
  navigate?: (url: string) => void;
}

/**
 * Signs out with a top-level navigation to the session's `logoutUrl`
 * (`GET /auth/logout?sid=...`): the BFF ends the session and answers with a
 * 302 to the IdP's end-session endpoint, so the IdP's own session ends too,
 * and an `id_token_hint` travels only in that redirect, never in a body a
 * script can read. Without a `logoutUrl` (no session, or an older BFF),
 * POST /auth/logout and follow its answer. Resolves with where it went.
 */
export async function signOut(options: SignOutOptions = {}): Promise<string> {
  const { paths = DEFAULT_BFF_PATHS, channel, prompt, fetch } = options;
  const navigate = options.navigate ?? ((url: string) => window.location.assign(url));
  const logoutUrl = options.logoutUrl ?? (await currentLogoutUrl(paths, fetch));
  const destination = logoutUrl ?? (await bffFetch<LogoutResult>(paths.logout, { method: 'POST' }, fetch)).endSessionUrl;
  const target = logoutDestination(destination, window.location.origin);
  prompt?.markSignedOut('here');
  channel?.post({ type: 'signed-out' });
  navigate(target);
  return target;
}

async function currentLogoutUrl(paths: BffPaths, fetchFn: typeof fetch | undefined): Promise<string | undefined> {
  const { info } = await fetchSession({ paths, ...(fetchFn && { fetch: fetchFn }) });
  return info.authenticated ? info.logoutUrl : undefined;
}
