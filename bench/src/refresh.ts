/**
 * pnpm bench:refresh — N concurrent requests meet an expired access token at
 * once; how many refresh grants did the IdP serve per expiry, how many
 * requests failed, and how long did the waiting requests take?
 *
 * Real dev IdP, real demo API, real BFF(s) on loopback. Expiry is simulated
 * by moving the BFF's clock past the token's expiry (the token is then
 * refreshed for real at the IdP), so no run waits for a TTL.
 */
import { performance } from 'node:perf_hooks';
import { startStack, type Stack } from '@bff/testing';
import { printTable, quantile } from './stats.js';

const LEVELS = [10, 100, 1000];
const EXPIRIES_PER_LEVEL = 3;
const REDIS_URL = process.env.REDIS_URL;

async function run(stack: Stack, label: string) {
  const rows = [];
  const browser = stack.browser();
  await browser.signIn(stack.bffUrl);
  for (const n of LEVELS) {
    const latencies: number[] = [];
    let failed = 0;
    let grants = 0;
    for (let round = 0; round < EXPIRIES_PER_LEVEL; round += 1) {
      stack.advance(16 * 60_000); // past the 15-minute access token of seed-002
      stack.idp.resetCounters();
      await Promise.all(
        Array.from({ length: n }, async () => {
          const started = performance.now();
          const response = await browser.api(`${stack.bffUrl}/api/me`);
          latencies.push(performance.now() - started);
          if (response.status !== 200) failed += 1;
        }),
      );
      const counted = stack.idp.counters().refresh_token;
      grants += counted.served + counted.refused;
    }
    rows.push({
      store: label,
      concurrent: n,
      expiries: EXPIRIES_PER_LEVEL,
      'grants/expiry': grants / EXPIRIES_PER_LEVEL,
      failed,
      'p50 ms': quantile(latencies, 0.5),
      'p99 ms': quantile(latencies, 0.99),
      'max ms': quantile(latencies, 1),
    });
  }
  return rows;
}

const rows = [];
{
  const stack = await startStack({ bff: { sessionIdleTimeout: 86_400, sessionAbsoluteTimeout: 86_400 } });
  rows.push(...(await run(stack, 'memory, 1 BFF')));
  await stack.close();
}
if (REDIS_URL) {
  const stack = await startStack({
    replicas: 3,
    bff: { sessionStore: 'redis', redisUrl: REDIS_URL, sessionIdleTimeout: 86_400, sessionAbsoluteTimeout: 86_400 },
  });
  rows.push(...(await run(stack, 'redis, 3 BFFs')));
  await stack.close();
} else {
  console.log('(REDIS_URL not set: the redis + 3 replicas lines are left out)');
}
console.log(`\nrefresh at expiry, node ${process.version}, ${EXPIRIES_PER_LEVEL} expiries per level\n`);
printTable(rows);
