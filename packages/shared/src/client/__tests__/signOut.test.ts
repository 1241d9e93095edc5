import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createAuthPromptStore } from '../authPrompt.js';
import { bffPaths } from '../paths.js';
import type { SessionChannel, SessionMessage } from '../sessionChannel.js';
import { signOut } from '../signOut.js';

// No DOM here: `window.location` is a stub and a fake `fetch` stands in for the BFF.
const origin = 'http://localhost:3000';
const logoutUrl = `${origin}/auth/logout?sid=s1`;
let assigned: string[];

beforeEach(() => {
  assigned = [];
  vi.stubGlobal('window', { location: { origin, assign: (url: string) => void assigned.push(url) } });
});
afterEach(() => {
  vi.unstubAllGlobals();
});

function tabs() {
  const posted: SessionMessage[] = [];
  const channel: SessionChannel = { post: (message) => void posted.push(message), subscribe: () => () => {} };
  return { channel, posted };
}

/** A BFF that answers each path from `answers`, and the requests it saw. */
function bff(answers: Record<string, unknown>) {
  const seen: { method: string; path: string; csrf: string | null }[] = [];
  const fetchFn: typeof fetch = async (input, init) => {
    const path = String(input);
    seen.push({ method: init?.method ?? 'GET', path, csrf: new Headers(init?.headers).get('x-csrf') });
    return new Response(JSON.stringify(answers[path] ?? {}), { status: 200 });
  };
  return { fetch: fetchFn, seen };
}

describe('signOut', () => {
  it("navigates to the session's logoutUrl, telling this tab's prompt and the other tabs first", async () => {
    const { channel, posted } = tabs();
    const prompt = createAuthPromptStore();
    await expect(signOut({ logoutUrl, channel, prompt })).resolves.toBe(logoutUrl);
    expect(assigned).toEqual([logoutUrl]);
    expect(posted).toEqual([{ type: 'signed-out' }]);
    expect(prompt.get()).toEqual({ kind: 'signed-out', where: 'here' });
  });

  it('asks /auth/session for the logoutUrl when none is at hand, under the auth path it is given', async () => {
    const server = bff({ '/bff/auth/session': { authenticated: true, logoutUrl: `${origin}/bff/auth/logout?sid=s2` } });
    await signOut({ paths: bffPaths({ authPath: '/bff/auth' }), fetch: server.fetch });
    expect(server.seen.map(({ method, path }) => `${method} ${path}`)).toEqual(['GET /bff/auth/session']);
    expect(assigned).toEqual([`${origin}/bff/auth/logout?sid=s2`]);
  });

  it('without a session, POSTs /auth/logout with X-CSRF and goes home when the BFF names no end-session URL', async () => {
    const server = bff({ '/auth/session': { authenticated: false }, '/auth/logout': { endSessionUrl: null } });
    await signOut({ fetch: server.fetch });
    expect(server.seen).toEqual([
      { method: 'GET', path: '/auth/session', csrf: '1' },
      { method: 'POST', path: '/auth/logout', csrf: '1' },
    ]);
    expect(assigned).toEqual(['/']);
  });

  it('never follows a logoutUrl that is not http(s)', async () => {
    await signOut({ logoutUrl: 'javascript:alert(1)' });
    expect(assigned).toEqual(['/']);
  });

  it('uses the navigation it is given', async () => {
    const navigated: string[] = [];
    await signOut({ logoutUrl, navigate: (url) => void navigated.push(url) });
    expect(navigated).toEqual([logoutUrl]);
    expect(assigned).toEqual([]);
  });
});
