import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type RunningApi } from '@bff/demo-api';
import { Browser, freePort } from '@bff/fastify-bff/testing';
import { startIdp, type RunningIdp } from '@bff/dev-idp';
import { buildServer } from '../src/server.js';

describe('the minimal example against the real dev IdP and demo API', () => {
  let idp: RunningIdp;
  let api: RunningApi;
  let app: FastifyInstance;
  let bffUrl: string;

  beforeAll(async () => {
    const bffPort = await freePort();
    bffUrl = `http://127.0.0.1:${bffPort}`;
    const idpPort = await freePort();
    // the default profile, seed-002: 15 min access tokens, a new refresh token on every refresh
    idp = await startIdp({
      port: idpPort,
      host: '127.0.0.1',
      issuer: `http://127.0.0.1:${idpPort}`,
      bffPublicUrl: bffUrl,
      apiAudience: 'http://demo-api.test',
    });
    api = await startApi({ port: 0, host: '127.0.0.1', issuer: idp.issuer, audience: 'http://demo-api.test' });
    app = await buildServer(
      {
        publicUrl: bffUrl,
        issuer: idp.issuer,
        clientId: idp.clientId,
        clientSecret: idp.clientSecret,
        apiUpstream: api.url,
        sessionSecret: randomBytes(32).toString('hex'),
        tokenEncryptionKeys: [randomBytes(32)],
      },
      { logger: false },
    );
    await app.listen({ port: bffPort, host: '127.0.0.1' });
  });

  afterAll(async () => {
    await app?.close();
    await api?.close();
    await idp?.close();
  });

  it('serves its page and refuses the API without a session', async () => {
    const page = await fetch(`${bffUrl}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('href="/auth/login?returnTo=/"');

    const browser = new Browser();
    expect(await browser.api(`${bffUrl}/api/me`)).toMatchObject({ status: 401, body: { code: 'UNAUTHENTICATED' } });
    const withoutCsrf = await fetch(`${bffUrl}/api/me`);
    expect(withoutCsrf.status).toBe(403);
    expect(await withoutCsrf.json()).toMatchObject({ code: 'CSRF_REQUIRED' });
  });

  it('signs alice in through the IdP form, calls the API, and refreshes with exactly one grant', async () => {
    const browser = new Browser();
    const { landedOn } = await browser.signIn(bffUrl, 'alice');
    expect(landedOn).toBe('/');

    const me = await browser.api(`${bffUrl}/api/me`);
    expect(me).toMatchObject({ status: 200, body: { sub: 'alice' } });
    expect(idp.counters().refresh_token).toEqual({ served: 0, refused: 0 });

    // browser.api sends X-CSRF: 1, as the SPA does
    const refreshed = await browser.api(`${bffUrl}/auth/refresh`, { method: 'POST' });
    expect(refreshed).toMatchObject({ status: 200, body: { success: true, session: { sub: 'alice' } } });
    expect(idp.counters().refresh_token).toEqual({ served: 1, refused: 0 });

    // the refreshed session still reaches the API
    expect((await browser.api(`${bffUrl}/api/me`)).status).toBe(200);
  });
});
