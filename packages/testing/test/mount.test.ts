import { randomBytes } from 'node:crypto';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bff } from '@bff/fastify-bff';
import { freePort } from '@bff/fastify-bff/testing';
import { startStack, type Stack } from '../src/index.js';

/** A team's existing app: its own /healthz and its own routes under /api, before and after the plugin. */
describe('the plugin mounted into an existing app', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({
      bff: { healthRoutes: false },
      host: async (app) => {
        app.get('/healthz', async () => ({ host: 'own health' }));
        app.get('/api/users', async (request) => ({ users: [], asker: request.bffSession?.user.sub }));
        app.after(() => {
          app.post('/api/users', async (request) => {
            const token = await app.bff.tokens.accessToken(request.bffSession!);
            return { created: true, withToken: token.type };
          });
        });
      },
    });
  });
  afterAll(async () => stack?.close());

  it("keeps the host's own /healthz", async () => {
    expect(await (await fetch(`${stack.bffUrl}/healthz`)).json()).toEqual({ host: 'own health' });
  });

  it("guards the host's own /api routes like the proxy: X-CSRF first, then a session", async () => {
    const browser = stack.browser();
    const noCsrf = await browser.fetch(`${stack.bffUrl}/api/users`);
    expect(noCsrf.status).toBe(403);
    expect(await noCsrf.json()).toMatchObject({ code: 'CSRF_REQUIRED' });
    expect(await browser.api(`${stack.bffUrl}/api/users`)).toMatchObject({ status: 401, body: { code: 'UNAUTHENTICATED' } });
    await browser.signIn(stack.bffUrl);
    expect(await browser.api(`${stack.bffUrl}/api/users`)).toMatchObject({ status: 200, body: { users: [], asker: 'alice' } });
    expect(await browser.api(`${stack.bffUrl}/api/users`, { method: 'POST', body: {} })).toMatchObject({
      status: 200,
      body: { created: true, withToken: 'bearer' },
    });
    // the proxy still serves everything else under /api
    expect(await browser.api(`${stack.bffUrl}/api/me`)).toMatchObject({ status: 200, body: { sub: 'alice' } });
  });
});

describe('a host app whose /healthz clashes', () => {
  it('refuses to start with a message that names the route and the option', async () => {
    const app = Fastify();
    app.get('/healthz', async () => 'mine');
    await expect(
      app
        .register(bff, {
          publicUrl: 'http://localhost:3000',
          issuer: 'http://127.0.0.1:9',
          clientId: 'x',
          clientSecret: 'y',
          apiUpstream: 'http://127.0.0.1:9',
          sessionSecret: randomBytes(32).toString('hex'),
          tokenEncryptionKeys: [randomBytes(32)],
        })
        .ready(),
    ).rejects.toThrow(/healthRoutes: the app already has GET \/healthz/);
    await app.close();
  });
});

describe('an IdP that cannot be reached', () => {
  const lines: string[] = [];
  const app = Fastify({ logger: { level: 'warn', stream: { write: (line: string) => void lines.push(line) } } });
  let issuer = '';
  beforeAll(async () => {
    issuer = `http://127.0.0.1:${await freePort()}/realms/nowhere`; // nothing listens there
    await app.register(bff, {
      publicUrl: 'http://localhost:3000',
      issuer,
      clientId: 'x',
      clientSecret: 'y',
      apiUpstream: 'http://127.0.0.1:9',
      sessionSecret: randomBytes(32).toString('hex'),
      tokenEncryptionKeys: [randomBytes(32)],
    });
    await app.ready();
  });
  afterAll(async () => app.close());

  it('is logged with the issuer and the cause', async () => {
    await new Promise((r) => setTimeout(r, 200));
    const line = lines
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l.msg === 'IdP discovery failed; retrying on demand');
    expect(line).toMatchObject({ issuer });
    expect(String(line?.err)).toContain(`discovery of ${issuer} failed: fetch failed`);
    expect(String(line?.err)).toContain('ECONNREFUSED');
  });

  it('answers /auth/login with 503 IDP_UNAVAILABLE in words true for someone not signed in', async () => {
    const response = await app.inject({ method: 'GET', url: '/auth/login' });
    expect(response.statusCode).toBe(503);
    expect(response.json()).toEqual({
      code: 'IDP_UNAVAILABLE',
      error: 'The sign-in service is not reachable right now. Please try again in a moment.',
    });
  });
});
