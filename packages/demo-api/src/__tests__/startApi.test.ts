import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type RunningApi } from '../index.js';
import { AUDIENCE, startFakeIdp, type FakeIdp } from './fakeIdp.js';
import { bearer } from './helpers.js';

let idp: FakeIdp;
let api: RunningApi;

beforeAll(async () => {
  idp = await startFakeIdp();
  api = await startApi({ port: 0, issuer: idp.issuer, audience: AUDIENCE });
});
afterAll(async () => {
  await api.close();
  await idp.close();
});

describe('startApi', () => {
  it('listens on an ephemeral loopback port and answers /healthz without a token', async () => {
    expect(api.port).toBeGreaterThan(0);
    expect(api.url).toBe(`http://127.0.0.1:${api.port}`);
    const response = await fetch(`${api.url}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('counts every request but /healthz, refused ones included, until resetHits()', async () => {
    api.resetHits();
    const token = await idp.sign('alice');
    await fetch(`${api.url}/healthz`);
    expect(api.hits()).toBe(0);
    expect((await fetch(`${api.url}/me`, { headers: bearer(token) })).status).toBe(200);
    expect((await fetch(`${api.url}/me`)).status).toBe(401);
    expect((await fetch(`${api.url}/nowhere`)).status).toBe(404);
    expect(api.hits()).toBe(3);
    api.resetHits();
    expect(api.hits()).toBe(0);
  });
});
