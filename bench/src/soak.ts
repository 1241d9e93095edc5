/**
 * pnpm soak — hours of rotation, restarts and failovers together, in
 * minutes or hours (`--minutes N`, default 2). Three BFF replicas on a Redis
 * of their own (AOF; `--cluster`: a 3+3 Redis Cluster) against the dev IdP,
 * which rotates refresh tokens and revokes the whole grant on reuse, with a
 * 5 s access token. USERS signed-in users make steady traffic, and each
 * expiry meets a burst. Faults on a schedule: a replica restarted, Redis
 * restarted (or a cluster primary killed), the IdP frozen for longer than
 * IDP_TIMEOUT_SECONDS, the IdP restarted. Exits 1 unless: 0 sessions lost,
 * 0 refresh tokens refused (no reuse), at most 1 grant per expiry per session.
 */
import { startOwnRedis, startStack, type Stack } from '@bff/testing';
import type { Browser } from '@bff/fastify-bff/testing';
import { printTable } from './stats.js';

const args = process.argv.slice(2);
const flag = (name: string, fallback: number) => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 ? Number(args[at + 1]) : fallback;
};
const MINUTES = flag('minutes', 2);
const USERS = flag('users', 200);
const ACCESS_TOKEN_TTL = 5;
const REFRESH_EVERY_MS = (ACCESS_TOKEN_TTL - ACCESS_TOKEN_TTL / 4) * 1000; // the skew is a quarter of a 5 s token
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const redis = await startOwnRedis();
const grants = new Map<string, number[]>(); // session (short id) -> grant times
const stack: Stack = await startStack({
  replicas: 3,
  slowableIdp: true,
  accessTokenTtl: ACCESS_TOKEN_TTL,
  refreshTokenTtl: 24 * 3600,
  bff: {
    sessionStore: 'redis',
    redisUrl: redis.url,
    idpTimeoutSeconds: 2,
    rateLimit: false,
    sessionIdleTimeout: 3600,
    hooks: { onTokensRefreshed: ({ session }) => void grants.set(session, [...(grants.get(session) ?? []), Date.now()]) },
  },
});

process.stdout.write(`soak: signing in ${USERS} users ... `);
const browsers: Browser[] = [];
for (let i = 0; i < USERS; i += 1) {
  const browser = stack.browser();
  await browser.signIn(stack.bffUrl, i % 2 === 0 ? 'alice' : 'bob');
  browsers.push(browser);
}
console.log('done');
stack.idp.resetCounters();

const byCode = new Map<string, number>();
const latencies: number[] = [];
const lost = new Set<number>();
const rss: Array<{ minute: string; 'RSS MiB': number }> = [];
let requests = 0;
let running = true;
const started = Date.now();
const endAt = started + MINUTES * 60_000;

// steady traffic: each user every ~1 s; at each expiry the requests of the users whose token is due meet it together
const traffic = Promise.all(
  browsers.map(async (browser, user) => {
    await sleep(Math.random() * 1_000);
    while (running) {
      const at = performance.now();
      const response = await browser.api(`${stack.bffUrl}/api/me`).catch(() => ({ status: 0, body: { code: 'NETWORK' } }));
      latencies.push(performance.now() - at);
      requests += 1;
      const label = response.status === 200 ? '200' : `${response.status} ${response.body?.code ?? ''}`;
      byCode.set(label, (byCode.get(label) ?? 0) + 1);
      if (response.status === 401) lost.add(user);
      // a burst: several tabs of the same user at once, every few requests
      if (Math.random() < 0.1)
        await Promise.all(Array.from({ length: 5 }, () => browser.api(`${stack.bffUrl}/api/me`).catch(() => undefined)));
      await sleep(700 + Math.random() * 600);
    }
  }),
);

// the fault schedule, repeated: each fault, then a quiet spell to recover
const faults: Array<[string, () => Promise<void>]> = [
  ['replica 1 restarted', () => stack.restartReplica(1, 500)],
  [
    'Redis restarted (down 3 s)',
    async () => {
      await redis.stop();
      await sleep(3_000);
      await redis.start();
    },
  ],
  [
    'IdP frozen 4 s (> IDP_TIMEOUT_SECONDS)',
    async () => {
      stack.delayIdp(4_000);
      await sleep(4_000);
      stack.delayIdp(0);
    },
  ],
  [
    'IdP restarted (down 2 s)',
    async () => {
      await stack.idp.stop();
      await sleep(2_000);
      await stack.idp.start();
    },
  ],
];
const injected = new Map<string, number>();
const sampler = setInterval(
  () => rss.push({ minute: ((Date.now() - started) / 60_000).toFixed(1), 'RSS MiB': Math.round(process.memoryUsage().rss / 2 ** 20) }),
  15_000,
);
for (let i = 0; Date.now() < endAt - 15_000; i += 1) {
  await sleep(8_000);
  const [name, inject] = faults[i % faults.length]!;
  await inject();
  injected.set(name, (injected.get(name) ?? 0) + 1);
}
while (Date.now() < endAt) await sleep(500);
running = false;
await traffic;
clearInterval(sampler);

// every user's session still answers, once the last fault has passed
for (const [user, browser] of browsers.entries()) if ((await browser.api(`${stack.bffUrl}/api/me`)).status === 401) lost.add(user);

const counters = stack.idp.counters().refresh_token;
const elapsedMs = Date.now() - started;
const perSession = [...grants.values()].map((times) => {
  // two grants for one session closer than half a refresh period would be two grants for one expiry
  const doubles = times.slice(1).filter((t, i) => t - times[i]! < REFRESH_EVERY_MS / 2).length;
  return { ratio: times.length / Math.max(1, elapsedMs / REFRESH_EVERY_MS), doubles };
});
const sorted = [...latencies].sort((a, b) => a - b);
const pct = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
await stack.close();
await redis.close();

console.log(`\nsoak: ${MINUTES} min, ${USERS} users, 3 replicas on Redis (AOF), ${ACCESS_TOKEN_TTL} s access token, rotating IdP\n`);
printTable([...byCode].map(([response, count]) => ({ response, count })));
console.log('');
printTable([...injected].map(([fault, times]) => ({ fault, times })));
console.log('');
printTable(rss);
const maxDoubles = Math.max(0, ...perSession.map((s) => s.doubles));
const meanRatio = perSession.reduce((sum, s) => sum + s.ratio, 0) / Math.max(1, perSession.length);
console.log(`
requests: ${requests}; latency p50 ${pct(50).toFixed(0)} ms, p99 ${pct(99).toFixed(0)} ms
refresh grants at the IdP: ${counters.served} served, ${counters.refused} refused (a refusal here would be reuse)
grants per session per expiry: mean ${meanRatio.toFixed(2)}; sessions with two grants for one expiry: ${perSession.filter((s) => s.doubles > 0).length} (max ${maxDoubles})
sessions lost: ${lost.size} of ${USERS}`);
const pass = lost.size === 0 && counters.refused === 0 && maxDoubles === 0;
console.log(pass ? 'soak: PASS' : 'soak: FAIL');
process.exit(pass ? 0 : 1);
