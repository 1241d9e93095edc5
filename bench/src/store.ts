/**
 * pnpm bench:store — the session store in steady state: requests per second
 * through the BFF with each store, and the Redis commands one request costs
 * (read from Redis's own INFO commandstats; target: 1 read, 0 writes). Memory
 * per idle session of the memory store: see `pnpm bench` (memory.ts).
 */
import { createClient } from 'redis';
import { startStack, type Stack } from '@bff/testing';
import { load } from './autocannon.js';
import { printTable } from './stats.js';

const REDIS_URL = process.env.REDIS_URL;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = 32;
const WRITES = new Set(['hset', 'set', 'del', 'eval', 'evalsha', 'pexpire', 'sadd', 'srem', 'multi', 'exec']);

async function commandStats(): Promise<Record<string, number>> {
  const client = createClient({ url: REDIS_URL });
  await client.connect();
  const info = await client.info('commandstats');
  await client.close();
  return Object.fromEntries([...info.matchAll(/^cmdstat_(\w+):calls=(\d+)/gm)].map((m) => [m[1]!, Number(m[2])]));
}

async function run(stack: Stack, label: string, countRedis: boolean) {
  const browser = stack.browser();
  await browser.signIn(stack.bffUrl);
  await browser.api(`${stack.bffUrl}/api/me`); // moves the idle deadline once, as the first request of a session may
  const headers = { cookie: `bff.sid=${browser.cookies.get('bff.sid')}`, 'x-csrf': '1' };
  await load(`${stack.bffUrl}/api/me`, headers, { connections: CONNECTIONS, seconds: 2 });
  const before = countRedis ? await commandStats() : {};
  const result = await load(`${stack.bffUrl}/api/me`, headers, { connections: CONNECTIONS, seconds: SECONDS });
  const after = countRedis ? await commandStats() : {};
  const requests = Math.round(result.requestsPerSecond * SECONDS);
  let reads = 0;
  let writes = 0;
  for (const [name, calls] of Object.entries(after)) {
    const delta = calls - (before[name] ?? 0);
    if (name === 'info' || name === 'client' || name === 'hello' || delta === 0) continue;
    if (WRITES.has(name)) writes += delta;
    else reads += delta;
  }
  return {
    store: label,
    'req/s': Math.round(result.requestsPerSecond),
    'p99 ms': result.p99,
    'redis reads/request': countRedis ? reads / requests : '-',
    'redis writes/request': countRedis ? writes / requests : '-',
    'non-2xx': result.non2xx + result.errors,
  };
}

const rows = [];
{
  const stack = await startStack({ bff: { rateLimit: false } });
  rows.push(await run(stack, 'memory', false));
  await stack.close();
}
if (REDIS_URL) {
  const stack = await startStack({ bff: { rateLimit: false, sessionStore: 'redis', redisUrl: REDIS_URL } });
  rows.push(await run(stack, 'redis', true));
  await stack.close();
} else {
  console.log('(REDIS_URL not set: the redis line is left out)');
}
console.log(
  `\nsession store, steady state: GET /api/me, ${CONNECTIONS} connections, ${SECONDS} s (BFF, IdP and API in this process; autocannon in its own)\n`,
);
printTable(rows);
