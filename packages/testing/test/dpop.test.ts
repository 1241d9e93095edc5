import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import { calculateJwkThumbprint, decodeJwt, decodeProtectedHeader } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startStack, tokensOf, type Stack } from '../src/index.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const REDIS_URL = process.env.REDIS_URL;
if (!REDIS_URL) console.warn('dpop.test: REDIS_URL is not set, so the three-replica DPoP burst is skipped (CI always sets it)');

/**
 * What an API's access log (or a proxy in front of it) could leak: every
 * request's headers, as they reached the API. A real HTTP hop in front of the
 * demo API, so that the test can take what a log would hold.
 */
interface AccessLog {
  url: string;
  lines: Array<{ method: string; path: string; status: number; headers: IncomingHttpHeaders }>;
  close(): Promise<void>;
}

async function accessLogIn(front: () => string): Promise<AccessLog> {
  const lines: AccessLog['lines'] = [];
  const port = await freePort();
  const server: Server = createServer((req, res) => {
    const target = new URL(front());
    const upstream = httpRequest(
      { host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers },
      (answer) => {
        lines.push({ method: req.method!, path: req.url!, status: answer.statusCode!, headers: req.headers });
        res.writeHead(answer.statusCode!, answer.headers);
        answer.pipe(res);
      },
    );
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${port}`, lines, close: () => new Promise((r) => server.close(() => r())) };
}

/** Waits out the 2 s token, then 50 requests with the BFF's clock still: every answer 200, exactly one refresh grant. */
async function expectOneGrantAtExpiry(stack: Stack, browser: ReturnType<Stack['browser']>) {
  stack.idp.resetCounters();
  await sleep(2_100);
  stack.freeze();
  try {
    const results = await Promise.all(Array.from({ length: 50 }, () => browser.api(`${stack.bffUrl}/api/me`)));
    expect(results.map((r) => r.status)).toEqual(Array(50).fill(200));
    expect(stack.idp.counters().refresh_token).toEqual({ served: 1, refused: 0 });
  } finally {
    stack.unfreeze();
  }
}

describe('DPoP-bound tokens against the real dev IdP (profile dpop: bound tokens only, nonces required)', () => {
  let stack: Stack;
  let log: AccessLog;
  beforeAll(async () => {
    log = await accessLogIn(() => stack.api.url);
    stack = await startStack({ profile: 'dpop', accessTokenTtl: 2, apiDpopNonce: true, upstream: log.url, bff: { dpop: true } });
  });
  afterAll(async () => {
    await stack?.close();
    await log?.close();
  });
  afterEach(() => {
    stack.idp.resetCounters();
    log.lines.length = 0;
  });

  it('signs in through the nonce dance and binds the tokens to a key of the session that stays sealed in its record', async () => {
    const browser = stack.browser();
    await browser.signIn(stack.bffUrl);
    // the IdP asked for a nonce (use_dpop_nonce) before it issued anything: openid-client answered it
    expect(stack.idp.dpopNonceChallenges()).toBeGreaterThanOrEqual(1);
    expect(stack.idp.counters().authorization_code).toEqual({ served: 1, refused: 0 });

    const { session, tokens } = await tokensOf(stack, browser);
    expect(tokens.dpopKey).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256' });
    expect(tokens.dpopKey?.d).toEqual(expect.any(String));
    expect(tokens.tokenType?.toLowerCase()).toBe('dpop');
    const claims = decodeJwt(tokens.accessToken);
    const { d: _private, ...publicKey } = tokens.dpopKey!;
    expect(claims.cnf).toEqual({ jkt: await calculateJwkThumbprint(publicKey) });
    // the private key is in the record only sealed
    expect(JSON.stringify(session)).not.toContain(tokens.dpopKey!.d);

    // and the browser sees none of it
    const info = await browser.api(`${stack.bffUrl}/auth/session`);
    expect(JSON.stringify(info.body)).not.toContain(publicKey.x);
  });

  it('proxies with a fresh proof per request, and answers the API its own nonce once', async () => {
    const browser = stack.browser();
    await browser.signIn(stack.bffUrl);
    log.lines.length = 0;
    stack.idp.resetCounters();
    expect(await browser.api(`${stack.bffUrl}/api/me`)).toMatchObject({ status: 200, body: { sub: 'alice' } });
    // the API asked this key for its nonce: one 401 use_dpop_nonce, then the resend with the nonce,
    // which is the proof's retry: no refresh grant (the 401-refresh-replay rule did not fire)
    expect(log.lines.map((line) => line.status)).toEqual([401, 200]);
    expect(log.lines[0]!.headers.dpop).not.toBe(log.lines[1]!.headers.dpop);
    expect(stack.idp.counters().refresh_token).toEqual({ served: 0, refused: 0 });
    for (let i = 0; i < 3; i += 1) expect((await browser.api(`${stack.bffUrl}/api/me?i=${i}`)).status).toBe(200);
    expect(log.lines.slice(2).map((line) => line.status)).toEqual([200, 200, 200]);

    const sent = log.lines.filter((line) => line.status === 200);
    const { tokens } = await tokensOf(stack, browser);
    for (const { headers, method } of sent) {
      expect(headers.authorization).toBe(`DPoP ${tokens.accessToken}`);
      const proof = headers.dpop as string;
      expect(decodeProtectedHeader(proof)).toMatchObject({ typ: 'dpop+jwt', alg: 'ES256', jwk: { kty: 'EC', crv: 'P-256' } });
      expect(decodeProtectedHeader(proof).jwk).not.toHaveProperty('d');
      const payload = decodeJwt(proof);
      expect(payload).toMatchObject({ htm: method, htu: `${log.url}/me`, nonce: expect.any(String), ath: expect.any(String) });
    }
    expect(new Set(sent.map(({ headers }) => decodeJwt(headers.dpop as string).jti)).size).toBe(sent.length);
  });

  it('makes a token taken from the API log useless on its own: as a bearer, without a proof, or with a replayed proof', async () => {
    const browser = stack.browser();
    await browser.signIn(stack.bffUrl);
    expect((await browser.api(`${stack.bffUrl}/api/me`)).status).toBe(200);
    const leaked = log.lines.find((line) => line.status === 200)!.headers;
    const token = (leaked.authorization as string).slice('DPoP '.length);
    const direct = (headers: Record<string, string>) => fetch(`${stack.api.url}/me`, { headers }).then((r) => r.status);

    expect(await direct({ authorization: `Bearer ${token}` })).toBe(401);
    expect(await direct({ authorization: `DPoP ${token}` })).toBe(401);
    expect(await direct({ authorization: `DPoP ${token}`, dpop: leaked.dpop as string })).toBe(401); // the same jti: a replay
    // the BFF's own next request still goes through
    expect((await browser.api(`${stack.bffUrl}/api/me`)).status).toBe(200);
  });

  it('refreshes with a proof: 50 requests at expiry cost exactly one grant, and the new token is bound to the same key', async () => {
    const browser = stack.browser();
    await browser.signIn(stack.bffUrl);
    const before = await tokensOf(stack, browser);
    await expectOneGrantAtExpiry(stack, browser);
    const after = await tokensOf(stack, browser);
    expect(after.tokens.refreshToken).not.toBe(before.tokens.refreshToken);
    expect(after.tokens.dpopKey).toEqual(before.tokens.dpopKey);
    expect(decodeJwt(after.tokens.accessToken).cnf).toEqual(decodeJwt(before.tokens.accessToken).cnf);
  });

  it('keeps rotation safe: ten "Stay signed in" refreshes in a row, never a refresh token twice', async () => {
    const browser = stack.browser();
    await browser.signIn(stack.bffUrl);
    const seen = new Set<string>();
    for (let i = 0; i < 10; i += 1) {
      seen.add((await tokensOf(stack, browser)).tokens.refreshToken!);
      expect((await browser.api(`${stack.bffUrl}/auth/refresh`, { method: 'POST' })).status).toBe(200);
    }
    expect(seen.size).toBe(10);
    expect(stack.idp.counters().refresh_token).toEqual({ served: 10, refused: 0 });
  });

  it('ends the session on a back-channel logout, and signs out with revocation', async () => {
    const first = stack.browser();
    await first.signIn(stack.bffUrl, 'bob');
    expect(await stack.idp.backchannelLogout('bob')).toBeGreaterThan(0);
    expect((await first.api(`${stack.bffUrl}/api/me`)).body).toMatchObject({
      code: expect.stringMatching(/UNAUTHENTICATED|TOKEN_REVOKED/),
    });

    const second = stack.browser();
    await second.signIn(stack.bffUrl);
    const { tokens } = await tokensOf(stack, second);
    expect((await second.api(`${stack.bffUrl}/auth/logout`, { method: 'POST' })).status).toBe(200);
    // the refresh token was revoked at the IdP: using it (with a proof of the right key) is refused there
    const app = stack.app;
    const refused = await app.bff.oidc.refresh(tokens.refreshToken!, { now: Date.now(), dpopKey: tokens.dpopKey });
    expect(refused.type).toBe('refused');
  });
});

describe('DPoP for a public client: the refresh token is bound too', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ profile: 'dpop', accessTokenTtl: 2, publicClient: true, bff: { dpop: { algorithm: 'EdDSA' } } });
  });
  afterAll(async () => stack?.close());

  it('signs in with an EdDSA key, proxies and refreshes; the bound refresh token is worthless to another key', async () => {
    const browser = stack.browser();
    await browser.signIn(stack.bffUrl);
    const { tokens } = await tokensOf(stack, browser);
    expect(tokens.dpopKey).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA' });
    expect((await browser.api(`${stack.bffUrl}/api/me`)).status).toBe(200);

    // someone with the refresh token but another key gets nothing, and the grant is not revoked by it
    const thief = await stack.app.bff.oidc.dpop!.generate();
    const stolen = await stack.app.bff.oidc.refresh(tokens.refreshToken!, { now: Date.now(), dpopKey: thief });
    expect(stolen.type).toBe('refused');
    stack.idp.resetCounters();

    expect((await browser.api(`${stack.bffUrl}/auth/refresh`, { method: 'POST' })).status).toBe(200);
    expect(stack.idp.counters().refresh_token).toEqual({ served: 1, refused: 0 });
    expect((await browser.api(`${stack.bffUrl}/api/me`)).status).toBe(200);
  });
});

describe('a BFF without DPoP against an IdP that takes only DPoP-bound requests', () => {
  it('refuses the sign-in with SIGN_IN_REFUSED and a sentence that names DPoP, and keeps no session', async () => {
    const stack = await startStack({ profile: 'dpop', bff: { dpop: false } });
    try {
      const browser = stack.browser();
      const stopped = await browser.signIn(stack.bffUrl).catch((err: Error) => err);
      expect(stopped).toBeInstanceOf(Error);
      expect(String(stopped)).toMatch(/with 403: .*sender-constrained \(DPoP\)/s);
      expect(browser.cookies.has('bff.sid')).toBe(false);
      expect(stack.idp.counters().authorization_code).toEqual({ served: 0, refused: 1 });
    } finally {
      await stack.close();
    }
  });
});

describe.runIf(REDIS_URL)('DPoP on three replicas sharing Redis', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({
      profile: 'dpop',
      accessTokenTtl: 2,
      replicas: 3,
      apiDpopNonce: true,
      bff: { dpop: true, sessionStore: 'redis', redisUrl: REDIS_URL },
    });
  });
  afterAll(async () => stack?.close());

  it('keeps proving for a session that began with DPoP after a restart with DPoP turned off (its tokens stay bound)', async () => {
    const browser = stack.browser();
    await browser.signIn(stack.bffUrl);
    await stack.restartReplica(0, 0, { dpop: false });
    try {
      for (let i = 0; i < 3; i += 1) expect((await browser.api(`${stack.bffUrl}/api/me`)).status).toBe(200);
      expect((await browser.api(`${stack.bffUrl}/auth/refresh`, { method: 'POST' })).status).toBe(200);
    } finally {
      await stack.restartReplica(0);
    }
  });

  it('50 requests at expiry over three replicas: one grant, every replica proving with the one sealed key', async () => {
    const browser = stack.browser();
    await browser.signIn(stack.bffUrl);
    for (let i = 0; i < 3; i += 1) expect((await browser.api(`${stack.bffUrl}/api/me`)).status).toBe(200);
    await expectOneGrantAtExpiry(stack, browser);
  });
});
