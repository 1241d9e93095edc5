import { RedisRefreshCoordinator, RedisSessionStore, TokenCipher, TokenManager } from '@bff/fastify-bff';

/**
 * A replica reduced to what matters for its death: a real TokenManager on the
 * real Redis store that starts a refresh whose grant never answers, so it
 * holds (and renews) the session's refresh lock until it is killed.
 * argv: redis URL, session id; env BFF_TEST_TOKEN_KEY: the token key (base64).
 */
const [url, id] = process.argv.slice(2) as [string, string];
const store = await RedisSessionStore.connect(url);
const session = await store.get(id);
if (session?.state !== 'active') throw new Error(`lockHolder: session ${id.slice(0, 6)} is ${session?.state ?? 'gone'}`);
const tokens = new TokenManager({
  store,
  coordinator: new RedisRefreshCoordinator(store.redis),
  cipher: new TokenCipher([Buffer.from(process.env.BFF_TEST_TOKEN_KEY ?? '', 'base64')]),
  refreshGrant: () => new Promise(() => undefined),
  clock: Date.now,
  refreshSkewSeconds: 60,
  idpTimeoutMs: 600_000,
  sessionTtlMs: () => 3_600_000,
});
void tokens.accessToken(session, { force: true });
process.stdout.write('holding\n');
