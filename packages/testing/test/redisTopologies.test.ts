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
 * holds the session. Requests meanwhile may hear 503 SESSION_STORE_UNAVAILABLE,
 * nothing else; afterwards the same session answers again.
 */
async function survivesFailover(
  stack: Stack,
  failover: (browser: Browser) => Promise<void>,
): Promise<{ recoveredMs: number; statuses: Record<string, number> }> {
  const browser = stack.browser();
  await browser.signIn(stack.bffUrl, 'bob');
  const statuses: Record<string, number> = {};
  let running = true;
  const load = Promise.all(
    Array.from({ length: 6 }, async () => {
      while (running) {
        const response = await browser.api(`${stack.bffUrl}/api/notes`);
        const label = response.status === 200 ? '200' : `${response.status} ${response.body?.code ?? ''}`;
        statuses[label] = (statuses[label] ?? 0) + 1;
        await sleep(20);
      }
    }),
  );
  await sleep(300);
  const killedAt = Date.now();
  await failover(browser);
  // on until the session answers again, and a little longer
  const giveUp = Date.now() + 20_000;
  while (Date.now() < giveUp && (await browser.api(`${stack.bffUrl}/api/me`)).status !== 200) await sleep(50);
  const recoveredMs = Date.now() - killedAt;
  await sleep(500);
  running = false;
  await load;
  expect(Object.keys(statuses).filter((label) => label !== '200' && label !== '503 SESSION_STORE_UNAVAILABLE')).toEqual([]);
  expect((await browser.api(`${stack.bffUrl}/auth/session`)).body).toMatchObject({ authenticated: true, user: { sub: 'bob' } });
  return { recoveredMs, statuses };
}

describe.runIf(REDIS_URL)('three BFF replicas on a Redis Cluster (3 primaries, 3 replicas)', () => {
  let cluster: TestCluster;
  let stack: Stack;
  beforeAll(async () => {
    cluster = await startCluster();
    stack = await startStack({ replicas: 3, bff: { sessionStore: 'redis', redisClusterNodes: cluster.seeds } });
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

  it("loses no session when the primary holding the session's slot dies mid-traffic", async () => {
    const { recoveredMs, statuses } = await survivesFailover(stack, async (browser) => {
      await cluster.killPrimaryOf(redisKeys.session(sessionIdOf(stack, browser)));
    });
    console.log(`cluster failover: the session answered again ${recoveredMs} ms after its primary was killed`, JSON.stringify(statuses));
    expect(recoveredMs).toBeLessThan(20_000);
  }, 60_000);
});

describe.runIf(REDIS_URL)('three BFF replicas on a Sentinel-managed primary', () => {
  let group: TestSentinels;
  let stack: Stack;
  beforeAll(async () => {
    group = await startSentinels();
    stack = await startStack({
      replicas: 3,
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

  it('follows a failover with no restart and loses no session', async () => {
    const { recoveredMs, statuses } = await survivesFailover(stack, () => group.killPrimary());
    console.log(`sentinel failover: the session answered again ${recoveredMs} ms after the primary was killed`, JSON.stringify(statuses));
    expect(recoveredMs).toBeLessThan(20_000);
  }, 60_000);
});
