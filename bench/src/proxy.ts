/**
 * pnpm bench — the proxy hot path (cookie -> session -> token -> proxy ->
 * response), one table from one run on this machine: the same upstream
 * (GET /me of the demo API in its own process), the same load for each line
 * (autocannon in its own process), a warm-up, then the median of 3 runs.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import { bff, Upstream, type BffOptions } from '@bff/fastify-bff';
import { Browser, freePort } from '@bff/fastify-bff/testing';
import { load, type LoadResult } from './autocannon.js';
import { median, printTable } from './stats.js';

const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const RUNS = 3;
const REDIS_URL = process.env.REDIS_URL;
/** Line 7's proof algorithm: ES256 (the default) or EdDSA. */
const DPOP_ALG = process.env.BENCH_DPOP_ALG === 'EdDSA' ? 'EdDSA' : 'ES256';

const [idpPort, apiPort] = [await freePort(), await freePort()];
const issuer = `http://127.0.0.1:${idpPort}`;
const apiUrl = `http://127.0.0.1:${apiPort}`;
const audience = 'http://bench-api.test';
const bffPorts = {
  memory: await freePort(),
  redis: await freePort(),
  bare: await freePort(),
  logged: await freePort(),
  quiet: await freePort(),
  dpop: await freePort(),
};
// the IdP and the API in processes of their own, as in production: the BFF's process runs only the BFF
const run = (program: string, env: Record<string, string>) =>
  spawn(process.execPath, ['--conditions=source', '--import', 'tsx', fileURLToPath(import.meta.resolve(program))], {
    env: { ...process.env, ...env },
    stdio: 'ignore',
  });
const idp = run('@bff/dev-idp/main', {
  IDP_PORT: String(idpPort),
  IDP_ISSUER: issuer,
  BFF_PUBLIC_URL: [bffPorts.memory, bffPorts.redis, bffPorts.logged, bffPorts.quiet, bffPorts.dpop]
    .map((port) => `http://127.0.0.1:${port}`)
    .join(','),
  API_AUDIENCE: audience,
  IDP_ACCESS_TOKEN_TTL: '3600',
});
const api = run('@bff/demo-api/main', { API_PORT: String(apiPort), API_HOST: '127.0.0.1', OIDC_ISSUER: issuer, API_AUDIENCE: audience });
await waitFor(`${issuer}/.well-known/openid-configuration`);
await waitFor(`${apiUrl}/healthz`);

const shared: BffOptions = {
  publicUrl: '',
  issuer,
  clientId: 'bff-demo',
  clientSecret: 'bff-demo-secret',
  apiUpstream: apiUrl,
  sessionSecret: randomBytes(32).toString('hex'),
  tokenEncryptionKeys: [randomBytes(32)],
  rateLimit: false,
};

/** A logger as production runs it: pino at info, JSON to a file descriptor (here /dev/null), with or without Fastify's two lines per request. */
const productionLogging = (requestLines: boolean) => ({
  logger: { level: 'info', stream: createWriteStream('/dev/null') },
  logController: new LogController({ disableRequestLogging: !requestLines }),
});

async function startBff(
  store: 'memory' | 'redis',
  port = bffPorts[store],
  logging: { logger: false } | ReturnType<typeof productionLogging> = { logger: false },
  extra: Partial<BffOptions> = {},
): Promise<{ app: FastifyInstance; url: string; cookie: string; accessToken: string }> {
  const url = `http://127.0.0.1:${port}`;
  const app = Fastify(logging);
  await app.register(bff, { ...shared, publicUrl: url, sessionStore: store, redisUrl: REDIS_URL, ...extra });
  await app.listen({ port, host: '127.0.0.1' });
  const browser = new Browser();
  await browser.signIn(url);
  const cookie = `bff.sid=${browser.cookies.get('bff.sid')}`;
  const id = app.bff.sessions.idFromCookie(decodeURIComponent(browser.cookies.get('bff.sid')!))!;
  const stored = await app.bff.store.get(id);
  if (stored?.state !== 'active') throw new Error('no session');
  return { app, url, cookie, accessToken: app.bff.tokens.open(stored).accessToken };
}

/** Line 2: a Fastify proxy with no session, forwarding through the BFF's own Upstream code with a fixed token. */
async function startBareProxy(accessToken: string): Promise<FastifyInstance> {
  const app = Fastify({ logger: false });
  const publicUrl = `http://127.0.0.1:${bffPorts.bare}`;
  const upstream = new Upstream({ url: apiUrl, publicUrl, headersTimeoutMs: 30_000, idleTimeoutMs: 60_000 });
  app.addHook('onClose', async () => upstream.close());
  app.get('/api/*', async (request, reply) => {
    const path = upstream.path(request.url);
    return upstream.relay(reply, await upstream.send(request, path, { scheme: 'Bearer', token: accessToken }, undefined), path);
  });
  await app.listen({ port: bffPorts.bare, host: '127.0.0.1' });
  return app;
}

type Measured = LoadResult & { cpuPerRequest: number };

/** Warm-up, then RUNS runs; the median run by req/s, median latencies, and this process's CPU time per request (µs). */
async function measure(url: string, headers: Record<string, string>): Promise<Measured> {
  await load(url, headers, { connections: CONNECTIONS, seconds: 2 }); // warm-up
  const runs: Measured[] = [];
  for (let i = 0; i < RUNS; i += 1) {
    const before = process.cpuUsage();
    const result = await load(url, headers, { connections: CONNECTIONS, seconds: SECONDS });
    const used = process.cpuUsage(before);
    runs.push({ ...result, cpuPerRequest: (used.user + used.system) / (result.requestsPerSecond * SECONDS) });
  }
  const byRps = [...runs].sort((a, b) => a.requestsPerSecond - b.requestsPerSecond);
  const mid = byRps[Math.floor(byRps.length / 2)]!;
  return {
    ...mid,
    p50: median(runs.map((r) => r.p50)),
    p99: median(runs.map((r) => r.p99)),
    cpuPerRequest: median(runs.map((r) => r.cpuPerRequest)),
  };
}

const ONLY = process.env.BENCH_ONLY; // 3, 4 or 7: just that line (for profiling)
if (ONLY === '7') {
  const dpopBff = await startBff('memory', bffPorts.dpop, { logger: false }, { dpop: { algorithm: DPOP_ALG } });
  console.log(await measure(`${dpopBff.url}/api/me`, { cookie: dpopBff.cookie, 'x-csrf': '1' }));
  api.kill('SIGTERM');
  idp.kill('SIGTERM');
  process.exit(0);
}
if (ONLY === '4') {
  const redisBff = await startBff('redis');
  console.log(await measure(`${redisBff.url}/api/me`, { cookie: redisBff.cookie, 'x-csrf': '1' }));
  api.kill('SIGTERM');
  idp.kill('SIGTERM');
  process.exit(0);
}
const memoryBff = await startBff('memory');
const results: Array<[string, Measured]> = [];
if (ONLY === '3') {
  console.log(await measure(`${memoryBff.url}/api/me`, { cookie: memoryBff.cookie, 'x-csrf': '1' }));
  api.kill('SIGTERM');
  idp.kill('SIGTERM');
  process.exit(0);
}
results.push(['1. direct to the API (bearer)', await measure(`${apiUrl}/me`, { authorization: `Bearer ${memoryBff.accessToken}` })]);
const bare = await startBareProxy(memoryBff.accessToken);
results.push(['2. bare Fastify proxy (undici)', await measure(`http://127.0.0.1:${bffPorts.bare}/api/me`, {})]);
await bare.close();
results.push(['3. BFF, memory store', await measure(`${memoryBff.url}/api/me`, { cookie: memoryBff.cookie, 'x-csrf': '1' })]);
await memoryBff.app.close();
if (REDIS_URL) {
  const redisBff = await startBff('redis');
  results.push(['4. BFF, redis store', await measure(`${redisBff.url}/api/me`, { cookie: redisBff.cookie, 'x-csrf': '1' })]);
  await redisBff.app.close();
} else {
  console.log('(REDIS_URL not set: line 4, the redis store, is left out)');
}
// what logging costs: the memory-store BFF with pino at info, as production runs it
const logged = await startBff('memory', bffPorts.logged, productionLogging(true));
results.push(['5. BFF, memory, info + request lines', await measure(`${logged.url}/api/me`, { cookie: logged.cookie, 'x-csrf': '1' })]);
await logged.app.close();
const quiet = await startBff('memory', bffPorts.quiet, productionLogging(false));
results.push(['6. BFF, memory, info, no request lines', await measure(`${quiet.url}/api/me`, { cookie: quiet.cookie, 'x-csrf': '1' })]);
await quiet.app.close();
// what a DPoP proof costs per request: line 3 with OIDC_DPOP=1 (BENCH_DPOP_ALG, default ES256; the API checks each proof, with its replay cache)
const dpop = await startBff('memory', bffPorts.dpop, { logger: false }, { dpop: { algorithm: DPOP_ALG } });
results.push([`7. BFF, memory store, DPoP (${DPOP_ALG})`, await measure(`${dpop.url}/api/me`, { cookie: dpop.cookie, 'x-csrf': '1' })]);
await dpop.app.close();
api.kill('SIGTERM');
idp.kill('SIGTERM');

const direct = results[0]![1];
const bareLine = results[1]![1];
console.log(
  `\nproxy hot path: GET /me, ${CONNECTIONS} connections, ${SECONDS} s x ${RUNS} runs (median), node ${process.version}; logging off in lines 1-4, pino at info in 5-6\n`,
);
printTable(
  results.map(([line, r]) => ({
    line,
    'req/s': Math.round(r.requestsPerSecond),
    'p50 ms': r.p50,
    'p99 ms': r.p99,
    'vs 1': r.requestsPerSecond / direct.requestsPerSecond,
    'vs 2': r.requestsPerSecond / bareLine.requestsPerSecond,
    'proxy CPU µs/req': line.startsWith('1.') ? '-' : Math.round(r.cpuPerRequest),
    'non-2xx': r.non2xx + r.errors,
  })),
);
const lineOf = (prefix: string) => results.find(([line]) => line.startsWith(prefix))?.[1];
const memory = lineOf('3.');
const redis = lineOf('4.');
console.log('');
if (memory)
  console.log(
    `target BFF (memory) >= 0.9x bare proxy: ${(memory.requestsPerSecond / bareLine.requestsPerSecond).toFixed(2)}x; p99 added over the bare proxy: ${(memory.p99 - bareLine.p99).toFixed(2)} ms (target < 2)`,
  );
if (redis) console.log(`target BFF (redis) >= 0.8x bare proxy: ${(redis.requestsPerSecond / bareLine.requestsPerSecond).toFixed(2)}x`);
const withLines = lineOf('5.');
const withoutLines = lineOf('6.');
if (withLines && withoutLines) {
  console.log(
    `production logging (info): with request lines ${(withLines.requestsPerSecond / bareLine.requestsPerSecond).toFixed(2)}x the bare proxy, without ${(withoutLines.requestsPerSecond / bareLine.requestsPerSecond).toFixed(2)}x`,
  );
}

const dpopLine = lineOf('7.');
if (memory && dpopLine) {
  console.log(
    `DPoP: ${Math.round(dpopLine.cpuPerRequest - memory.cpuPerRequest)} µs of BFF CPU per request over bearer, ${(dpopLine.cpuPerRequest / memory.cpuPerRequest).toFixed(2)}x line 3's CPU (target <= 1.3x); ${(dpopLine.requestsPerSecond / memory.requestsPerSecond).toFixed(2)}x its req/s`,
  );
}

async function waitFor(url: string): Promise<void> {
  for (let i = 0; i < 100; i += 1) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      /* not yet */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not come up`);
}
