import { afterEach, describe, expect, it, vi } from 'vitest';
import { QueryClient } from '@tanstack/react-query';
import { bffPaths } from '../../client/paths.js';
import { sessionQueryKey, sessionQueryOptions } from '../sessionQuery.js';

// No DOM here: the query options are run by a bare QueryClient, with a fake
// `fetch` standing in for the BFF.
afterEach(() => {
  vi.unstubAllGlobals();
});

describe('the session query', () => {
  it('reads GET /auth/session with X-CSRF: 1 into the cache under sessionQueryKey', async () => {
    const seen: { url: string; headers: Headers }[] = [];
    vi.stubGlobal('fetch', async (input: string, init: RequestInit) => {
      seen.push({ url: input, headers: new Headers(init.headers) });
      return new Response(JSON.stringify({ authenticated: false, reason: 'TOKEN_REVOKED' }), { status: 200 });
    });
    const client = new QueryClient();
    await client.fetchQuery(sessionQueryOptions());
    expect(seen.map(({ url, headers }) => [url, headers.get('x-csrf')])).toEqual([['/auth/session', '1']]);
    expect(client.getQueryData(sessionQueryKey)).toEqual({ info: { authenticated: false, reason: 'TOKEN_REVOKED' }, skewMs: 0 });
    client.clear();
  });

  it('reads the session under the auth path it is given', async () => {
    const seen: string[] = [];
    vi.stubGlobal('fetch', async (input: string) => {
      seen.push(input);
      return new Response(JSON.stringify({ authenticated: false }), { status: 200 });
    });
    const client = new QueryClient();
    await client.fetchQuery(sessionQueryOptions(bffPaths({ authPath: '/bff/auth/' })));
    expect(seen).toEqual(['/bff/auth/session']);
    client.clear();
  });
});
