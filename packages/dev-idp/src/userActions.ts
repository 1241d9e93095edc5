import type Provider from 'oidc-provider';
import { accountIdsOf } from './accounts.js';
import type { MemoryStore } from './store.js';

/** Revokes every grant of the user, named by login name or DID (all their tokens die with it); returns how many grants. */
export function revokeUser(store: MemoryStore, sub: string): number {
  let revoked = 0;
  for (const { id } of accountIdsOf(sub).flatMap((accountId) => store.findByAccount('Grant', accountId))) {
    if (store.revokeGrant(id)) revoked += 1;
  }
  return revoked;
}

// oidc-provider's Client has this method (it uses it for RP-initiated logout); @types/oidc-provider omits it
interface BackchannelClient {
  backchannelLogoutUri?: string | undefined;
  backchannelLogout(sub: string, sid: string | undefined): Promise<void>;
}

/**
 * Ends the user's sessions at this provider as an administrator would: every client
 * with a backchannel_logout_uri that the sessions signed in to receives a logout
 * token (with the session's `sid`), those grants are revoked and the sessions end.
 * Returns how many logout tokens were delivered (answered 200 or 204).
 */
export async function backchannelLogout(provider: Provider, store: MemoryStore, sub: string, log: (line: string) => void): Promise<number> {
  let sent = 0;
  for (const session of accountIdsOf(sub).flatMap((accountId) => store.findByAccount('Session', accountId))) {
    for (const [clientId, authorization] of Object.entries(session.payload.authorizations ?? {})) {
      const client = (await provider.Client.find(clientId)) as unknown as BackchannelClient | undefined;
      if (client?.backchannelLogoutUri !== undefined) {
        try {
          await client.backchannelLogout(session.payload.accountId ?? sub, authorization.sid);
          sent += 1;
        } catch (err) {
          log(`back-channel logout to ${client.backchannelLogoutUri} failed: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
      if (authorization.grantId !== undefined) store.revokeGrant(authorization.grantId);
    }
    store.destroySession(session.id);
  }
  return sent;
}
