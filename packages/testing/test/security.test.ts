import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../src/index.js';
import { untilCallback } from './support/untilCallback.js';

/** Sends bytes exactly as given (no URL normalisation by a client library) and returns the status line's code. */
function rawRequest(url: string, request: string): Promise<number> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(request));
    let data = '';
    socket.setTimeout(5_000, () => socket.destroy(new Error('timeout')));
    socket.on('data', (chunk) => {
      data += chunk.toString('latin1');
      const match = /^HTTP\/1\.1 (\d{3})/.exec(data);
      if (match) {
        resolve(Number(match[1]));
        socket.destroy();
      }
    });
    socket.on('error', reject);
    socket.on('end', () => resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(data)?.[1] ?? 0)));
  });
}

describe('security: what a hostile browser, page or network can send', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ bff: { rateLimit: { login: 1000, callback: 1000, refresh: 1000 } } });
  });
  afterAll(async () => stack?.close());

  describe('CSRF', () => {
    it.each(['/auth/logout', '/auth/refresh'])('refuses POST %s without X-CSRF: 1 before looking at the session', async (path) => {
      for (const headers of [{}, { 'x-csrf': '0' }, { 'x-csrf': 'true' }] as Array<Record<string, string>>) {
        const response = await fetch(`${stack.bffUrl}${path}`, { method: 'POST', headers });
        expect(response.status).toBe(403);
        expect(await response.json()).toMatchObject({ code: 'CSRF_REQUIRED' });
      }
    });

    it('refuses every /api call without the header, GET included', async () => {
      for (const method of ['GET', 'POST', 'DELETE']) {
        const response = await fetch(`${stack.bffUrl}/api/notes`, { method });
        expect(response.status).toBe(403);
      }
    });

    it('a cross-site form post cannot log anyone out', async () => {
      const browser = stack.browser();
      await browser.signIn(stack.bffUrl);
      const forged = await browser.fetch(`${stack.bffUrl}/auth/logout`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example' },
        body: 'x=1',
      });
      expect(forged.status).toBe(403);
      expect((await browser.api(`${stack.bffUrl}/auth/session`)).body).toMatchObject({ authenticated: true });
    });
  });

  describe('cookies over http', () => {
    it('the session cookie is HttpOnly, SameSite=Lax, Path=/, no Domain, and not __Host- or Secure on plain http', async () => {
      const login = await fetch(`${stack.bffUrl}/auth/login`, { redirect: 'manual' });
      const cookie = login.headers.getSetCookie().find((c) => c.startsWith('bff.login='))!;
      expect(cookie).toMatch(/; HttpOnly/);
      expect(cookie).toMatch(/; SameSite=Lax/);
      expect(cookie).toMatch(/; Path=\//);
      expect(cookie).not.toMatch(/Domain=|Secure/i);
    });
  });

  describe('returnTo and open redirects', () => {
    it.each([
      'https://evil.example/',
      '//evil.example',
      '/\\evil.example',
      '/%2F%2Fevil.example',
      '%2F%2Fevil.example',
      '/%5Cevil.example',
      'javascript:alert(1)',
      '/x%0d%0aSet-Cookie:%20a=b',
      'notes',
    ])('refuses returnTo=%s with BAD_REQUEST', async (returnTo) => {
      const response = await fetch(`${stack.bffUrl}/auth/login?returnTo=${encodeURIComponent(returnTo)}`, { redirect: 'manual' });
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ code: 'BAD_REQUEST' });
    });

    it('refuses a raw CRLF in returnTo without splitting the response', async () => {
      const status = await rawRequest(
        stack.bffUrl,
        'GET /auth/login?returnTo=/x%0d%0aLocation:%20https://evil HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
      );
      expect(status).toBe(400);
    });
  });

  describe('the callback', () => {
    it('refuses a callback without a login transaction (state from another browser), with a page and no session', async () => {
      const attacker = stack.browser();
      const { callback } = await untilCallback(stack, attacker);
      const victim = stack.browser();
      const response = await victim.fetch(callback, { headers: { accept: 'text/html' } });
      expect(response.status).toBe(400);
      expect(response.headers.get('content-type')).toMatch(/text\/html/);
      expect(await response.text()).toContain('BAD_REQUEST');
      expect(victim.cookies.has('bff.sid')).toBe(false);
    });

    it('refuses a forged state', async () => {
      const browser = stack.browser();
      const { callback } = await untilCallback(stack, browser);
      callback.searchParams.set('state', 'forged');
      expect((await browser.fetch(callback)).status).toBe(400);
      expect(browser.cookies.has('bff.sid')).toBe(false);
    });

    it('refuses an ID token whose nonce does not match the transaction', async () => {
      const browser = stack.browser();
      const { callback, loginCookie } = await untilCallback(stack, browser);
      const transaction = stack.app.bff.cipher.open<Record<string, unknown>>(decodeURIComponent(loginCookie));
      browser.cookies.set('bff.login', encodeURIComponent(stack.app.bff.cipher.seal({ ...transaction, nonce: 'another-nonce' })));
      expect((await browser.fetch(callback)).status).toBe(400);
      expect(browser.cookies.has('bff.sid')).toBe(false);
    });

    it('refuses a replayed authorization code', async () => {
      const browser = stack.browser();
      const { callback, loginCookie } = await untilCallback(stack, browser);
      expect((await browser.fetch(callback)).status).toBe(302);
      const replay = stack.browser();
      replay.cookies.set('bff.login', loginCookie);
      const response = await replay.fetch(callback);
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ code: 'BAD_REQUEST' });
      expect(replay.cookies.has('bff.sid')).toBe(false);
    });

    it("shows the IdP's error (access_denied) as a page, with no session", async () => {
      const browser = stack.browser();
      const { callback } = await untilCallback(stack, browser);
      const denied = new URL('/auth/callback', stack.bffUrl);
      denied.searchParams.set('error', 'access_denied');
      denied.searchParams.set('state', callback.searchParams.get('state')!);
      denied.searchParams.set('iss', stack.idp.issuer);
      const response = await browser.fetch(denied, { headers: { accept: 'text/html' } });
      expect(response.status).toBe(400);
      expect(await response.text()).toContain('access_denied');
      expect(browser.cookies.has('bff.sid')).toBe(false);
    });
  });

  describe('session cookies that lead nowhere', () => {
    let valid: string;
    beforeAll(async () => {
      const browser = stack.browser();
      await browser.signIn(stack.bffUrl);
      valid = browser.cookies.get('bff.sid')!;
    });

    const cases = () => {
      const decoded = decodeURIComponent(valid);
      const [id, signature] = [decoded.slice(0, decoded.lastIndexOf('.')), decoded.slice(decoded.lastIndexOf('.') + 1)];
      return {
        tampered: encodeURIComponent(`${id.slice(0, -1)}${id.endsWith('A') ? 'B' : 'A'}.${signature}`),
        truncated: valid.slice(0, 20),
        'foreign-signed': encodeURIComponent(`${id}.${randomBytes(32).toString('base64url')}`),
        unsigned: id,
        'a destroyed session': encodeURIComponent(`${randomBytes(32).toString('base64url')}.${signature}`),
      };
    };

    it.each(['tampered', 'truncated', 'foreign-signed', 'unsigned', 'a destroyed session'] as const)(
      'a %s cookie is UNAUTHENTICATED and cleared',
      async (kind) => {
        const response = await fetch(`${stack.bffUrl}/api/me`, { headers: { 'x-csrf': '1', cookie: `bff.sid=${cases()[kind]}` } });
        expect(response.status).toBe(401);
        expect(await response.json()).toMatchObject({ code: 'UNAUTHENTICATED' });
        expect(response.headers.getSetCookie().some((c) => /^bff\.sid=;/.test(c) && /Expires=Thu, 01 Jan 1970/.test(c))).toBe(true);
      },
    );

    it('a session past its idle timeout is SESSION_EXPIRED, and its cookie is cleared', async () => {
      const browser = stack.browser();
      await browser.signIn(stack.bffUrl);
      stack.advance(31 * 60_000); // past the 30-minute idle timeout, inside the grace
      try {
        expect((await browser.api(`${stack.bffUrl}/api/me`)).body).toMatchObject({ code: 'SESSION_EXPIRED' });
        expect(browser.cookies.has('bff.sid')).toBe(false);
      } finally {
        stack.advance(-31 * 60_000);
      }
    });
  });

  describe('malformed requests', () => {
    it('answers an oversized body with PAYLOAD_TOO_LARGE on /auth, and lets the API refuse its own on /api', async () => {
      const browser = stack.browser();
      await browser.signIn(stack.bffUrl);
      const big = 'x'.repeat(2 * 1024 * 1024);
      // over the replay limit, an /api body streams to the API, whose own limit (16 KiB for notes) answers
      const api = await browser.fetch(`${stack.bffUrl}/api/notes`, {
        method: 'POST',
        headers: { 'x-csrf': '1', 'content-type': 'application/json' },
        body: big,
      });
      expect(api.status).toBe(413);
      expect(await api.json()).toMatchObject({ error: 'invalid_request', error_description: expect.stringMatching(/larger than/) });
      const auth = await browser.fetch(`${stack.bffUrl}/auth/refresh`, {
        method: 'POST',
        headers: { 'x-csrf': '1', 'content-type': 'application/json' },
        body: big,
      });
      expect(auth.status).toBe(413);
      expect((await browser.api(`${stack.bffUrl}/auth/session`)).body.authenticated).toBe(true);
    });

    it('answers malformed JSON and unknown content types with BAD_REQUEST', async () => {
      for (const [type, body] of [
        ['application/json', '{"text":'],
        ['text/plain', 'hello'],
        ['application/xml', '<a/>'],
      ] as const) {
        const response = await fetch(`${stack.bffUrl}/auth/logout`, {
          method: 'POST',
          headers: { 'x-csrf': '1', 'content-type': type },
          body,
        });
        expect(response.status).toBe(400);
        expect(await response.json()).toMatchObject({ code: 'BAD_REQUEST' });
      }
    });

    it('answers oversized headers without a 5xx', async () => {
      const status = await rawRequest(
        stack.bffUrl,
        `GET /auth/session HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(70_000)}\r\nConnection: close\r\n\r\n`,
      );
      expect(status).toBe(431);
    });

    it('answers unknown methods with CSRF_REQUIRED first, then NOT_FOUND', async () => {
      expect(await rawRequest(stack.bffUrl, 'PROPFIND /auth/session HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')).toBe(403);
      expect(await rawRequest(stack.bffUrl, 'PROPFIND /auth/session HTTP/1.1\r\nHost: x\r\nX-CSRF: 1\r\nConnection: close\r\n\r\n')).toBe(
        404,
      );
    });

    it.each([
      '/api/../auth/session',
      '/api/%2e%2e/auth/session',
      '/api/%2E%2E%2Fauth/session',
      '/api/notes/..%2f..%2fsecret',
      '/api/./me',
      '/api/notes%5c..%5cme',
    ])('does not let %s climb out of the upstream', async (path) => {
      const browser = stack.browser();
      await browser.signIn(stack.bffUrl);
      stack.api.resetHits();
      const status = await rawRequest(
        stack.bffUrl,
        `GET ${path} HTTP/1.1\r\nHost: x\r\nX-CSRF: 1\r\nCookie: bff.sid=${browser.cookies.get('bff.sid')}\r\nConnection: close\r\n\r\n`,
      );
      expect(status).toBe(400);
      expect(stack.api.hits()).toBe(0);
    });
  });

  describe('a fuzz pass', () => {
    it('answers random bytes and random header values on every route with no 5xx, and still serves afterwards', async () => {
      const browser = stack.browser();
      await browser.signIn(stack.bffUrl);
      const cookie = browser.cookies.get('bff.sid')!;
      const routes = [
        '/auth/login',
        '/auth/callback',
        '/auth/session',
        '/auth/refresh',
        '/auth/logout',
        '/auth/backchannel-logout',
        '/api/me',
        '/api/notes',
        '/healthz',
        '/readyz',
        '/',
      ];
      const methods = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD'];
      const statuses = new Map<number, number>();
      const deadline = Date.now() + 8_000;
      let sent = 0;
      // bounded in count and time; loopback only
      for (let i = 0; i < 600 && Date.now() < deadline; i += 1) {
        const route = routes[i % routes.length]!;
        const junk = encodeURIComponent(randomBytes(1 + (i % 40)).toString('latin1'));
        const query = i % 3 === 0 ? `?returnTo=${junk}&code=${junk}&state=${junk}` : i % 3 === 1 ? `/${junk}` : '';
        const headers: Record<string, string> = {
          'x-csrf': i % 2 ? '1' : randomBytes(4).toString('hex'),
          'content-type': ['application/json', 'application/x-www-form-urlencoded', 'text/plain', randomBytes(6).toString('hex')][i % 4]!,
          cookie: i % 5 === 0 ? `bff.sid=${cookie}` : `bff.sid=${randomBytes(i % 60).toString('base64url')}`,
          accept: i % 2 ? 'text/html' : '*/*',
        };
        const method = methods[i % methods.length]!;
        const body = method === 'GET' || method === 'HEAD' ? undefined : randomBytes(i % 300);
        try {
          const response = await fetch(`${stack.bffUrl}${route}${query}`, { method, headers, body, redirect: 'manual' });
          await response.arrayBuffer();
          statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        } catch (err) {
          // a request the client itself refuses to send (e.g. a header it rejects) is not an answer of ours
          if (!(err instanceof TypeError)) throw err;
        }
        sent += 1;
      }
      expect(sent).toBeGreaterThan(100);
      expect([...statuses.keys()].filter((status) => status >= 500)).toEqual([]);
      expect((await fetch(`${stack.bffUrl}/healthz`)).status).toBe(200);
    });
  });
});

describe('rate limits', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ bff: { rateLimit: { login: 5, callback: 5, refresh: 3 } } });
  });
  afterAll(async () => stack?.close());

  it('answers RATE_LIMITED with Retry-After once a client exceeds the login limit', async () => {
    const statuses: number[] = [];
    let last: Response | undefined;
    for (let i = 0; i < 7; i += 1) {
      last = await fetch(`${stack.bffUrl}/auth/login`, { redirect: 'manual' });
      statuses.push(last.status);
    }
    expect(statuses).toEqual([302, 302, 302, 302, 302, 429, 429]);
    expect(last!.headers.get('retry-after')).toBeTruthy();
    expect(await last!.json()).toMatchObject({ code: 'RATE_LIMITED' });
  });

  it('limits explicit refreshes per client too', async () => {
    const browser = stack.browser();
    const statuses: number[] = [];
    for (let i = 0; i < 4; i += 1) statuses.push((await browser.api(`${stack.bffUrl}/auth/refresh`, { method: 'POST' })).status);
    expect(statuses).toEqual([401, 401, 401, 429]);
  });
});
