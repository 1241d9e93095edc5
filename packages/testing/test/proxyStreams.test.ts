import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from '@bff/fastify-bff/testing';
import { send, sleep, waitUntil } from './support/http.js';
import { startStack, type Stack } from '../src/index.js';

const MiB = 1024 * 1024;

/** `chunks` x 64 KiB of a repeating pattern, generated as it is read: the sender holds one chunk, never the body. */
function upload(chunks: number): { stream: () => Readable; sha256: string; bytes: number } {
  const chunk = Buffer.alloc(64 * 1024);
  for (let i = 0; i < chunk.length; i += 1) chunk[i] = i % 251;
  const hash = createHash('sha256');
  for (let i = 0; i < chunks; i += 1) hash.update(chunk);
  return {
    stream: () =>
      Readable.from(
        (function* () {
          for (let i = 0; i < chunks; i += 1) yield chunk;
        })(),
      ),
    sha256: hash.digest('hex'),
    bytes: chunks * chunk.length,
  };
}

/** Reads server-sent events as they arrive, with the time each came. */
async function readEvents(response: Response, onEvent?: (n: number) => void): Promise<Array<{ n: number; at: number }>> {
  const events: Array<{ n: number; at: number }> = [];
  const decoder = new TextDecoder();
  let buffered = '';
  for await (const chunk of response.body!) {
    buffered += decoder.decode(chunk, { stream: true });
    let end: number;
    while ((end = buffered.indexOf('\n\n')) !== -1) {
      const data = /^data: (.*)$/m.exec(buffered.slice(0, end))?.[1];
      buffered = buffered.slice(end + 2);
      if (data === undefined) continue;
      events.push({ n: (JSON.parse(data) as { n: number }).n, at: Date.now() });
      onEvent?.(events.length);
    }
  }
  return events;
}

describe('the API proxy streams what is large or long', () => {
  let stack: Stack;
  beforeAll(async () => {
    // 3-second access tokens: a stream can outlive one within a test
    stack = await startStack({ accessTokenTtl: 3 });
  });
  afterAll(async () => stack?.close());

  const signedIn = async () => {
    const browser = stack.browser();
    await browser.signIn(stack.bffUrl);
    return browser;
  };
  const openAtApi = async (browser: Browser) => (await send(browser, `${stack.bffUrl}/api/echo/open`)).body.open as number;
  /**
   * The BFF's clock goes back a minute while the access token really expires:
   * the BFF still thinks it valid, the API refuses it (a 401 the BFF did not
   * see coming).
   */
  const withTokenTheApiRefuses = async <T>(run: () => Promise<T>): Promise<T> => {
    stack.advance(-60_000);
    try {
      await sleep(3_200);
      return await run();
    } finally {
      stack.advance(60_000);
    }
  };

  it('streams a chunked upload once it outgrows the replay limit, bytes already read included', async () => {
    const browser = await signedIn();
    const body = upload(40); // 2.5 MiB, no Content-Length: found out while reading
    const response = await send(browser, `${stack.bffUrl}/api/echo/upload`, {
      method: 'PUT',
      headers: { 'transfer-encoding': 'chunked' },
      body: body.stream(),
    });
    expect(response.status).toBe(200);
    expect(response.body.body).toEqual({ bytes: body.bytes, sha256: body.sha256 });
    expect(response.body.headers['transfer-encoding']).toBe('chunked');
  });

  it('refuses a large upload without a session with UNAUTHENTICATED, and reads the rest of it into nothing', async () => {
    stack.api.resetHits();
    const body = upload(64); // 4 MiB
    const response = await send(undefined, `${stack.bffUrl}/api/echo/upload`, {
      method: 'POST',
      headers: { 'content-length': String(body.bytes) },
      body: body.stream(),
    });
    expect(response.status).toBe(401);
    expect(response.body).toMatchObject({ code: 'UNAUTHENTICATED' });
    expect(stack.api.hits()).toBe(0);
  });

  it('replays a body within the replay limit once, with a new token, when the API refuses the old one', async () => {
    const browser = await signedIn();
    const body = upload(8); // 512 KiB: buffered
    stack.idp.resetCounters();
    stack.api.resetHits();
    const response = await withTokenTheApiRefuses(() =>
      send(browser, `${stack.bffUrl}/api/echo/upload`, { method: 'POST', body: body.stream() }),
    );
    expect(response.status).toBe(200);
    expect(response.body.body).toEqual({ bytes: body.bytes, sha256: body.sha256 });
    expect(stack.api.hits()).toBe(2);
    expect(stack.idp.counters().refresh_token).toEqual({ served: 1, refused: 0 });
  });

  it('answers a streamed upload that meets a 401 with a renewed token and a code that says to send it again', async () => {
    const browser = await signedIn();
    const body = upload(32); // 2 MiB: streamed, cannot be replayed
    stack.idp.resetCounters();
    const [first, again] = await withTokenTheApiRefuses(async () => {
      const refused = await send(browser, `${stack.bffUrl}/api/echo/upload`, { method: 'POST', body: body.stream() });
      // the token is renewed: sent again, the same upload goes through without another refresh
      return [refused, await send(browser, `${stack.bffUrl}/api/echo/upload`, { method: 'POST', body: body.stream() })] as const;
    });
    expect(first.status).toBe(503);
    expect(first.body).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', error: expect.stringMatching(/send the request again/) });
    expect(first.headers['retry-after']).toBe('0');
    expect(again.status).toBe(200);
    expect(again.body.body).toEqual({ bytes: body.bytes, sha256: body.sha256 });
    expect(stack.idp.counters().refresh_token).toEqual({ served: 1, refused: 0 });
  });

  it("streams server-sent events as they are sent, and goes on past the access token's expiry", async () => {
    const browser = await signedIn();
    const session = await browser.api(`${stack.bffUrl}/auth/session`);
    const tokenExpiresAt = Date.parse(session.body.accessTokenExpiresAt);
    const started = Date.now();
    const response = await browser.fetch(`${stack.bffUrl}/api/echo/events?count=16&intervalMs=250`, { headers: { 'x-csrf': '1' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(response.headers.get('content-length')).toBeNull();
    const events = await readEvents(response);
    expect(events.map((e) => e.n)).toEqual([...Array(16).keys()]);
    // one at a time, not all at the end: the first arrived about 3.75 s before the last
    expect(events[15]!.at - events[0]!.at).toBeGreaterThan(3_000);
    expect(events[0]!.at - started).toBeLessThan(1_000);
    expect(events[15]!.at).toBeGreaterThan(tokenExpiresAt);
  });

  it('aborts the upstream request when the client goes away in the middle of a stream', async () => {
    const browser = await signedIn();
    expect(await openAtApi(browser)).toBe(0);
    const controller = new AbortController();
    const response = await browser.fetch(`${stack.bffUrl}/api/echo/events?count=100000&intervalMs=50`, {
      headers: { 'x-csrf': '1' },
      signal: controller.signal,
    });
    const reading = readEvents(response, (n) => n === 2 && controller.abort()).catch(() => 'aborted');
    expect(await reading).toBe('aborted');
    expect(
      await waitUntil(
        () => openAtApi(browser),
        (open) => open === 0,
      ),
    ).toBe(0);
  });

  it('aborts the upstream request when the client goes away before the API answers', async () => {
    const browser = await signedIn();
    const controller = new AbortController();
    const slow = send(browser, `${stack.bffUrl}/api/echo/slow?ms=20000`, { signal: controller.signal }).catch(() => 'aborted');
    expect(
      await waitUntil(
        () => openAtApi(browser),
        (open) => open === 1,
      ),
    ).toBe(1);
    controller.abort();
    expect(await slow).toBe('aborted');
    expect(
      await waitUntil(
        () => openAtApi(browser),
        (open) => open === 0,
      ),
    ).toBe(0);
  });

  it('aborts the upstream request when the client goes away in the middle of an upload', async () => {
    const browser = await signedIn();
    const controller = new AbortController();
    let sent = 0;
    const endless = Readable.from(
      (async function* () {
        const chunk = Buffer.alloc(64 * 1024, 1);
        for (;;) {
          sent += chunk.length;
          if (sent > 4 * MiB) controller.abort();
          yield chunk;
          await sleep(1);
        }
      })(),
    );
    const upload = send(browser, `${stack.bffUrl}/api/echo/upload`, {
      method: 'POST',
      headers: { 'transfer-encoding': 'chunked' },
      body: endless,
      signal: controller.signal,
    }).catch(() => 'aborted');
    expect(await upload).toBe('aborted');
    endless.destroy();
    expect(
      await waitUntil(
        () => openAtApi(browser),
        (open) => open === 0,
      ),
    ).toBe(0);
  });
});

describe("upstream timeouts: one for the API's first answer, one for its silences", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ bff: { upstreamTimeoutSeconds: 0.5, upstreamIdleTimeoutSeconds: 0.5 } });
  });
  afterAll(async () => stack?.close());

  it('answers 504 UPSTREAM_UNAVAILABLE when the API takes longer than the headers timeout to answer', async () => {
    const browser = stack.browser();
    await browser.signIn(stack.bffUrl);
    expect(await browser.api(`${stack.bffUrl}/api/echo/slow?ms=1500`)).toMatchObject({
      status: 504,
      body: { code: 'UPSTREAM_UNAVAILABLE' },
    });
  });

  it('keeps a stream that talks more often than the idle timeout going long past the headers timeout', async () => {
    const browser = stack.browser();
    await browser.signIn(stack.bffUrl);
    const response = await browser.fetch(`${stack.bffUrl}/api/echo/events?count=8&intervalMs=200`, { headers: { 'x-csrf': '1' } });
    expect((await readEvents(response)).map((e) => e.n)).toEqual([...Array(8).keys()]);
  });

  it('cuts a stream that stays silent for longer than the idle timeout', async () => {
    const browser = stack.browser();
    await browser.signIn(stack.bffUrl);
    const response = await browser.fetch(`${stack.bffUrl}/api/echo/events?count=3&intervalMs=1500`, { headers: { 'x-csrf': '1' } });
    const seen: number[] = [];
    const outcome = await readEvents(response, (n) => seen.push(n)).then(
      () => 'ended',
      () => 'cut',
    );
    expect(outcome).toBe('cut');
    expect(seen).toEqual([1]);
  });
});

describe('closing the BFF with an event stream open', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => stack?.close());

  it('ends the stream and its upstream request instead of waiting for it (EventSource reconnects elsewhere)', async () => {
    const browser = stack.browser();
    await browser.signIn(stack.bffUrl);
    const response = await browser.fetch(`${stack.bffUrl}/api/echo/events?count=100000&intervalMs=50`, { headers: { 'x-csrf': '1' } });
    let received = 0;
    const reading = readEvents(response, (n) => (received = n)).then(
      () => 'ended',
      () => 'cut',
    );
    await waitUntil(
      async () => received,
      (n) => n >= 2,
    );
    const started = Date.now();
    await stack.app.close();
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(await reading).toBe('cut');
  });
});
