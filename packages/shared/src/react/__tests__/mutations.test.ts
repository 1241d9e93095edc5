import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { QueryClient } from '@tanstack/react-query';
import { BffError } from '../../client/BffError.js';
import type { SessionChannel, SessionMessage } from '../../client/sessionChannel.js';
import { createAuthPromptStore } from '../../client/authPrompt.js';
import { createBffQueryClient } from '../createBffQueryClient.js';
import { sessionQueryKey } from '../sessionQuery.js';
import { refreshSessionMutationOptions } from '../useRefreshSession.js';
import { signOutMutationOptions } from '../useSignOut.js';

// No DOM here: the hooks' mutations are run by a bare QueryClient, with a fake `fetch` standing in for the BFF.
const origin = 'http://localhost:3000';
let requests: string[];
let answer: (path: string) => Response;

beforeEach(() => {
  requests = [];
  vi.stubGlobal('window', { location: { origin, assign: () => {} } });
  vi.stubGlobal('fetch', async (input: string, init: RequestInit) => {
    requests.push(`${init.method ?? 'GET'} ${input} x-csrf=${new Headers(init.headers).get('x-csrf')}`);
    return answer(input);
  });
});
afterEach(() => {
  vi.unstubAllGlobals();
});

const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status });
const silentTabs = (): SessionChannel & { posted: SessionMessage[] } => {
  const posted: SessionMessage[] = [];
  return { posted, post: (message) => void posted.push(message), subscribe: () => () => {} };
};
const run = <T>(client: QueryClient, options: { mutationFn: () => Promise<T> }) =>
  client.getMutationCache().build(client, options).execute(undefined);

describe('useRefreshSession', () => {
  it('POSTs /auth/refresh under the configured auth path with X-CSRF, then re-reads the session', async () => {
    const client = createBffQueryClient({ authPath: '/bff/auth', channel: silentTabs() });
    answer = (path) => json(path.endsWith('/refresh') ? { success: true, session: { sub: 'alice' } } : { authenticated: false });
    client.setQueryData(sessionQueryKey, { info: { authenticated: false }, skewMs: 0 });
    await run(
      client,
      refreshSessionMutationOptions(client, () => 0),
    );
    expect(requests).toEqual(['POST /bff/auth/refresh x-csrf=1']);
    expect(client.getQueryState(sessionQueryKey)?.isInvalidated).toBe(true);
    client.clear();
  });

  it('retries while the IdP is unavailable, and not a refusal', async () => {
    const client = new QueryClient();
    const options = refreshSessionMutationOptions(client, () => 0);
    const unavailable = new BffError('IdP down', { status: 503, code: 'IDP_UNAVAILABLE' });
    expect(options.retry(0, unavailable)).toBe(true);
    expect(options.retry(0, new BffError('Revoked', { status: 401, code: 'TOKEN_REVOKED' }))).toBe(false);
    expect(options.retryDelay(0)).toBe(1_000);
  });
});

describe('useSignOut', () => {
  it("navigates to the cached session's logoutUrl and tells the other tabs and the prompt", async () => {
    const tabs = silentTabs();
    const prompt = createAuthPromptStore();
    const client = createBffQueryClient({ channel: tabs, prompt });
    const logoutUrl = `${origin}/auth/logout?sid=s1`;
    client.setQueryData(sessionQueryKey, { info: { authenticated: true, logoutUrl }, skewMs: 0 });
    const navigated: string[] = [];
    await expect(
      run(
        client,
        signOutMutationOptions(client, (url) => void navigated.push(url)),
      ),
    ).resolves.toBe(logoutUrl);
    expect(navigated).toEqual([logoutUrl]);
    expect(requests).toEqual([]);
    expect(tabs.posted).toEqual([{ type: 'signed-out' }]);
    expect(prompt.get()).toEqual({ kind: 'signed-out', where: 'here' });
    client.clear();
  });
});
