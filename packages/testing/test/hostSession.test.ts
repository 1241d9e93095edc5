import fastifyCookie from '@fastify/cookie';
import fastifySession from '@fastify/session';
import type { Session } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../src/index.js';

declare module 'fastify' {
  interface Session {
    visits?: number;
  }
}

/** A host app's own @fastify/session store: a Map that counts its writes, as a team's Redis or SQL store would. */
class HostStore {
  readonly blobs = new Map<string, string>();
  writes = 0;
  get(id: string, callback: (err: unknown, session?: Session | null) => void) {
    const blob = this.blobs.get(id);
    callback(null, blob ? (JSON.parse(blob) as Session) : null);
  }
  set(id: string, session: Session, callback: (err?: unknown) => void) {
    this.writes += 1;
    this.blobs.set(id, JSON.stringify(session));
    callback();
  }
  destroy(id: string, callback: (err?: unknown) => void) {
    this.blobs.delete(id);
    callback();
  }
}

/**
 * A team's existing Fastify app that already runs @fastify/session with a
 * store of its own, with its defaults (rolling, saveUninitialized: every
 * request writes the whole session back). The plugin uses that session layer;
 * the tokens stay in the BFF's record, so the host's writes cannot lose them.
 */
describe('a host app that registered @fastify/session with its own store', () => {
  const hostStore = new HostStore();
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({
      host: async (app) => {
        await app.register(fastifyCookie);
        await app.register(fastifySession, {
          secret: 'a-host-secret-of-at-least-32-characters!',
          cookieName: 'host.sid',
          cookie: { secure: false },
          store: hostStore,
        });
        app.get('/host/visits', async (request) => {
          request.session.visits = (request.session.visits ?? 0) + 1;
          return { visits: request.session.visits };
        });
      },
    });
  });
  afterAll(async () => stack?.close());

  it('signs in through the plugin, meets a 50-request burst at expiry with one grant, keeps its own data, and signs out', async () => {
    const browser = stack.browser();
    await browser.signIn(stack.bffUrl, 'alice', '/notes');
    expect(browser.cookies.has('host.sid')).toBe(true);
    expect(browser.cookies.has('bff.sid')).toBe(false); // one session layer: the host's
    expect((await browser.api(`${stack.bffUrl}/auth/session`)).body).toMatchObject({ authenticated: true, user: { sub: 'alice' } });

    // the host's own session data lives beside the BFF's, in the host's store, with no token in it
    expect((await browser.api(`${stack.bffUrl}/host/visits`)).body).toEqual({ visits: 1 });
    expect((await browser.api(`${stack.bffUrl}/host/visits`)).body).toEqual({ visits: 2 });
    const hostId = [...hostStore.blobs.keys()].find((id) => JSON.parse(hostStore.blobs.get(id)!).visits === 2)!;
    const blob = JSON.parse(hostStore.blobs.get(hostId)!) as Record<string, unknown>;
    expect(Object.keys(blob).sort()).toEqual(['bff', 'cookie', 'visits']);
    const record = await stack.app.bff.store.get(hostId);
    expect(record).toMatchObject({ state: 'active', user: { sub: 'alice' } });
    const { accessToken, refreshToken } = stack.app.bff.tokens.open(record as Parameters<Stack['app']['bff']['tokens']['open']>[0]);
    for (const token of [accessToken, refreshToken!]) expect(hostStore.blobs.get(hostId)).not.toContain(token);

    // 50 requests meet the expired token while the host writes its session back on each of them
    stack.advance(15 * 60_000);
    stack.idp.resetCounters();
    const writesBefore = hostStore.writes;
    const results = await Promise.all(Array.from({ length: 50 }, () => browser.api(`${stack.bffUrl}/api/me`)));
    expect(results.filter((r) => r.status !== 200).map((r) => r.body)).toEqual([]);
    expect(stack.idp.counters().refresh_token).toEqual({ served: 1, refused: 0 });
    expect(hostStore.writes - writesBefore).toBeGreaterThanOrEqual(50); // rolling: each request saved the whole blob
    expect((await stack.app.bff.store.get(hostId))?.state === 'active' && (await stack.app.bff.store.get(hostId))).toMatchObject({
      version: 2,
    });
    stack.advance(-15 * 60_000);

    // sign-out ends the record and the host's web session with it
    const logout = await browser.api(`${stack.bffUrl}/auth/logout`, { method: 'POST' });
    expect(logout.status).toBe(200);
    expect(await stack.app.bff.store.get(hostId)).toBeUndefined();
    expect(hostStore.blobs.has(hostId)).toBe(false);
    expect((await browser.api(`${stack.bffUrl}/auth/session`)).body).toMatchObject({ authenticated: false });
    expect((await browser.api(`${stack.bffUrl}/api/me`)).status).toBe(401);
  });
});
