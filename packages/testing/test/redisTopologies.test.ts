import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisKeys } from '@bff/fastify-bff';
import type { Browser } from '@bff/fastify-bff/testing';
import { sessionIdOf, startCluster, startSentinels, startStack, type Stack, type TestCluster, type TestSentinels } from '../src/index.js';

const REDIS_URL = process.env.REDIS_URL;
if (!REDIS_URL)
  console.warn('redisTopologies.test: REDIS_URL is not set, so the Redis Cluster and Sentinel tests are skipped (CI always sets it)');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** 1000 requests meet an expired token over 3 replicas: one grant, no failure. */
async function burstAtExpiry(stack: Stack): Promise<void> {
  const browser = stack.browser();
  await browser.signIn(stack.bffUrl);
  stack.advance(15 * 60_000);
  stack.idp.resetCounters();
  const results = await Promise.all(Array.from({ length: 1000 }, () => browser.api(`${stack.bffUrl}/api/me`)));
  stack.advance(-15 * 60_000);
  expect(results.filter((r) => r.status !== 200).map((r) => r.body)).toEqual([]);
  expect(stack.idp.counters().refresh_token).toEqual({ served: 1, refused: 0 });
}

/**
 * Steady traffic for one user while `failover` kills the Redis primary that
 * holds the session, in the middle of a burst at expiry: the IdP is slowed
 * (1 s, under the 2 s IDP_TIMEOUT_SECONDS) so that the refresh grant is in
 * flight when the primary dies and its answer, a rotated pair, arrives while
 * the store cannot take it (rule 10). Requests meanwhile may hear 503
 * SESSION_STORE_UNAVAILABLE, nothing else. Afterwards the same session answers
 * again, the expiry cost one grant, and the next expiry refreshes with the
 * rotated refresh token: presenting the old one would have had the IdP revoke
 * the grant as reuse.
 */
async function survivesFailover(
  stack: Stack,
  logs: string[],
  failover: (browser: Browser) => Promise<void>,
): Promise<{ recoveredMs: number; statuses: Record<string, number> }> {
  const browser = stack.browser();
  await browser.signIn(stack.bffUrl, 'bob');
  const statuses: Record<string, number> = {};
  const count = (response: { status: number; body?: { code?: string } | null }) => {
    const label = response.status === 200 ? '200' : `${response.status} ${response.body?.code ?? ''}`;
    statuses[label] = (statuses[label] ?? 0) + 1;
  };
  let running = true;
  const load = Promise.all(
    Array.from({ length: 6 }, async () => {
      while (running) {
        count(await browser.api(`${stack.bffUrl}/api/notes`));
        await sleep(20);
      }
    }),
  );
  await sleep(300);
  stack.idp.resetCounters();
  stack.delayIdp(1_000);
  stack.advance(15 * 60_000);
  const burst = Promise.all(Array.from({ length: 50 }, async () => count(await browser.api(`${stack.bffUrl}/api/me`))));
  // the refresh grant is on its way to the (slowed) IdP: now the primary dies
  for (const giveUp = Date.now() + 5_000; stack.idpHeld() === 0 && Date.now() < giveUp;) await sleep(5);
  expect(stack.idpHeld()).toBeGreaterThan(0);
  const killedAt = Date.now();
  await failover(browser);
  // on until the session answers again, and a little longer
  const giveUp = Date.now() + 20_000;
  while (Date.now() < giveUp && (await browser.api(`${stack.bffUrl}/api/me`)).status !== 200) await sleep(50);
  const recoveredMs = Date.now() - killedAt;
  await burst;
  await sleep(500);
  running = false;
  await load;
  stack.delayIdp(0);
  expect(Object.keys(statuses).filter((label) => label !== '200' && label !== '503 SESSION_STORE_UNAVAILABLE')).toEqual([]);
  expect(stack.idp.counters().refresh_token).toEqual({ served: 1, refused: 0 });
  // the grant's answer met the dead primary: the replica held the rotated pair and stored it once the store was back (rule 10)
  expect(logs.filter((line) => line.includes('held token pair stored'))).toHaveLength(1);
  // the next expiry: the stored refresh token is the rotated one
  stack.advance(15 * 60_000);
  expect((await browser.api(`${stack.bffUrl}/api/me`)).status).toBe(200);
  expect(stack.idp.counters().refresh_token).toEqual({ served: 2, refused: 0 });
  stack.advance(-30 * 60_000);
  expect((await browser.api(`${stack.bffUrl}/auth/session`)).body).toMatchObject({ authenticated: true, user: { sub: 'bob' } });
  return { recoveredMs, statuses };
}

describe.runIf(REDIS_URL)('three BFF replicas on a Redis Cluster (3 primaries, 3 replicas)', () => {
  let cluster: TestCluster;
  let stack: Stack;
  const logs: string[] = [];
  beforeAll(async () => {
    cluster = await startCluster();
    stack = await startStack({
      replicas: 3,
      slowableIdp: true,
      logStream: { write: (line) => logs.push(line) },
      bff: { sessionStore: 'redis', redisClusterNodes: cluster.seeds },
    });
  }, 60_000);
  afterAll(async () => {
    await stack?.close();
    await cluster?.close();
  });

  it('costs exactly one refresh grant for 1000 concurrent requests at expiry', async () => {
    await burstAtExpiry(stack);
  }, 60_000);

  it('ends every session of a user on a back-channel logout, whatever slots they live in', async () => {
    const tabs = [stack.browser(), stack.browser(), stack.browser()];
    for (const tab of tabs) await tab.signIn(stack.bffUrl, 'alice');
    expect(await stack.idp.backchannelLogout('alice')).toBeGreaterThan(0);
    for (const tab of tabs)
      expect((await tab.api(`${stack.bffUrl}/auth/session`)).body).toMatchObject({ authenticated: false, reason: 'TOKEN_REVOKED' });
  });

  it("loses no session when the primary holding the session's slot dies during a refresh", async () => {
    const { recoveredMs, statuses } = await survivesFailover(stack, logs, async (browser) => {
      await cluster.killPrimaryOf(redisKeys.session(sessionIdOf(stack, browser)));
    });
    console.log(`cluster failover: the session answered again ${recoveredMs} ms after its primary was killed`, JSON.stringify(statuses));
    expect(recoveredMs).toBeLessThan(20_000);
  }, 60_000);
});

describe.runIf(REDIS_URL)('three BFF replicas on a Sentinel-managed primary', () => {
  let group: TestSentinels;
  let stack: Stack;
  const logs: string[] = [];
  beforeAll(async () => {
    group = await startSentinels();
    stack = await startStack({
      replicas: 3,
      slowableIdp: true,
      logStream: { write: (line) => logs.push(line) },
      bff: { sessionStore: 'redis', redisSentinels: group.sentinels, redisSentinelName: group.name },
    });
  }, 60_000);
  afterAll(async () => {
    await stack?.close();
    await group?.close();
  });

  it('costs exactly one refresh grant for 1000 concurrent requests at expiry', async () => {
    await burstAtExpiry(stack);
  }, 60_000);

  it('follows a failover with no restart and loses no session, even one killed during a refresh', async () => {
    const { recoveredMs, statuses } = await survivesFailover(stack, logs, () => group.killPrimary());
    console.log(`sentinel failover: the session answered again ${recoveredMs} ms after the primary was killed`, JSON.stringify(statuses));
    expect(recoveredMs).toBeLessThan(20_000);
  }, 60_000);
});
