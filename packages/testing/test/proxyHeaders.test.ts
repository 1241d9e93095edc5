import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { send } from './support/http.js';
import { startStack, type Stack } from '../src/index.js';

/** What crosses the proxy in each direction, as the demo API's echo routes see it (README, "What the proxy forwards"). */
describe('the API proxy owns the forwarding headers', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => stack?.close());

  const signedIn = async () => {
    const browser = stack.browser();
    await browser.signIn(stack.bffUrl);
    return browser;
  };

  it('replaces the forwarding headers a page can spoof with its own view, and drops DPoP', async () => {
    const browser = await signedIn();
    const { status, body } = await send(browser, `${stack.bffUrl}/api/echo/who`, {
      headers: {
        forwarded: 'for=6.6.6.6;proto=https;host=evil.example',
        'x-forwarded-for': ['6.6.6.6', '7.7.7.7'],
        'x-forwarded-host': 'evil.example',
        'x-forwarded-proto': 'https',
        'x-forwarded-port': '443',
        'x-forwarded-prefix': '/evil',
        'x-real-ip': '6.6.6.6',
        dpop: 'eyJhbGciOiJFUzI1NiJ9.forged.proof',
        'x-request-id': 'kept-1',
      },
    });
    expect(status).toBe(200);
    expect(body.headers).toMatchObject({
      'x-forwarded-for': '127.0.0.1',
      'x-forwarded-proto': 'http',
      'x-forwarded-host': new URL(stack.bffUrl).host,
      'x-forwarded-prefix': '/api',
      'x-request-id': 'kept-1',
      authorization: 'Bearer [redacted]',
    });
    for (const name of ['forwarded', 'x-real-ip', 'dpop', 'x-forwarded-port', 'cookie', 'x-csrf'])
      expect(body.headers).not.toHaveProperty(name);
    expect(JSON.stringify(body.headers)).not.toMatch(/6\.6\.6\.6|7\.7\.7\.7|evil/);
  });

  it('drops the headers the client names in Connection, and every hop-by-hop header', async () => {
    const browser = await signedIn();
    const { body } = await send(browser, `${stack.bffUrl}/api/echo`, {
      headers: {
        connection: 'keep-alive, X-Hop-Secret, x-other',
        'x-hop-secret': 'for this connection only',
        'x-other': 'also',
        'keep-alive': 'timeout=5',
        'proxy-connection': 'keep-alive',
        te: 'trailers',
        'x-kept': 'end to end',
      },
    });
    expect(body.headers['x-kept']).toBe('end to end');
    for (const name of ['x-hop-secret', 'x-other', 'keep-alive', 'proxy-connection', 'te']) expect(body.headers).not.toHaveProperty(name);
    expect(body.headers.connection ?? '').not.toMatch(/hop|other/i);
  });

  it('serves a client that sends Expect: 100-continue (undici refuses to forward it)', async () => {
    const browser = await signedIn();
    const { status, body } = await send(browser, `${stack.bffUrl}/api/echo`, {
      method: 'POST',
      headers: { expect: '100-continue', 'content-type': 'text/plain' },
      body: Buffer.from('hello'),
    });
    expect(status).toBe(200);
    expect(body.body.bytes).toBe(5);
    expect(body.headers).not.toHaveProperty('expect');
  });

  it('drops the headers the API names in Connection, its cookies, its challenge and its Alt-Svc on the way back', async () => {
    const browser = await signedIn();
    const query = [
      'connection:x-internal',
      'x-internal:upstream secret',
      'set-cookie:api=1; Path=/',
      'www-authenticate:Basic realm="api"',
      'alt-svc:h3=":443"',
      'x-kept:yes',
    ]
      .map((header) => `header=${encodeURIComponent(header)}`)
      .join('&');
    const { status, headers } = await send(browser, `${stack.bffUrl}/api/echo/respond?${query}`);
    expect(status).toBe(200);
    expect(headers['x-kept']).toBe('yes');
    for (const name of ['x-internal', 'www-authenticate', 'alt-svc']) expect(headers).not.toHaveProperty(name);
    expect(headers['set-cookie'] ?? []).toEqual([]);
  });

  it("passes an API 401 that survives the one replay to the client with its body, never with the API's WWW-Authenticate", async () => {
    const browser = await signedIn();
    stack.api.resetHits();
    stack.idp.resetCounters();
    const { status, headers, body } = await send(
      browser,
      `${stack.bffUrl}/api/echo/respond?status=401&header=${encodeURIComponent('www-authenticate:Basic realm="api"')}`,
    );
    expect(status).toBe(401);
    expect(body).toEqual({ status: 401 });
    expect(headers).not.toHaveProperty('www-authenticate');
    expect(stack.api.hits()).toBe(2); // the request and its one replay
    expect(stack.idp.counters().refresh_token).toEqual({ served: 1, refused: 0 });
  });

  it("rewrites a Location on the API's own origin to the BFF's /api path, and leaves any other alone", async () => {
    const browser = await signedIn();
    const location = async (value: string) =>
      (await send(browser, `${stack.bffUrl}/api/echo/respond?status=302&location=${encodeURIComponent(value)}`)).headers.location;
    expect(await location(`${stack.api.url}/notes/7?x=1#top`)).toBe('/api/notes/7?x=1#top');
    expect(await location('/me')).toBe('/api/me');
    expect(await location('notes')).toBe('/api/echo/notes');
    expect(await location('https://elsewhere.example/x')).toBe('https://elsewhere.example/x');
    expect(await location(`http://127.0.0.1:1/notes`)).toBe('http://127.0.0.1:1/notes');
    expect(await location('//elsewhere.example/x')).toBe('//elsewhere.example/x');
  });
});

describe('the API proxy behind a trusted load balancer (Fastify trustProxy)', () => {
  let stack: Stack;
  beforeAll(async () => {
    // the test client stands in for the load balancer: it connects from 127.0.0.1
    stack = await startStack({ fastify: { trustProxy: '127.0.0.1' } });
  });
  afterAll(async () => stack?.close());

  it("extends the balancer's X-Forwarded-For and drops what the client wrote before it", async () => {
    const browser = stack.browser();
    await browser.signIn(stack.bffUrl);
    // the client sent "X-Forwarded-For: 6.6.6.6"; the balancer appended the address it saw: 203.0.113.7
    const { body } = await send(browser, `${stack.bffUrl}/api/echo`, { headers: { 'x-forwarded-for': '6.6.6.6, 203.0.113.7' } });
    expect(body.headers['x-forwarded-for']).toBe('203.0.113.7, 127.0.0.1');
  });

  it('still names the public URL as host and protocol, whatever the balancer says', async () => {
    const browser = stack.browser();
    await browser.signIn(stack.bffUrl);
    const { body } = await send(browser, `${stack.bffUrl}/api/echo`, {
      headers: { 'x-forwarded-host': 'other.example', 'x-forwarded-proto': 'https' },
    });
    expect(body.headers).toMatchObject({ 'x-forwarded-host': new URL(stack.bffUrl).host, 'x-forwarded-proto': 'http' });
  });
});
