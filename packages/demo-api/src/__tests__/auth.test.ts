import type { FastifyInstance } from 'fastify';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SignJWT } from 'jose';
import { buildApi } from '../index.js';
import { AUDIENCE, createSigningKey, startFakeIdp, type FakeIdp } from './fakeIdp.js';
import { bearer, expectInvalidToken } from './helpers.js';

let idp: FakeIdp;
let api: FastifyInstance;

beforeAll(async () => {
  idp = await startFakeIdp();
});
afterAll(() => idp.close());
beforeEach(() => {
  api = buildApi({ issuer: idp.issuer, audience: AUDIENCE });
});
afterEach(() => api.close());

const me = (headers: Record<string, string> = {}) => api.inject({ method: 'GET', url: '/me', headers });

describe('access token validation', () => {
  it('answers /me with the claims of a valid access token', async () => {
    const token = await idp.sign('alice', { claims: { name: 'Alice Liddell', email: 'alice@example.test' } });
    const response = await me(bearer(token));
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ sub: 'alice', name: 'Alice Liddell', email: 'alice@example.test' });
    expect(response.headers['cache-control']).toBe('no-store');
  });

  it('answers /me with the sub alone when the token carries no profile claims', async () => {
    const response = await me(bearer(await idp.sign('bob')));
    expect(response.json()).toEqual({ sub: 'bob' });
  });

  it('accepts the media-type form of the typ header, application/at+jwt', async () => {
    const response = await me(bearer(await idp.sign('alice', { typ: 'application/at+jwt' })));
    expect(response.statusCode).toBe(200);
  });

  it.each(['RS256', 'PS256', 'ES256', 'EdDSA'])('accepts tokens signed with %s', async (alg) => {
    const key = await createSigningKey(alg);
    idp.keys.push(key);
    try {
      expect((await me(bearer(await idp.sign('alice', { key })))).statusCode).toBe(200);
    } finally {
      idp.keys.pop();
    }
  });

  it('answers a request without credentials with the bare Bearer challenge', async () => {
    for (const headers of [{}, { authorization: 'Basic YWxpY2U6YWxpY2UtcGFzc3dvcmQ=' }] as Record<string, string>[]) {
      const response = await me(headers);
      expect(response.statusCode).toBe(401);
      expect(response.headers['www-authenticate']).toBe('Bearer realm="demo-api"');
      expect(response.json()).toMatchObject({ error: 'invalid_token' });
    }
  });

  it('refuses a token meant for another audience', async () => {
    const token = await idp.sign('alice', { claims: { aud: 'http://other-api.test' } });
    expectInvalidToken(await me(bearer(token)), /audience/);
  });

  it('refuses a token from another issuer', async () => {
    const token = await idp.sign('alice', { claims: { iss: 'http://evil.test' } });
    expectInvalidToken(await me(bearer(token)), /issuer/);
  });

  it('refuses a token that expired one second ago, with no clock tolerance', async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = await idp.sign('alice', { claims: { iat: now - 60, exp: now - 1 } });
    expectInvalidToken(await me(bearer(token)), /expired/);
  });

  it('refuses a token without exp, which would never expire', async () => {
    const token = await idp.sign('alice', { claims: { exp: undefined } });
    expectInvalidToken(await me(bearer(token)), /exp/);
  });

  it('refuses a token whose signature does not match the published key', async () => {
    const impostor = await createSigningKey();
    const token = await idp.sign('alice', { key: impostor, kid: idp.keys[0]?.kid });
    expectInvalidToken(await me(bearer(token)), /signature/);
  });

  it('refuses a token whose payload was altered after signing', async () => {
    const [header, , signature] = (await idp.sign('alice')).split('.');
    const payload = Buffer.from(JSON.stringify({ iss: idp.issuer, aud: AUDIENCE, sub: 'bob', exp: 2e9 })).toString('base64url');
    expectInvalidToken(await me(bearer(`${header}.${payload}.${signature}`)), /signature/);
  });

  it('refuses an ID token or any JWT whose typ is not at+jwt', async () => {
    for (const typ of ['JWT', 'id_token+jwt']) {
      expectInvalidToken(await me(bearer(await idp.sign('alice', { typ }))), /typ/);
    }
  });

  it('refuses a token signed with a shared secret (HS256) without fetching keys for it', async () => {
    const token = await new SignJWT({ iss: idp.issuer, aud: AUDIENCE, sub: 'alice', exp: 2e9 })
      .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt' })
      .sign(new TextEncoder().encode('a-secret-that-is-at-least-32-bytes-long'));
    expectInvalidToken(await me(bearer(token)), /algorithm/);
  });

  it('refuses a malformed bearer token without echoing it', async () => {
    for (const token of ['not-a-jwt', 'a.b.c', 'Bearer "quoted"']) {
      const response = await me({ authorization: `Bearer ${token}` });
      expectInvalidToken(response);
      expect(response.body).not.toContain(token);
    }
  });
});
