/**
 * pnpm soak — hours of rotation, restarts and failovers together, in
 * minutes or hours. Three BFF replicas, each a process of its own, on a Redis
 * of their own (AOF; `--cluster`: a 3+3 Redis Cluster; `--sentinel`: a
 * Sentinel-managed primary) against the dev IdP, which rotates refresh tokens
 * and revokes the whole grant on reuse, with a 5 s access token. USERS
 * signed-in users make steady traffic, and each expiry meets a burst. Faults
 * on a schedule: a replica restarted gracefully, a replica killed (SIGKILL)
 * while it holds a refresh lock, Redis restarted (or its primary killed and a
 * replica promoted), the IdP frozen for longer than IDP_TIMEOUT_SECONDS, the
 * IdP restarted. Exits 1 unless: 0 sessions lost, no refresh token refused
 * but those a kill cut short, at most 1 grant per expiry per session.
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { startStack, type Stack } from '@bff/testing';
import type { Browser } from '@bff/fastify-bff/testing';
import { startSoakRedis, type Topology } from './soakRedis.js';
import { KillLedger } from './soakKills.js';
import { SoakTimeline } from './soakTimeline.js';
import { printTable, quantile } from './stats.js';

// the root script's `pnpm --filter … soak --` hands its `--` on
const argv = process.argv.slice(2).filter((arg, i) => !(i === 0 && arg === '--'));
const { values: flags } = parseArgs({
  args: argv,
  options: {
    minutes: { type: 'string', default: '2' },
    users: { type: 'string', default: '200' },
    cluster: { type: 'boolean', default: false },
    sentinel: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (flags.help) {
  console.log(`pnpm soak [--minutes N] [--users N] [--cluster | --sentinel]

  --minutes N   how long the traffic and the faults last (default 2; CI runs 2, by hand an hour)
  --users N     signed-in users making steady traffic (default 200)
  --cluster     Redis is a 3-primary, 3-replica Redis Cluster; its fault is a primary killed
  --sentinel    Redis is a primary, a replica and 3 sentinels; its fault is the primary killed

Prints responses by code, faults, RSS over time, latency, grants per expiry, refusals and
sessions lost; exits 1 unless 0 sessions were lost, no refresh token was refused but those a
replica's SIGKILL cut short mid-grant, and no session had two grants for one expiry.`);
  process.exit(0);
}
const MINUTES = Number(flags.minutes);
const USERS = Number(flags.users);
if (!(MINUTES > 0) || !(USERS > 0)) throw new Error('--minutes and --users take positive numbers');
if (flags.cluster && flags.sentinel) throw new Error('--cluster or --sentinel, not both');
const topology: Topology = flags.cluster ? 'cluster' : flags.sentinel ? 'sentinel' : 'single';
const ACCESS_TOKEN_TTL = 5;
const REFRESH_EVERY_MS = (ACCESS_TOKEN_TTL - ACCESS_TOKEN_TTL / 4) * 1000; // the skew is a quarter of a 5 s token
const REPLICAS = 3;
const RESTARTED = 1; // restarted gracefully
const KILLED = 2; // killed; replica 0 runs the whole soak, so its RSS says whether memory grows
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const mib = (bytes: number | undefined) => (bytes === undefined ? '-' : Math.round(bytes / 2 ** 20));

const redis = await startSoakRedis(topology);
const grants = new Map<string, number[]>(); // session (short id) -> grant times
const kills = new KillLedger();
const endedBy = new Map<string, string>(); // session (short id) -> why it ended
const timeline = new SoakTimeline();
const stack: Stack = await startStack({
  replicas: REPLICAS,
  slowableIdp: true,
  accessTokenTtl: ACCESS_TOKEN_TTL,
  refreshTokenTtl: 24 * 3600,
  bff: { sessionStore: 'redis', ...redis.bff, idpTimeoutSeconds: 2, rateLimit: false, sessionIdleTimeout: 3600 },
  replicaProcesses: {
    onReport: (replica, report) => {
      if (report.type === 'grant') grants.set(report.session, [...(grants.get(report.session) ?? []), Date.now()]);
      if (report.type === 'ended') {
        endedBy.set(report.session, report.reason);
        timeline.ended(report.session, report.reason, replica);
      }
      kills.onReport(replica, report);
    },
  },
});

/** The store id behind a browser's session cookie (`<id>.<signature>`): the replicas hold the secret, not this process. */
function sessionOf(browser: Browser): string {
  const cookie = decodeURIComponent(browser.cookies.get('bff.sid') ?? '');
  return cookie.slice(0, cookie.lastIndexOf('.'));
}

process.stdout.write(`soak: signing in ${USERS} users ... `);
const browsers: Browser[] = [];
const sessions: string[] = []; // each user's session id (a 401 clears the cookie)
const signIn = async (user: number) => {
  await browsers[user]!.signIn(stack.bffUrl, user % 2 === 0 ? 'alice' : 'bob');
  sessions[user] = sessionOf(browsers[user]!);
};
for (let i = 0; i < USERS; i += 1) {
  browsers.push(stack.browser());
  await signIn(i);
}
console.log('done');
stack.idp.resetCounters();

const byCode = new Map<string, number>();
const latencies: number[] = [];
const lost = new Set<number>();
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
      if (response.status === 401 && !lost.has(user)) {
        // a killed replica took the only copy of a rotated pair with it: the window no BFF can close
        // (docs/architecture.md); the person signs in again, and the soak goes on with them
        if (kills.cutShort(sessions[user]!.slice(0, 6))) await signIn(user);
        else {
          lost.add(user);
          timeline.lost(user, sessions[user]!.slice(0, 6), `${response.status} ${response.body?.code ?? ''}`);
        }
      }
      // a burst: several tabs of the same user at once, every few requests
      if (Math.random() < 0.1)
        await Promise.all(Array.from({ length: 5 }, () => browser.api(`${stack.bffUrl}/api/me`).catch(() => undefined)));
      await sleep(700 + Math.random() * 600);
    }
  }),
);

// the fault schedule, repeated: each fault, then a quiet spell to recover
let failing = 0;
const faults: Array<[string, () => Promise<void>]> = [
  [`replica ${RESTARTED} restarted (SIGTERM: graceful)`, () => stack.restartReplica(RESTARTED, 500)],
  [`replica ${KILLED} killed holding a refresh lock (SIGKILL)`, () => kills.killHolder(stack, KILLED)],
  [redis.fault.name, () => redis.fault.inject(sessions[(failing += 7) % USERS]!)],
  [
    'IdP frozen 4 s (> IDP_TIMEOUT_SECONDS)',
    async () => {
      stack.delayIdp(4_000);
      await sleep(4_000);
      stack.delayIdp(0);
    },
  ],
  [
    'IdP restarted (down 2 s; requests in flight answered first, as a deploy does)',
    async () => {
      // drained: a crash that drops a grant the IdP already rotated loses that session whatever the BFF does
      await stack.idp.stop({ drain: true });
      await sleep(2_000);
      await stack.idp.start();
    },
  ],
];
const injected = new Map<string, number>();
const rss: Array<Record<string, string | number>> = [];
const sample = () =>
  rss.push({
    minute: ((Date.now() - started) / 60_000).toFixed(1),
    load: loadavg()[0]!.toFixed(2),
    'soak MiB (IdP, API, load)': mib(process.memoryUsage.rss()),
    ...Object.fromEntries(stack.replicaRss().map((bytes, i) => [`replica ${i} MiB`, mib(bytes)])),
  });
sample();
// about a dozen rows, whatever the length
const sampler = setInterval(sample, Math.max(15_000, (MINUTES * 60_000) / 12));
for (let i = 0; Date.now() < endAt - 15_000; i += 1) {
  await sleep(8_000);
  const [name, inject] = faults[i % faults.length]!;
  timeline.fault(name);
  await inject();
  injected.set(name, (injected.get(name) ?? 0) + 1);
}
while (Date.now() < endAt) await sleep(500);
running = false;
await traffic;
clearInterval(sampler);
sample();

// every user's session still answers, once the last fault has passed
for (const [user, browser] of browsers.entries()) {
  const response = await browser.api(`${stack.bffUrl}/api/me`);
  if (response.status === 401 && !kills.cutShort(sessions[user]!.slice(0, 6)) && !lost.has(user)) {
    lost.add(user);
    timeline.lost(user, sessions[user]!.slice(0, 6), `${response.status} ${response.body?.code ?? ''}`);
  }
}

const counters = stack.idp.counters().refresh_token;
const elapsedMs = Date.now() - started;
const perSession = [...grants.values()].map((times) => {
  // two grants for one session closer than half a refresh period would be two grants for one expiry
  const doubles = times.slice(1).filter((t, i) => t - times[i]! < REFRESH_EVERY_MS / 2).length;
  return { ratio: times.length / Math.max(1, elapsedMs / REFRESH_EVERY_MS), doubles };
});
const refusedEndings = [...endedBy].filter(([, reason]) => reason === 'INVALID_GRANT');
const unexcused = refusedEndings.filter(([session]) => !kills.cutShort(session)).length;
const kill = kills.summary(grants, endedBy);
await stack.close();
await redis.close();

console.log(
  `\nsoak: ${MINUTES} min, ${USERS} users, ${REPLICAS} replica processes on ${redis.described}, ${ACCESS_TOKEN_TTL} s access token, rotating IdP\n`,
);
printTable([...byCode].sort(([a], [b]) => a.localeCompare(b)).map(([response, count]) => ({ response, count })));
console.log('');
printTable([...injected].map(([fault, times]) => ({ fault, times })));
console.log('');
printTable(rss);
const maxDoubles = Math.max(0, ...perSession.map((s) => s.doubles));
const meanRatio = perSession.reduce((sum, s) => sum + s.ratio, 0) / Math.max(1, perSession.length);
const [first, last] = [rss[0]!, rss.at(-1)!];
const unavailable = byCode.get('503 SESSION_STORE_UNAVAILABLE') ?? 0;
console.log(`
requests: ${requests}; latency p50 ${quantile(latencies, 0.5).toFixed(0)} ms, p99 ${quantile(latencies, 0.99).toFixed(0)} ms; 503 SESSION_STORE_UNAVAILABLE: ${unavailable}
load average (1 min) at the start ${first.load}, at the end ${last.load}; replica 0, never restarted: RSS ${first['replica 0 MiB']} MiB -> ${last['replica 0 MiB']} MiB
refresh grants at the IdP: ${counters.served} served, ${counters.refused} refused (a refusal is reuse)
grants per session per expiry: mean ${meanRatio.toFixed(2)}; sessions with two grants for one expiry: ${perSession.filter((s) => s.doubles > 0).length} (max ${maxDoubles})
replicas killed holding a refresh lock: ${kill.kills}, holding ${kill.held} locks; those not refused refreshed again after at most ${kill.maxResumeSeconds} s (the lease frees the lock)
sessions a kill cut short after the IdP rotated (the window no BFF can close): ${kill.refused}; their users signed in again
sessions ended by a refusal a kill does not explain: ${unexcused}
sessions lost: ${lost.size} of ${USERS}`);
if (lost.size > 0) {
  console.log('\nsessions lost, and what they met:');
  printTable(timeline.rows());
}
const pass = lost.size === 0 && unexcused === 0 && counters.refused <= kill.refused && maxDoubles === 0;
console.log(pass ? 'soak: PASS' : 'soak: FAIL');
process.exit(pass ? 0 : 1);
