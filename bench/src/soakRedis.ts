import type { BffOptions } from '@bff/fastify-bff';
import { redisKeys } from '@bff/fastify-bff';
import { startCluster, startOwnRedis, startSentinels } from '@bff/testing';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The Redis a soak runs on, and the one fault of its own it suffers: a restart, or a failover. */
export interface SoakRedis {
  /** what the summary line says it was */
  described: string;
  /** how the replicas reach it */
  bff: Partial<BffOptions>;
  fault: {
    name: string;
    /** `sessionId`: a signed-in user's session, whose keys' node is the one to fail */
    inject(sessionId: string): Promise<void>;
  };
  close(): Promise<void>;
}

export type Topology = 'single' | 'cluster' | 'sentinel';

export async function startSoakRedis(topology: Topology): Promise<SoakRedis> {
  if (topology === 'cluster') {
    const cluster = await startCluster();
    return {
      described: 'a Redis Cluster (3 primaries, 3 replicas)',
      bff: { redisClusterNodes: cluster.seeds },
      fault: {
        name: "the primary of a session's slot killed (SIGKILL), its replica promoted",
        inject: async (sessionId) => {
          const port = await cluster.killPrimaryOf(redisKeys.session(sessionId));
          // back as a replica, in sync: the next failover has one to promote
          await cluster.revive(port);
        },
      },
      close: () => cluster.close(),
    };
  }
  if (topology === 'sentinel') {
    const group = await startSentinels();
    return {
      described: 'a Sentinel-managed primary (1 replica, 3 sentinels)',
      bff: { redisSentinels: group.sentinels, redisSentinelName: group.name },
      fault: {
        name: 'the primary killed (SIGKILL), the sentinels promote the replica',
        inject: async () => {
          await group.killPrimary();
          await group.revive();
        },
      },
      close: () => group.close(),
    };
  }
  const redis = await startOwnRedis();
  return {
    described: 'a Redis of their own (AOF)',
    bff: { redisUrl: redis.url },
    fault: {
      name: 'Redis restarted (down 3 s)',
      inject: async () => {
        await redis.stop();
        await sleep(3_000);
        await redis.start();
      },
    },
    close: () => redis.close(),
  };
}
