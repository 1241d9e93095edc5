import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type RunningApi } from '@bff/demo-api';
import { configFromEnv } from '@bff/fastify-bff';
import { Browser, freePort } from '@bff/fastify-bff/testing';
import { startIdp, type RunningIdp } from '@bff/dev-idp';
import { buildServer } from '../index.js';

const SESSION_SECRET = 'server-test-session-secret-0123456789abcdef';
const TOKEN_ENCRYPTION_KEY = Buffer.alloc(32, 42).toString('base64');

/** A stand-in for the built SPA, so these tests do not depend on a Vite build. */
function fakeWebRoot(): string {
  const root = mkdtempSync(join(tmpdir(), 'bff-web-'));
  mkdirSync(join(root, 'assets'));
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>SPA</title><script type="module" src="/assets/app.js"></script>');
  writeFileSync(join(root, 'assets', 'app.js'), 'console.log("spa")');
  return root;
}

describe('the BFF server', () => {
  let idp: RunningIdp;
  let api: RunningApi;
  let app: FastifyInstance;
  let bffUrl: string;
  const logLines: string[] = [];

  beforeAll(async () => {
    const [bffPort, idpPort] = [await freePort(), await freePort()];
    bffUrl = `http://127.0.0.1:${bffPort}`;
    idp = await startIdp({ port: idpPort, issuer: `http://127.0.0.1:${idpPort}`, bffPublicUrl: bffUrl, apiAudience: 'http://api.test' });
    api = await startApi({ port: 0, issuer: idp.issuer, audience: 'http://api.test' });
    const config = configFromEnv({
      PORT: String(bffPort),
      BFF_PUBLIC_URL: bffUrl,
      OIDC_ISSUER: idp.issuer,
      API_UPSTREAM: api.url,
      SESSION_SECRET,
      TOKEN_ENCRYPTION_KEY,
    });
    const logStream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        logLines.push(...chunk.toString().split('\n').filter(Boolean));
        done();
      },
    });
    process.env.LOG_LEVEL = 'debug';
    app = await buildServer({ config, webRoot: fakeWebRoot(), logStream });
    await app.listen({ port: bffPort, host: '127.0.0.1' });
  });
  afterAll(async () => {
    await app?.close();
    await api?.close();
    await idp?.close();
  });

  it('never writes a token, secret, code or password to the log through a whole session', async () => {
    const browser = new Browser();
    const codes: string[] = [];
    const original = browser.fetch.bind(browser);
    browser.fetch = async (url, init) => {
      const code = new URL(url).searchParams.get('code');
      if (code) codes.push(code);
      return original(url, init);
    };
    await browser.signIn(bffUrl, 'alice', '/notes?x=1');
    expect((await browser.api(`${bffUrl}/api/me`)).status).toBe(200);
    expect((await browser.api(`${bffUrl}/api/notes`, { method: 'POST', body: { text: 'hello' } })).status).toBe(201);
    expect((await browser.api(`${bffUrl}/auth/refresh`, { method: 'POST' })).status).toBe(200);
    const raw = browser.cookies.get('bff.sid')!;
    const id = app.bff.sessions.idFromCookie(decodeURIComponent(raw))!;
    const stored = await app.bff.store.get(id);
    if (stored?.state !== 'active') throw new Error('no session');
    const tokens = app.bff.tokens.open(stored);
    await browser.api(`${bffUrl}/auth/logout`, { method: 'POST' });

    expect(codes.length).toBe(1);
    expect(logLines.length).toBeGreaterThan(10);
    const log = logLines.join('\n');
    for (const secret of [
      tokens.accessToken,
      tokens.refreshToken!,
      codes[0]!,
      SESSION_SECRET,
      TOKEN_ENCRYPTION_KEY,
      'bff-demo-secret',
      'alice-password',
      id,
      raw,
    ]) {
      expect(log).not.toContain(secret);
    }
    expect(log).toContain('signed in');
  });

  it('sends the security headers and no-store on auth responses', async () => {
    const page = await fetch(`${bffUrl}/`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    const csp = page.headers.get('content-security-policy')!;
    for (const directive of ["default-src 'self'", "script-src 'self'", "frame-ancestors 'none'", "object-src 'none'"])
      expect(csp).toContain(directive);
    expect(csp).not.toContain('unsafe-inline');
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    expect(page.headers.get('strict-transport-security')).toBeNull();
    expect((await fetch(`${bffUrl}/auth/session`)).headers.get('cache-control')).toBe('no-store');
  });

  it('serves the SPA for client-side routes and JSON NOT_FOUND for everything else', async () => {
    const route = await fetch(`${bffUrl}/notes/42`, { headers: { accept: 'text/html' } });
    expect(route.status).toBe(200);
    expect(await route.text()).toContain('<title>SPA</title>');
    expect((await fetch(`${bffUrl}/assets/app.js`)).headers.get('cache-control')).toContain('immutable');
    for (const path of ['/nope', '/auth/nope']) {
      const response = await fetch(`${bffUrl}${path}`, { headers: { accept: 'application/json' } });
      expect(response.status).toBe(404);
      expect(await response.json()).toMatchObject({ code: 'NOT_FOUND' });
    }
  });

  it('reports liveness and readiness', async () => {
    expect(await (await fetch(`${bffUrl}/healthz`)).json()).toEqual({ status: 'ok' });
    expect(await (await fetch(`${bffUrl}/readyz`)).json()).toEqual({ status: 'ok', checks: { store: 'ok', idp: 'ok' } });
  });
});

describe('the BFF server behind https', () => {
  it('uses __Host- Secure cookies and sends HSTS when the public URL is https', async () => {
    const idp = await startIdp({ port: 0, bffPublicUrl: 'https://app.example.test', apiAudience: 'http://api.test' });
    const app = await buildServer({
      // TLS ends at the proxy in front: Fastify believes its X-Forwarded-Proto
      config: configFromEnv({
        BFF_PUBLIC_URL: 'https://app.example.test',
        OIDC_ISSUER: idp.issuer,
        SESSION_SECRET,
        TOKEN_ENCRYPTION_KEY,
        TRUST_PROXY: '127.0.0.1',
      }),
      webRoot: fakeWebRoot(),
      logger: false,
    });
    try {
      const response = await app.inject({ method: 'GET', url: '/auth/login?returnTo=/notes', headers: { 'x-forwarded-proto': 'https' } });
      expect(response.statusCode).toBe(302);
      const cookie = String(response.headers['set-cookie']);
      expect(cookie).toMatch(/^__Host-bff\.login=/);
      expect(cookie).toMatch(/; Secure/);
      expect(cookie).toMatch(/; HttpOnly/);
      expect(cookie).toMatch(/; SameSite=Lax/);
      expect(cookie).toMatch(/; Path=\//);
      expect(cookie).not.toMatch(/Domain=/i);
      expect(response.headers['strict-transport-security']).toContain('max-age=');
      expect(new URL(String(response.headers.location)).searchParams.get('redirect_uri')).toBe('https://app.example.test/auth/callback');

      // over plain http (no trusted proxy said https), no Secure session cookie could be set: refused, not a silent loop
      const plain = await app.inject({ method: 'GET', url: '/auth/login?returnTo=/notes' });
      expect(plain.statusCode).toBe(500);
      expect(plain.json()).toEqual({ error: 'Something went wrong on our side.', code: 'INTERNAL' });
    } finally {
      await app.close();
      await idp.close();
    }
  });
});
