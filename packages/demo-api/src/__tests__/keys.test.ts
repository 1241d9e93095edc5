import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { buildApi, type ApiOptions } from '../index.js';
import { AUDIENCE, createSigningKey, startFakeIdp, type FakeIdp } from './fakeIdp.js';
import { bearer, expectInvalidToken } from './helpers.js';

let idp: FakeIdp;
let api: FastifyInstance | undefined;

beforeEach(async () => {
  idp = await startFakeIdp();
});
afterEach(async () => {
  vi.useRealTimers();
  await api?.close();
  await idp.close();
});

function start(options: Partial<ApiOptions> = {}): FastifyInstance {
  api = buildApi({ issuer: idp.issuer, audience: AUDIENCE, ...options });
  return api;
}

const me = (app: FastifyInstance, token: string) => app.inject({ method: 'GET', url: '/me', headers: bearer(token) });

function expectTemporarilyUnavailable(response: LightMyRequestResponse): void {
  expect(response.statusCode).toBe(503);
  expect(response.json()).toMatchObject({ error: 'temporarily_unavailable' });
  expect(response.headers['www-authenticate']).toBeUndefined();
}

describe('signing keys', () => {
  it('discovers the JWKS from the issuer on the first request, then serves from its cache', async () => {
    const app = start();
    expect(idp.requests).toEqual({ discovery: 0, jwks: 0 });
    for (let i = 0; i < 3; i += 1) expect((await me(app, await idp.sign('alice'))).statusCode).toBe(200);
    expect(idp.requests).toEqual({ discovery: 1, jwks: 1 });
  });

  it('uses jwksUri as given without discovery', async () => {
    const app = start({ jwksUri: idp.jwksUri });
    expect((await me(app, await idp.sign('alice'))).statusCode).toBe(200);
    expect(idp.requests).toEqual({ discovery: 0, jwks: 1 });
  });

  it('answers 503, not 401, while the IdP is down, and retries discovery once it is back', async () => {
    const app = start();
    const token = await idp.sign('alice');
    idp.down = true;
    expectTemporarilyUnavailable(await me(app, token));
    idp.down = false;
    expect((await me(app, token)).statusCode).toBe(200);
  });

  it('answers 503 when nothing listens at the JWKS address', async () => {
    const token = await idp.sign('alice');
    const app = start({ jwksUri: idp.jwksUri });
    await idp.close();
    idp = await startFakeIdp(); // for afterEach; the old address is now closed
    expectTemporarilyUnavailable(await me(app, token));
  });

  it('answers 503 when the JWKS endpoint answers with an error status', async () => {
    const app = start();
    idp.jwksStatus = 500;
    expectTemporarilyUnavailable(await me(app, await idp.sign('alice')));
  });

  it('picks up a key the IdP added after its JWKS was cached, once the 5 s cooldown has passed', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const app = start();
    expect((await me(app, await idp.sign('alice'))).statusCode).toBe(200);
    const rotated = await createSigningKey();
    idp.keys.unshift(rotated);
    expectInvalidToken(await me(app, await idp.sign('alice')), /no signing key/);
    vi.setSystemTime(Date.now() + 5_001);
    expect((await me(app, await idp.sign('alice'))).statusCode).toBe(200);
    expect(idp.requests.jwks).toBe(2);
  });

  it('does not let tokens with unknown kids trigger a JWKS request each', async () => {
    const app = start();
    expect((await me(app, await idp.sign('alice'))).statusCode).toBe(200);
    for (let i = 0; i < 5; i += 1) {
      expectInvalidToken(await me(app, await idp.sign('alice', { kid: `forged-${i}` })));
    }
    expect(idp.requests.jwks).toBe(1);
  });
});
