import { trace } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BffHooks } from '@bff/fastify-bff';
import { sessionIdOf, startStack, tokensOf, type Stack } from '../src/index.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The value of one sample in Prometheus text, e.g. metric('bff_sessions_started_total'). */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || !line.startsWith(name)) continue;
    const [series = '', value = ''] = line.split(' ');
    const labelPart = series.slice(name.length);
    if (labelPart !== '' && !labelPart.startsWith('{')) continue;
    if (wanted.every((w) => labelPart.includes(w))) return Number(value);
  }
  return 0;
}

describe('metrics on their own port', () => {
  let stack: Stack;
  let scrape: () => Promise<string>;
  beforeAll(async () => {
    stack = await startStack({ accessTokenTtl: 60, slowableIdp: true, bff: { metrics: { port: 0 } } });
    const address = stack.app.bffMetricsServer!.server.address() as { port: number };
    scrape = async () => (await fetch(`http://127.0.0.1:${address.port}/metrics`)).text();
  });
  afterAll(async () => stack?.close());

  it('are not on the public origin', async () => {
    expect((await fetch(`${stack.bffUrl}/metrics`)).status).toBe(404);
  });

  it('count one grant and 49 waiters for a storm of 50 requests at expiry', async () => {
    const browser = stack.browser();
    await browser.signIn(stack.bffUrl);
    const before = await scrape();
    stack.advance(60_000);
    stack.delayIdp(300); // every request of the storm arrives while the one grant is at the IdP
    const results = await Promise.all(Array.from({ length: 50 }, () => browser.api(`${stack.bffUrl}/api/me`)));
    stack.delayIdp(0);
    expect(results.every((r) => r.status === 200)).toBe(true);
    const after = await scrape();
    const delta = (name: string, labels?: Record<string, string>) => sample(after, name, labels) - sample(before, name, labels);
    expect(delta('bff_refresh_grants_total', { outcome: 'ok' })).toBe(1);
    expect(delta('bff_refresh_grant_duration_seconds_count', { outcome: 'ok' })).toBe(1);
    expect(delta('bff_refresh_waiters_total')).toBe(49);
    expect(delta('bff_api_request_duration_seconds_count', { status: '2xx' })).toBe(50);
    expect(delta('bff_store_operation_duration_seconds_count', { op: 'store.updateTokens', result: 'ok' })).toBe(1);
    expect(sample(after, 'bff_sessions_started_total')).toBeGreaterThanOrEqual(1);
    expect(sample(after, 'bff_active_sessions')).toBeGreaterThanOrEqual(1);
    // bounded cardinality: no session ids, users or paths in any label
    expect(after).not.toMatch(/sub="|session="|path="|alice/);
  });

  it('count an IdP outage as unavailable, and a revoked grant as a refusal that ended a session', async () => {
    const browser = stack.browser();
    await browser.signIn(stack.bffUrl, 'bob');
    const before = await scrape();
    stack.advance(60_000);
    await stack.idp.stop();
    expect((await browser.api(`${stack.bffUrl}/api/me`)).body).toMatchObject({ code: 'IDP_UNAVAILABLE' });
    await stack.idp.start();
    await sleep(2_100); // past the failure cooldown
    await stack.idp.revokeUser('bob');
    const refused = await browser.api(`${stack.bffUrl}/api/me`);
    expect(refused.status).toBe(401);
    const after = await scrape();
    const delta = (name: string, labels?: Record<string, string>) => sample(after, name, labels) - sample(before, name, labels);
    expect(delta('bff_refresh_grants_total', { outcome: 'unavailable', code: 'IDP_UNAVAILABLE' })).toBe(1);
    expect(delta('bff_refresh_grants_total', { outcome: 'refused', code: refused.body.code })).toBe(1);
    expect(delta('bff_sessions_ended_total', { reason: refused.body.code })).toBe(1);
    expect(delta('bff_api_request_duration_seconds_count', { status: '5xx' })).toBe(1);
  });
});

describe('suspected token theft', () => {
  let stack: Stack;
  let scrape: () => Promise<string>;
  beforeAll(async () => {
    stack = await startStack({ accessTokenTtl: 60, bff: { metrics: { port: 0 } } });
    const address = stack.app.bffMetricsServer!.server.address() as { port: number };
    scrape = async () => (await fetch(`http://127.0.0.1:${address.port}/metrics`)).text();
  });
  afterAll(async () => stack?.close());

  it('is counted when a refusal follows a rotation: a thief replayed the old refresh token', async () => {
    const browser = stack.browser();
    await browser.signIn(stack.bffUrl);
    const stolen = (await tokensOf(stack, browser)).tokens.refreshToken!;
    stack.advance(60_000);
    expect((await browser.api(`${stack.bffUrl}/api/me`)).status).toBe(200); // the BFF rotates it
    // the thief presents the rotated token: the IdP sees reuse and revokes the whole grant
    const theft = await fetch(`${stack.idp.issuer}/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${stack.idp.clientId}:${stack.idp.clientSecret}`).toString('base64')}`,
      },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: stolen }),
    });
    expect(theft.status).toBe(400);
    const refused = await browser.api(`${stack.bffUrl}/auth/refresh`, { method: 'POST' });
    expect(refused.status).toBe(401);
    expect(sample(await scrape(), 'bff_refresh_reuse_suspected_total')).toBe(1);
  });
});

describe('metrics behind a bearer token on the app', () => {
  let stack: Stack;
  const token = 'metrics-token-of-at-least-32-characters';
  beforeAll(async () => {
    stack = await startStack({ bff: { metrics: { bearerToken: token } } });
  });
  afterAll(async () => stack?.close());

  it('answer only to the token', async () => {
    expect((await fetch(`${stack.bffUrl}/metrics`)).status).toBe(401);
    expect((await fetch(`${stack.bffUrl}/metrics`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
    const ok = await fetch(`${stack.bffUrl}/metrics`, { headers: { authorization: `Bearer ${token}` } });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('bff_refresh_grants_total');
  });
});

describe('audit lines', () => {
  const lines: string[] = [];
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ logStream: { write: (line) => void lines.push(line) } });
  });
  afterAll(async () => stack?.close());

  it('say who signed in and out and what was refused, with no token, cookie or session id', async () => {
    const browser = stack.browser();
    await browser.signIn(stack.bffUrl, 'alice');
    const id = sessionIdOf(stack, browser);
    const { tokens } = await tokensOf(stack, browser);
    await browser.fetch(`${stack.bffUrl}/api/me`); // no X-CSRF
    await browser.api(`${stack.bffUrl}/auth/logout`, { method: 'POST' });
    const audit = lines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => line.component === 'audit');
    expect(audit.map((line) => line.audit)).toEqual(['session.started', 'csrf.refused', 'session.ended']);
    expect(audit[0]).toMatchObject({ sub: 'alice', level: 30 });
    expect(audit[1]).toMatchObject({ method: 'GET', level: 40 });
    expect(audit[2]).toMatchObject({ sub: 'alice', reason: 'SIGNED_OUT' });
    const all = lines.join('\n');
    for (const secret of [tokens.accessToken, tokens.refreshToken!, id, browser.cookies.get('bff.sid') ?? 'none'])
      expect(all).not.toContain(secret);
  });
});

describe('hooks for integrators', () => {
  const seen: string[] = [];
  const hooks: BffHooks = {
    onSignIn: ({ user, claims }) => {
      if (user.sub === 'bob') return { refuse: 'Bob may not use this app.' };
      return { ...user, name: `${String(claims.sub).toUpperCase()} (mapped)` };
    },
    onSessionEnd: ({ sub, reason }) => void seen.push(`end ${sub} ${reason}`),
    onTokensRefreshed: ({ sub, rotated }) => {
      seen.push(`refreshed ${sub} ${rotated}`);
      throw new Error('a hook that throws');
    },
  };
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ accessTokenTtl: 60, bff: { hooks } });
  });
  afterAll(async () => stack?.close());

  it('onSignIn maps the user, onTokensRefreshed hears a refresh (and throwing loses nothing), onSessionEnd hears the sign-out', async () => {
    const browser = stack.browser();
    await browser.signIn(stack.bffUrl, 'alice');
    expect((await browser.api(`${stack.bffUrl}/auth/session`)).body).toMatchObject({ user: { sub: 'alice', name: 'ALICE (mapped)' } });
    stack.advance(60_000);
    expect((await browser.api(`${stack.bffUrl}/api/me`)).status).toBe(200);
    expect((await browser.api(`${stack.bffUrl}/api/me`)).status).toBe(200);
    expect((await browser.api(`${stack.bffUrl}/auth/session`)).body).toMatchObject({ authenticated: true });
    await browser.api(`${stack.bffUrl}/auth/logout`, { method: 'POST' });
    expect(seen).toEqual(['refreshed alice true', 'end alice SIGNED_OUT']);
  });

  it('onSignIn refuses with a sentence the person reads, and no session starts', async () => {
    const browser = stack.browser();
    stack.idp.resetCounters();
    await expect(browser.signIn(stack.bffUrl, 'bob')).rejects.toThrow(/403[\s\S]*Bob may not use this app/);
    expect(browser.cookies.has('bff.sid')).toBe(false);
    expect((await browser.api(`${stack.bffUrl}/auth/session`)).body).toMatchObject({ authenticated: false });
  });
});

describe('a throwing onSignIn hook', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ bff: { hooks: { onSignIn: () => Promise.reject(new Error('the directory is down')) } } });
  });
  afterAll(async () => stack?.close());

  it('fails the sign-in with INTERNAL and starts no session', async () => {
    const browser = stack.browser();
    await expect(browser.signIn(stack.bffUrl, 'alice')).rejects.toThrow(/500/);
    expect(browser.cookies.has('bff.sid')).toBe(false);
  });
});

describe('traces', () => {
  const exporter = new InMemorySpanExporter();
  let stack: Stack;
  beforeAll(async () => {
    trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));
    stack = await startStack({ accessTokenTtl: 60, slowableIdp: true });
  });
  afterAll(async () => {
    await stack?.close();
    trace.disable();
  });

  it('show bff.callback, bff.proxy and bff.refresh with its waiters to a host that has an SDK', async () => {
    const browser = stack.browser();
    await browser.signIn(stack.bffUrl);
    stack.advance(60_000);
    stack.delayIdp(300);
    await Promise.all(Array.from({ length: 5 }, () => browser.api(`${stack.bffUrl}/api/me`)));
    const spans = exporter.getFinishedSpans();
    const names = spans.map((span) => span.name);
    expect(names.filter((n) => n === 'bff.callback')).toHaveLength(1);
    expect(names.filter((n) => n === 'bff.proxy')).toHaveLength(5);
    const refresh = spans.filter((span) => span.name === 'bff.refresh');
    expect(refresh).toHaveLength(1);
    expect(refresh[0]!.attributes).toMatchObject({ 'bff.refresh.waiters': 4, 'bff.refresh.outcome': 'ok' });
  });
});
