import { afterEach, describe, expect, it } from 'vitest';
import { QueryObserver, type QueryClient } from '@tanstack/react-query';
import type { SessionInfo } from '../../session.js';
import { createAuthPromptStore } from '../../client/authPrompt.js';
import { BffError } from '../../client/BffError.js';
import type { SessionSnapshot } from '../../client/fetchSession.js';
import type { SessionChannel, SessionMessage } from '../../client/sessionChannel.js';
import { createBffQueryClient } from '../createBffQueryClient.js';
import { sessionQueryKey } from '../sessionQuery.js';

/** An in-memory stand-in for the BroadcastChannel between tabs. */
function fakeChannel() {
  const posted: SessionMessage[] = [];
  let deliver: (message: SessionMessage) => void = () => {};
  const channel: SessionChannel = {
    post: (message) => void posted.push(message),
    subscribe(onMessage) {
      deliver = onMessage;
      return () => {};
    },
  };
  return { channel, posted, receive: (message: SessionMessage) => deliver(message) };
}

function setup() {
  const prompt = createAuthPromptStore();
  const tabs = fakeChannel();
  const client = createBffQueryClient({ prompt, channel: tabs.channel, random: () => 0 });
  clients.push(client);
  return { prompt, tabs, client };
}

const clients: QueryClient[] = [];
afterEach(() => {
  for (const client of clients.splice(0)) client.clear();
});

const signedIn: SessionInfo = {
  authenticated: true,
  user: { sub: 'alice' },
  accessTokenExpiresAt: '2030-01-01T10:15:00Z',
  sessionExpiresAt: '2030-01-01T11:00:00Z',
  logoutUrl: 'http://localhost:3000/auth/logout?sid=s1',
  sessionEndsBy: 'idle',
  serverTime: '2030-01-01T10:00:00Z',
};

/** What /auth/session answers once the refresh token's end has passed: /auth/session never refreshes, so it still names the user. */
const pastRefreshTokenEnd: SessionInfo = {
  ...signedIn,
  sessionExpiresAt: '2030-01-01T10:00:00Z',
  sessionEndsBy: 'refresh_token',
  serverTime: '2030-01-01T10:00:01Z',
};

/** The session query, answered from a list of snapshots in order. */
function sessionAnswers(client: QueryClient, infos: SessionInfo[]) {
  const queue = [...infos];
  const fetchSession = () =>
    client.fetchQuery({
      queryKey: sessionQueryKey,
      queryFn: async (): Promise<SessionSnapshot> => ({ info: queue.shift() ?? { authenticated: false }, skewMs: 0 }),
      staleTime: 0,
    });
  return fetchSession;
}

/** The session query on screen (observed, as in the app, so that invalidation refetches it), answered from a list in order. */
function watchedSession(client: QueryClient, infos: SessionInfo[]) {
  const queue = [...infos];
  const observer = new QueryObserver(client, {
    queryKey: sessionQueryKey,
    queryFn: async (): Promise<SessionSnapshot> => ({ info: queue.shift() ?? { authenticated: false }, skewMs: 0 }),
    staleTime: Infinity,
  });
  const stop = observer.subscribe(() => {});
  const answered = (count: number) => expect.poll(() => client.getQueryState(sessionQueryKey)?.dataUpdateCount).toBe(count);
  return { answered, stop };
}

const revoked = () => new BffError('Revoked', { status: 401, code: 'TOKEN_REVOKED' });

describe('createBffQueryClient', () => {
  it('opens the re-login prompt on a re-auth code from a query and tells other tabs once', async () => {
    const { client, prompt, tabs } = setup();
    const failing = { queryFn: () => Promise.reject(revoked()) };
    await client.fetchQuery({ queryKey: ['notes'], ...failing }).catch(() => {});
    await client.fetchQuery({ queryKey: ['me'], ...failing }).catch(() => {});
    expect(prompt.get()).toEqual({ kind: 'relogin', code: 'TOKEN_REVOKED' });
    expect(tabs.posted).toEqual([{ type: 'session-lost', code: 'TOKEN_REVOKED' }]);
  });

  it('opens the re-login prompt on a re-auth code from a mutation', async () => {
    const { client, prompt } = setup();
    const mutation = client.getMutationCache().build(client, {
      mutationFn: () => Promise.reject(new BffError('Gone', { status: 401, code: 'SESSION_EXPIRED' })),
    });
    await mutation.execute(undefined).catch(() => {});
    expect(prompt.get()).toEqual({ kind: 'relogin', code: 'SESSION_EXPIRED' });
  });

  it('does not retry a 401 (one request, then the prompt)', async () => {
    const { client } = setup();
    let calls = 0;
    await client
      .fetchQuery({
        queryKey: ['notes'],
        queryFn: () => {
          calls++;
          return Promise.reject(revoked());
        },
      })
      .catch(() => {});
    expect(calls).toBe(1);
  });

  it('treats /auth/session turning anonymous after a signed-in answer as session loss, with its reason', async () => {
    const { client, prompt, tabs } = setup();
    const fetchSession = sessionAnswers(client, [signedIn, { authenticated: false, reason: 'SESSION_EXPIRED' }]);
    await fetchSession();
    expect(prompt.get()).toEqual({ kind: 'none' });
    await fetchSession();
    expect(prompt.get()).toEqual({ kind: 'relogin', code: 'SESSION_EXPIRED' });
    expect(tabs.posted).toEqual([{ type: 'signed-in' }, { type: 'session-lost', code: 'SESSION_EXPIRED' }]);
  });

  it('treats a signed-in answer already past its own end as the end of the session, worded by its deadline', async () => {
    const { client, prompt, tabs } = setup();
    await sessionAnswers(client, [signedIn, pastRefreshTokenEnd])();
    expect(prompt.get()).toEqual({ kind: 'none' });
    await sessionAnswers(client, [pastRefreshTokenEnd])();
    expect(prompt.get()).toEqual({ kind: 'relogin', code: 'EXPIRED_TOKEN' });
    expect(tabs.posted).toContainEqual({ type: 'session-lost', code: 'EXPIRED_TOKEN' });
  });

  it('prompts at once when the page opens on a session already past its end', async () => {
    const { client, prompt } = setup();
    await sessionAnswers(client, [{ ...pastRefreshTokenEnd, sessionEndsBy: 'absolute' }])();
    expect(prompt.get()).toEqual({ kind: 'relogin', code: 'SESSION_EXPIRED' });
  });

  it('forgets the data on screen when the session is lost', async () => {
    const { client, prompt } = setup();
    await sessionAnswers(client, [signedIn])();
    client.setQueryData(['notes'], [{ id: '1', text: 'secret', createdAt: '2030-01-01T00:00:00Z' }]);
    await client.fetchQuery({ queryKey: ['me'], queryFn: () => Promise.reject(revoked()) }).catch(() => {});
    expect(prompt.get().kind).toBe('relogin');
    expect(client.getQueryData(['notes'])).toBeUndefined();
  });

  it('tells the other tabs once when it opens signed in, so that a tab asking to sign in again can look', async () => {
    const { client, tabs } = setup();
    await sessionAnswers(client, [signedIn, signedIn])();
    await sessionAnswers(client, [signedIn])();
    expect(tabs.posted).toEqual([{ type: 'signed-in' }]);
  });

  it('closes the re-login prompt when another tab signed in again and /auth/session confirms it', async () => {
    const { client, prompt, tabs } = setup();
    const expired: SessionInfo = { authenticated: false, reason: 'SESSION_EXPIRED' };
    // answers: on screen, the end, the prompt's own check, and after the other tab signed in
    const session = watchedSession(client, [signedIn, expired, expired, signedIn]);
    await session.answered(1);
    void client.refetchQueries({ queryKey: sessionQueryKey });
    await session.answered(3);
    expect(prompt.get()).toEqual({ kind: 'relogin', code: 'SESSION_EXPIRED' });

    tabs.receive({ type: 'signed-in' });
    await session.answered(4);
    expect(prompt.get()).toEqual({ kind: 'none' });
    session.stop();
  });

  it('keeps the re-login prompt when another tab opened but the session is still over', async () => {
    const { client, prompt, tabs } = setup();
    // answers: on screen, the prompt's own check, and after the other tab opened (on the same ended session)
    const session = watchedSession(client, [signedIn, pastRefreshTokenEnd, pastRefreshTokenEnd]);
    await session.answered(1);
    tabs.receive({ type: 'session-lost', code: 'TOKEN_REVOKED' });
    await session.answered(2);
    tabs.receive({ type: 'signed-in' });
    await session.answered(3);
    expect(prompt.get()).toEqual({ kind: 'relogin', code: 'TOKEN_REVOKED' });
    session.stop();
  });

  it('does not prompt a first visitor who was never signed in', async () => {
    const { client, prompt } = setup();
    await sessionAnswers(client, [{ authenticated: false, reason: 'UNAUTHENTICATED' }])();
    expect(prompt.get()).toEqual({ kind: 'none' });
  });

  it('follows another tab that lost the session without echoing it back', async () => {
    const { client, prompt, tabs } = setup();
    await sessionAnswers(client, [signedIn])();
    tabs.receive({ type: 'session-lost', code: 'TOKEN_REVOKED' });
    expect(prompt.get()).toEqual({ kind: 'relogin', code: 'TOKEN_REVOKED' });
    expect(tabs.posted).toEqual([{ type: 'signed-in' }]);
  });

  it('shows signed out and forgets the data when another tab signs out', async () => {
    const { client, prompt, tabs } = setup();
    await sessionAnswers(client, [signedIn])();
    client.setQueryData(['notes'], [{ id: '1', text: 'secret', createdAt: '2030-01-01T00:00:00Z' }]);
    tabs.receive({ type: 'signed-out' });
    expect(prompt.get()).toEqual({ kind: 'signed-out', where: 'elsewhere' });
    expect(client.getQueryData(['notes'])).toBeUndefined();
    expect(client.getQueryData<SessionSnapshot>(sessionQueryKey)?.info.authenticated).toBe(false);
  });
});
