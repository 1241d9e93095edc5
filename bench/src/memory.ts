/**
 * Memory (RSS) of idle sessions in the memory store: 10k and 100k sessions
 * with real-sized token sets (taken from one real sign-in at the dev IdP),
 * each sealed on its own as the BFF does. Run with --expose-gc.
 */
import { randomBytes } from 'node:crypto';
import { MemorySessionStore, TokenCipher, nextTokenState, type ActiveSession } from '@bff/fastify-bff';
import { startStack, tokensOf } from '@bff/testing';
import { printTable } from './stats.js';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');

// one real sign-in, for realistic token sizes
const stack = await startStack();
const browser = stack.browser();
await browser.signIn(stack.bffUrl);
const { tokens } = await tokensOf(stack, browser);
await stack.close();
// as the BFF keeps them by default: access and refresh token (the ID token only with OIDC_LOGOUT_ID_TOKEN_HINT)
const response = {
  access_token: tokens.accessToken,
  refresh_token: tokens.refreshToken!,
  expires_in: 900,
  refresh_token_expires_in: 86_400,
};
const cipher = new TokenCipher([randomBytes(32)]);

async function rssFor(count: number): Promise<number> {
  const store = new MemorySessionStore({ clock: Date.now, maxSessions: count + 1 });
  gc!();
  await new Promise((r) => setTimeout(r, 50));
  gc!();
  const before = process.memoryUsage().rss;
  const beforeAll = process.memoryUsage();
  const now = Date.now();
  for (let i = 0; i < count; i += 1) {
    const session: ActiveSession = {
      state: 'active',
      id: randomBytes(32).toString('base64url'),
      version: 1,
      user: { sub: `user-${i}`, name: 'Alice Liddell', email: 'alice@example.com' },
      sid: randomBytes(16).toString('base64url'),
      createdAt: now,
      lastSeenAt: now,
      absoluteExpiresAt: now + 43_200_000,
      tokens: nextTokenState(cipher, response, now).state,
    };
    await store.create(session, 3_600_000);
  }
  gc!();
  await new Promise((r) => setTimeout(r, 50));
  gc!();
  const after = process.memoryUsage().rss;
  const afterAll = process.memoryUsage();
  if (process.env.BENCH_DEBUG)
    console.log({
      heap: (afterAll.heapUsed - beforeAll.heapUsed) / count,
      external: (afterAll.external - beforeAll.external) / count,
      arrayBuffers: (afterAll.arrayBuffers - beforeAll.arrayBuffers) / count,
    });
  await store.close();
  return (after - before) / count;
}

const sizes = { accessToken: tokens.accessToken.length, refreshToken: tokens.refreshToken!.length };
const rows = [];
const totals: number[] = [];
for (const count of [10_000, 100_000]) {
  const perSession = await rssFor(count);
  totals.push(perSession * count);
  rows.push({
    sessions: count,
    'RSS per session (bytes)': Math.round(perSession),
    'total MiB': Math.round((perSession * count) / 1048576),
  });
}
// the slope between the two sizes: what one more idle session costs, without the heap's fixed growth
const marginal = (totals[1]! - totals[0]!) / 90_000;
console.log(`\nmemory store, idle sessions (token sizes: access ${sizes.accessToken}, refresh ${sizes.refreshToken} chars)\n`);
printTable(rows);
console.log(`\nmarginal RSS per idle session (10k -> 100k): ${Math.round(marginal)} bytes; target <= 2048`);
