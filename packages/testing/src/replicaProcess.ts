/**
 * One BFF replica in a process of its own (startStack({ replicaProcesses })):
 * one that can be killed for real, with SIGKILL, and whose memory is its own.
 * Its options come in BFF_REPLICA as JSON (keys in base64). Over the IPC
 * channel it tells the parent what a soak counts: grants, ended sessions, and
 * the refresh locks it takes and releases, so that a kill can be matched with
 * the grants it cut short. SIGTERM closes it gracefully.
 */
import Fastify from 'fastify';
import { bff, RedisRefreshCoordinator, RedisSessionStore, type BffOptions, type RefreshCoordinator } from '@bff/fastify-bff';
import type { ReplicaReport, ReplicaSpec } from './replicaReport.js';

const report = (message: ReplicaReport): void => void process.send?.(message);
const spec = JSON.parse(process.env.BFF_REPLICA ?? '') as ReplicaSpec;
const { options } = spec;

const store = await RedisSessionStore.connect(
  options.redisClusterNodes
    ? { kind: 'cluster', nodes: options.redisClusterNodes, url: options.redisUrl }
    : options.redisSentinels
      ? { kind: 'sentinel', sentinels: options.redisSentinels, name: options.redisSentinelName!, url: options.redisUrl }
      : options.redisUrl!,
);

/** The Redis coordinator, telling the parent which sessions' locks this replica holds: what a kill takes with it. */
function reporting(coordinator: RefreshCoordinator): RefreshCoordinator {
  return {
    acquireRefreshLock: async (id, owner, leaseMs) => {
      const taken = await coordinator.acquireRefreshLock(id, owner, leaseMs);
      // told before the grant is sent: a kill that finds the lock unreported cannot have cut a grant short
      if (taken) report({ type: 'lock', session: id.slice(0, 6), held: true });
      return taken;
    },
    renewRefreshLock: (id, owner, leaseMs) => coordinator.renewRefreshLock(id, owner, leaseMs),
    releaseRefreshLock: async (id, owner) => {
      try {
        await coordinator.releaseRefreshLock(id, owner);
      } finally {
        // released or not, the grant is settled: a kill from now on cuts nothing short
        report({ type: 'lock', session: id.slice(0, 6), held: false });
      }
    },
    recordRefreshFailure: (id, failure, ttlMs) => coordinator.recordRefreshFailure(id, failure, ttlMs),
    lastRefreshFailure: (id) => coordinator.lastRefreshFailure(id),
    close: () => coordinator.close(),
  };
}

const app = Fastify({ logger: false });
const bffOptions: BffOptions = {
  ...options,
  tokenEncryptionKeys: spec.tokenEncryptionKeys.map((key) => Buffer.from(key, 'base64')),
  sessionStore: store,
  refreshCoordinator: reporting(new RedisRefreshCoordinator(store.redis)),
  hooks: {
    onTokensRefreshed: ({ session }) => report({ type: 'grant', session }),
    onSessionEnd: ({ session, reason }) => report({ type: 'ended', session, reason }),
  },
};
await app.register(bff, bffOptions);
await app.listen({ port: spec.port, host: '127.0.0.1' });
report({ type: 'listening' });
process.once('SIGTERM', () => {
  void app
    .close()
    .then(() => store.close())
    .then(() => process.exit(0));
});
