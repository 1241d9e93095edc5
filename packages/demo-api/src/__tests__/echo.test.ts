import { createHash } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type RunningApi } from '../index.js';
import { AUDIENCE, startFakeIdp, type FakeIdp } from './fakeIdp.js';
import { bearer } from './helpers.js';

let idp: FakeIdp;
let api: RunningApi;
let alice: Record<string, string>;

beforeAll(async () => {
  idp = await startFakeIdp();
  api = await startApi({ port: 0, issuer: idp.issuer, audience: AUDIENCE });
  alice = bearer(await idp.sign('alice'));
});
afterAll(async () => {
  await api.close();
  await idp.close();
});

const openNow = async () => ((await (await fetch(`${api.url}/echo/open`, { headers: alice })).json()) as { open: number }).open;

describe('echo routes', () => {
  it('refuse a request without a token, like every other route', async () => {
    expect((await fetch(`${api.url}/echo`)).status).toBe(401);
  });

  it('show what arrived: headers as sent (repeats kept, the token redacted) and the body as size and SHA-256, beyond the JSON body limit', async () => {
    const body = Buffer.alloc(100_000, 'a');
    const echoed = await new Promise<any>((resolve, reject) => {
      // node:http, not fetch: fetch folds a repeated header into one line
      const request = httpRequest(
        `${api.url}/echo/anything?x=1`,
        { method: 'PUT', headers: { 'x-twice': ['one', 'two'], 'content-type': 'application/octet-stream', ...alice } },
        (response) => {
          let text = '';
          response
            .setEncoding('utf8')
            .on('data', (chunk: string) => (text += chunk))
            .on('end', () => resolve(JSON.parse(text)));
        },
      );
      request.on('error', reject).end(body);
    });
    expect(echoed).toMatchObject({
      sub: 'alice',
      method: 'PUT',
      url: '/echo/anything?x=1',
      body: { bytes: 100_000, sha256: createHash('sha256').update(body).digest('hex') },
    });
    expect(echoed.headers['x-twice']).toEqual(['one', 'two']);
    expect(echoed.headers.authorization).toBe('Bearer [redacted]');
  });

  it('answer with the status, Location and headers asked for', async () => {
    const response = await fetch(`${api.url}/echo/respond?status=302&location=/notes&header=x-a:%201&header=x-b:2`, {
      headers: alice,
      redirect: 'manual',
    });
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('/notes');
    expect(response.headers.get('x-a')).toBe('1');
    expect(response.headers.get('x-b')).toBe('2');
  });

  it('stream server-sent events one per interval, and count a stream as open until its client leaves', async () => {
    const controller = new AbortController();
    const response = await fetch(`${api.url}/echo/events?count=1000&intervalMs=20`, { headers: alice, signal: controller.signal });
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = response.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    expect(first).toMatch(/^id: 0\ndata: \{"n":0,/);
    expect(await openNow()).toBe(1);
    controller.abort();
    // polled one request at a time: expect.poll can leave a fetch connection open that holds up close()
    let open = 1;
    for (let i = 0; i < 40 && open > 0; i += 1) {
      await new Promise((r) => setTimeout(r, 50));
      open = await openNow();
    }
    expect(open).toBe(0);
  });

  it('answer a slow request after the time asked for', async () => {
    const started = Date.now();
    expect(await (await fetch(`${api.url}/echo/slow?ms=200`, { headers: alice })).json()).toEqual({ waitedMs: 200 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
  });
});
