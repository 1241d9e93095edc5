import { randomBytes } from 'node:crypto';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bff, type BffOptions } from '@bff/fastify-bff';
import { send } from './support/http.js';
import { startStack, type Stack } from '../src/index.js';

const AUTH = '/bff/sso';
const API = '/bff/gateway';

/**
 * A team mounts the BFF into its existing app under /bff, with its own names
 * for the two route families: `register(bff, { prefix: '/bff', authPath:
 * '/sso', apiPath: '/gateway' })`. Every URL the BFF builds follows.
 */
describe('the plugin mounted under a prefix, with its own auth and API paths', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({
      prefix: '/bff',
      bff: { authPath: '/sso', apiPath: '/gateway', devEndpoints: true },
      host: async (app) => {
        app.get('/bff/gateway/users', async (request) => ({ users: [], asker: request.bffSession?.user.sub }));
        // outside the API path: the host's own business, not guarded
        app.get('/api/status', async () => ({ host: 'open' }));
      },
    });
  });
  afterAll(async () => stack?.close());

  it('serves its routes under the mount and nothing at the default paths', async () => {
    const browser = stack.browser();
    expect(await browser.api(`${stack.bffUrl}${AUTH}/session`)).toMatchObject({ status: 200, body: { authenticated: false } });
    expect((await fetch(`${stack.bffUrl}/bff/healthz`)).status).toBe(200);
    expect((await fetch(`${stack.bffUrl}/bff/readyz`)).status).toBe(200);
    for (const path of ['/auth/session', '/api/me', '/healthz', '/bff/auth/session', '/bff/api/me']) {
      expect((await browser.api(`${stack.bffUrl}${path}`)).status, path).toBe(404);
    }
  });

  it('sends the IdP the redirect URI under the mount, and keeps the login cookie at Path=/', async () => {
    const login = await fetch(`${stack.bffUrl}${AUTH}/login?returnTo=/notes`, { redirect: 'manual' });
    expect(login.status).toBe(302);
    const authorization = new URL(login.headers.get('location')!);
    expect(authorization.searchParams.get('redirect_uri')).toBe(`${stack.bffUrl}${AUTH}/callback`);
    // the __Host- prefix (https) requires Path=/, so the cookie never narrows to the auth path
    expect(login.headers.getSetCookie().find((line) => line.startsWith('bff.login='))).toMatch(/Path=\/;/);
  });

  it('signs in against the dev IdP, reports the session with a logout URL under the mount, and proxies', async () => {
    const browser = stack.browser();
    expect(await browser.signIn(stack.bffUrl, 'alice', '/notes?tab=mine', AUTH)).toEqual({ landedOn: '/notes?tab=mine' });
    const session = await browser.api(`${stack.bffUrl}${AUTH}/session`);
    expect(session.body).toMatchObject({ authenticated: true, user: { sub: 'alice' } });
    expect(session.body.logoutUrl).toMatch(new RegExp(`^${stack.bffUrl}${AUTH}/logout\\?sid=.+`));

    expect(await browser.api(`${stack.bffUrl}${API}/me`)).toMatchObject({ status: 200, body: { sub: 'alice' } });
    // the API hears where it is mounted, and its own redirects come back under the mount
    const who = await send(browser, `${stack.bffUrl}${API}/echo/who`);
    expect(who.body.headers).toMatchObject({ 'x-forwarded-prefix': API });
    const moved = await send(browser, `${stack.bffUrl}${API}/echo/respond?status=302&location=${encodeURIComponent('/notes/7')}`);
    expect(moved.headers.location).toBe(`${API}/notes/7`);
    // X-CSRF still guards the mounted routes, back-channel logout aside
    expect((await fetch(`${stack.bffUrl}${API}/me`)).status).toBe(403);
    expect((await fetch(`${stack.bffUrl}${AUTH}/refresh`, { method: 'POST' })).status).toBe(403);
    expect(await browser.api(`${stack.bffUrl}${AUTH}/refresh`, { method: 'POST' })).toMatchObject({ status: 200, body: { success: true } });
    expect((await browser.api(`${stack.bffUrl}${AUTH}/__test/expire-access-token`, { method: 'POST' })).status).toBe(204);
    expect(await browser.api(`${stack.bffUrl}${API}/me`)).toMatchObject({ status: 200, body: { sub: 'alice' } });
  });

  it('signs out through the logout URL under the mount, back to the app', async () => {
    const browser = stack.browser();
    await browser.signIn(stack.bffUrl, 'bob', '/', AUTH);
    const { logoutUrl } = (await browser.api(`${stack.bffUrl}${AUTH}/session`)).body;
    const out = await browser.fetch(logoutUrl);
    expect(out.status).toBe(302);
    const endSession = new URL(out.headers.get('location')!);
    expect(endSession.href.startsWith(stack.idp.issuer)).toBe(true);
    // the post-logout redirect is the app's home, not the BFF's mount (it is what the IdP has registered)
    expect(endSession.searchParams.get('post_logout_redirect_uri')).toBe(`${stack.bffUrl}/`);
    expect((await browser.api(`${stack.bffUrl}${AUTH}/session`)).body).toMatchObject({ authenticated: false });
    // the IdP accepts it (client_id and that redirect are registered) and signs out
    expect((await browser.fetch(endSession)).status).toBe(200);
  });

  it('receives back-channel logout at the URI the IdP registered under the mount', async () => {
    const browser = stack.browser();
    await browser.signIn(stack.bffUrl, 'alice', '/', AUTH);
    expect(await stack.idp.backchannelLogout('alice')).toBeGreaterThanOrEqual(1);
    expect((await browser.api(`${stack.bffUrl}${API}/me`)).body).toMatchObject({ code: 'TOKEN_REVOKED' });
  });

  it("guards the host's own routes under the custom API path, and only those", async () => {
    const browser = stack.browser();
    expect((await browser.fetch(`${stack.bffUrl}${API}/users`)).status).toBe(403);
    expect(await browser.api(`${stack.bffUrl}${API}/users`)).toMatchObject({ status: 401, body: { code: 'UNAUTHENTICATED' } });
    await browser.signIn(stack.bffUrl, 'bob', '/', AUTH);
    expect(await browser.api(`${stack.bffUrl}${API}/users`)).toMatchObject({ status: 200, body: { users: [], asker: 'bob' } });
    expect(await (await fetch(`${stack.bffUrl}/api/status`)).json()).toEqual({ host: 'open' });
  });

  it('links its sign-in error page to the login route under the mount', async () => {
    const page = await fetch(`${stack.bffUrl}${AUTH}/callback?code=x&state=y`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(400);
    expect(await page.text()).toContain(`<a href="${AUTH}/login">`);
  });
});

const required = (): BffOptions => ({
  publicUrl: 'http://localhost:3000',
  issuer: 'http://127.0.0.1:9',
  clientId: 'x',
  clientSecret: 'y',
  apiUpstream: 'http://127.0.0.1:9',
  sessionSecret: randomBytes(32).toString('hex'),
  tokenEncryptionKeys: [randomBytes(32)],
});

describe('the plugin inside a prefixed context of the host', () => {
  const app = Fastify();
  beforeAll(async () => {
    const metrics = { bearerToken: randomBytes(24).toString('hex') };
    await app.register(async (scope) => scope.register(bff, { ...required(), metrics, prefix: '/bff/' }), { prefix: '/outer' });
    await app.ready();
  });
  afterAll(async () => app.close());

  it("adds its own prefix to the context's", async () => {
    const session = await app.inject({ url: '/outer/bff/auth/session' });
    expect(session.statusCode).toBe(200);
    expect(session.json()).toMatchObject({ authenticated: false });
    expect((await app.inject({ url: '/outer/bff/healthz' })).statusCode).toBe(200);
    expect((await app.inject({ url: '/outer/bff/api/me', headers: { 'x-csrf': '1' } })).json()).toMatchObject({ code: 'UNAUTHENTICATED' });
    expect((await app.inject({ url: '/outer/auth/session' })).statusCode).toBe(404);
    expect((await app.inject({ url: '/outer/bff/metrics' })).statusCode).toBe(401);
  });
});

describe('mount paths that cannot work', () => {
  const refused = async (options: Partial<BffOptions> & { prefix?: string }) => {
    const app = Fastify();
    try {
      await app.register(bff, { ...required(), ...options }).ready();
      return undefined;
    } catch (err) {
      return (err as Error).message;
    } finally {
      await app.close();
    }
  };

  it('stop the start with a message naming the option', async () => {
    expect(await refused({ authPath: 'auth' })).toMatch(/authPath: must be a path such as \/auth/);
    expect(await refused({ apiPath: '/api/' })).toMatch(/apiPath: must be a path such as \/auth/);
    expect(await refused({ apiPath: '/api/:tenant' })).toMatch(/apiPath: must be a path/);
    expect(await refused({ apiPath: '/auth/api' })).toMatch(/apiPath: must not be \/auth \(authPath\), lie under it or contain it/);
    expect(await refused({ authPath: '/api/auth' })).toMatch(/apiPath: must not be \/api\/auth \(authPath\)/);
    expect(await refused({ healthRoutes: { live: '/api/healthz', ready: '/readyz' } })).toMatch(
      /healthRoutes: \/api\/healthz must not lie under apiPath or authPath/,
    );
    expect(await refused({ prefix: '/bff/*' })).toMatch(/prefix: must be a path such as \/bff/);
  });
});
