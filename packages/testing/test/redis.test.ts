import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startStack, tokensOf, type Stack } from '../src/index.js';

const REDIS_URL = process.env.REDIS_URL;
if (!REDIS_URL) console.warn('redis.test: REDIS_URL is not set, so the redis integration tests are skipped (CI always sets it)');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.runIf(REDIS_URL)('three BFF replicas sharing one Redis', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ replicas: 3, bff: { sessionStore: 'redis', redisUrl: REDIS_URL } });
  });
  afterAll(async () => stack?.close());

  it('costs exactly one refresh grant for 300 concurrent requests at expiry spread over all replicas', async () => {
    const browser = stack.browser();
    await browser.signIn(stack.bffUrl);
    // every replica's clock moves past the 15-minute token: the new token then lives 15 minutes,
    // so a slow burst cannot make a second refresh legitimate (a short real TTL would)
    stack.advance(15 * 60_000);
    stack.idp.resetCounters();
    stack.served.fill(0);
    const results = await Promise.all(Array.from({ length: 300 }, () => browser.api(`${stack.bffUrl}/api/me`)));
    const failures = results.filter((r) => r.status !== 200);
    expect(failures.map((f) => f.body)).toEqual([]);
    expect(stack.idp.counters().refresh_token).toEqual({ served: 1, refused: 0 });
    expect(stack.served.every((n) => n >= 90)).toBe(true);
    stack.advance(-15 * 60_000);
  });

  it('loses no session and fails no request when a replica restarts mid-load', async () => {
    const browser = stack.browser();
    await browser.signIn(stack.bffUrl, 'bob');
    const statuses: number[] = [];
    let running = true;
    const load = Promise.all(
      Array.from({ length: 8 }, async () => {
        while (running) statuses.push((await browser.api(`${stack.bffUrl}/api/notes`)).status);
      }),
    );
    await sleep(300);
    await stack.restartReplica(1, 200);
    await sleep(300);
    running = false;
    await load;
    expect(statuses.length).toBeGreaterThan(50);
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    expect((await browser.api(`${stack.bffUrl}/auth/session`)).body).toMatchObject({ authenticated: true, user: { sub: 'bob' } });
  });

  it('keeps sessions across a restart of every replica', async () => {
    const browser = stack.browser();
    await browser.signIn(stack.bffUrl);
    for (let i = 0; i < 3; i += 1) await stack.restartReplica(i);
    expect((await browser.api(`${stack.bffUrl}/api/me`)).status).toBe(200);
  });

  it('ends the sessions on every replica on a back-channel logout from the IdP', async () => {
    const tabs = [stack.browser(), stack.browser()];
    for (const tab of tabs) await tab.signIn(stack.bffUrl, 'alice');
    expect(await stack.idp.backchannelLogout('alice')).toBeGreaterThan(0);
    for (const tab of tabs) {
      // three requests: one per replica
      for (let i = 0; i < 3; i += 1) {
        const response = await tab.api(`${stack.bffUrl}/auth/session`);
        expect(response.body.authenticated).toBe(false);
      }
    }
  });

  it('does not write to Redis for steady-state requests, and reads at most once per request', async () => {
    const browser = stack.browser();
    await browser.signIn(stack.bffUrl, 'bob');
    await browser.api(`${stack.bffUrl}/api/me`); // the first request may move the idle deadline
    const before = await commandStats();
    for (let i = 0; i < 30; i += 1) expect((await browser.api(`${stack.bffUrl}/api/me`)).status).toBe(200);
    const after = await commandStats();
    const delta = (name: string) => (after[name] ?? 0) - (before[name] ?? 0);
    // each replica reads the session once; Redis keeps the copy in its client cache valid (client tracking)
    expect(delta('hgetall')).toBeGreaterThan(0);
    expect(delta('hgetall')).toBeLessThanOrEqual(3);
    for (const write of ['hset', 'eval', 'set', 'del', 'pexpire', 'sadd']) expect(delta(write)).toBe(0);
  });

  it('holds no plaintext token anywhere in Redis', async () => {
    const browser = stack.browser();
    await browser.signIn(stack.bffUrl);
    await browser.api(`${stack.bffUrl}/auth/refresh`, { method: 'POST' });
    const { tokens } = await tokensOf(stack, browser);
    const client = createClient({ url: REDIS_URL });
    await client.connect();
    let dump = '';
    for await (const keys of client.scanIterator({ MATCH: 'bff:*', COUNT: 500 })) {
      for (const key of keys) {
        const type = await client.type(key);
        dump += type === 'hash' ? JSON.stringify(await client.hGetAll(key)) : type === 'string' ? await client.get(key) : '';
      }
    }
    await client.close();
    expect(dump.length).toBeGreaterThan(100);
    for (const token of [tokens.accessToken, tokens.refreshToken]) expect(dump).not.toContain(token!);
  });
});

async function commandStats(): Promise<Record<string, number>> {
  const client = createClient({ url: REDIS_URL });
  await client.connect();
  const info = await client.info('commandstats');
  await client.close();
  const stats: Record<string, number> = {};
  for (const match of info.matchAll(/^cmdstat_(\w+):calls=(\d+)/gm)) stats[match[1]!] = Number(match[2]);
  return stats;
}

describe.runIf(REDIS_URL)('a Redis that goes away and comes back', () => {
  let redis: ChildProcess | undefined;
  let stack: Stack;
  let port: number;
  const dir = mkdtempSync(join(tmpdir(), 'bff-redis-'));
  // its own redis-server with an append-only file, so stopping it is a real outage that loses nothing
  const startRedis = async () => {
    redis = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'yes', '--appendfsync', 'always', '--dir', dir],
      { stdio: 'ignore' },
    );
    for (let i = 0; i < 50; i += 1) {
      const probe = createClient({ url: `redis://127.0.0.1:${port}`, socket: { reconnectStrategy: false } });
      probe.on('error', () => undefined);
      try {
        await probe.connect();
        await probe.close();
        return;
      } catch {
        await sleep(100);
      }
    }
    throw new Error('redis-server did not start');
  };
  const stopRedis = () =>
    new Promise<void>((resolve) => {
      redis?.once('exit', () => resolve());
      redis?.kill('SIGTERM');
    });

  beforeAll(async () => {
    port = await freePort();
    await startRedis();
    stack = await startStack({ bff: { sessionStore: 'redis', redisUrl: `redis://127.0.0.1:${port}` } });
  });
  afterAll(async () => {
    await stack?.close();
    redis?.kill('SIGKILL');
  });

  it('answers 503 SESSION_STORE_UNAVAILABLE meanwhile and recovers on its own', async () => {
    const browser = stack.browser();
    await browser.signIn(stack.bffUrl);
    expect((await browser.api(`${stack.bffUrl}/api/me`)).status).toBe(200);
    await stopRedis();
    const during = await browser.api(`${stack.bffUrl}/api/me`);
    expect(during).toMatchObject({ status: 503, body: { code: 'SESSION_STORE_UNAVAILABLE' } });
    expect((await browser.api(`${stack.bffUrl}/auth/session`)).status).toBe(503);
    expect((await fetch(`${stack.bffUrl}/readyz`)).status).toBe(503);
    expect(browser.cookies.has('bff.sid')).toBe(true);
    await startRedis();
    let recovered = 0;
    for (let i = 0; i < 50 && recovered !== 200; i += 1) {
      await sleep(100);
      recovered = (await browser.api(`${stack.bffUrl}/api/me`)).status;
    }
    expect(recovered).toBe(200);
    expect((await fetch(`${stack.bffUrl}/readyz`)).status).toBe(200);
  });
});
