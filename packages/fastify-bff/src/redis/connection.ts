import { createClient, createCluster, createSentinel } from '@redis/client';
import { StoreUnavailableError } from '../session/store.js';

/** Every key the BFF writes starts with this. */
export const PREFIX = 'bff:';
const COMMAND_TIMEOUT_MS = 2_000;
/**
 * How often a Sentinel client asks the sentinels for the topology, besides
 * the events it subscribes to (switch-master and the like), which are what
 * make it follow a failover (3.5 to 4.3 s measured, with a scan or without).
 * A scan is only a safety net for an event missed, and not a cheap one: each
 * builds a new node-redis client, about 10 MB of garbage. At 1 s two clients
 * churned about 25 MB/s and an idle replica sat at 380 MiB of RSS, not 170
 * (docs/architecture.md, "Past one Redis").
 */
const SENTINEL_SCAN_MS = 10_000;

/**
 * Where Redis is: one node (`url`), a Redis Cluster (`clusterNodes`, seeds
 * as host:port; `url` may carry credentials and TLS for every node), or a
 * Sentinel-managed primary (`sentinels` as host:port and the primary's
 * `sentinelName`).
 */
export type RedisTopology =
  | { kind: 'single'; url: string }
  | { kind: 'cluster'; nodes: readonly string[]; url?: string | undefined }
  | { kind: 'sentinel'; sentinels: readonly string[]; name: string; url?: string | undefined };

/**
 * The commands the BFF uses, the same on a single node, a cluster and a
 * Sentinel-managed primary. Every script and multi-key step touches ONE
 * hash slot (keys of a session share a `{id}` hash tag), so they run
 * unchanged on a cluster.
 */
export interface RedisCommands {
  hGetAll(key: string): Promise<Record<string, string>>;
  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
  set(key: string, value: string, options: { NX?: boolean; PX?: number }): Promise<string | null>;
  get(key: string): Promise<string | null>;
  del(key: string): Promise<number>;
  sMembers(key: string): Promise<string[]>;
  sRem(key: string, member: string): Promise<number>;
}

interface Closable {
  isOpen?: boolean;
  close(): Promise<void>;
  connect(): Promise<unknown>;
  on(event: 'error', listener: (err: unknown) => void): unknown;
}

const hostPort = (value: string) => {
  const at = value.lastIndexOf(':');
  return { host: value.slice(0, at), port: Number(value.slice(at + 1)) };
};

/**
 * The BFF's connections to Redis, shared by the session store and the
 * refresh coordinator: `client` for everything that must see the latest
 * write, and `cached`, whose reads Redis caches in this process and
 * invalidates on every write from any replica (RESP3 client tracking; on a
 * cluster, per node). Commands fail fast while Redis is down (no offline
 * queue) and the clients reconnect (and, on a cluster or Sentinel, follow a
 * failover) on their own.
 */
export class RedisConnection {
  private constructor(
    readonly client: RedisCommands,
    readonly cached: RedisCommands,
    readonly topology: RedisTopology['kind'],
    private readonly closables: Closable[],
  ) {}

  static async open(where: string | RedisTopology): Promise<RedisConnection> {
    const topology: RedisTopology = typeof where === 'string' ? { kind: 'single', url: where } : where;
    const socket = {
      connectTimeout: 2_000,
      // reconnect soon after Redis is back: a refresh holding a new token pair is waiting to store it
      reconnectStrategy: (retries: number) => Math.min(50 * 2 ** retries, 500),
    };
    const cache = { maxEntries: 10_000 };
    let plain: Closable;
    let cached: Closable;
    if (topology.kind === 'single') {
      const common = { url: topology.url, disableOfflineQueue: true, socket };
      plain = createClient(common);
      // the cache is dropped whole whenever the connection fails, so an outage leaves nothing stale behind
      cached = createClient({ ...common, RESP: 3, clientSideCache: cache });
    } else if (topology.kind === 'cluster') {
      const rootNodes = topology.nodes.map((node) => ({ url: `redis://${node}` }));
      const defaults = { ...(topology.url ? { url: topology.url } : {}), disableOfflineQueue: true, socket };
      // a node that stops answering makes the client ask the cluster for its topology again soon:
      // that is how it finds the replica promoted in its place
      const topologyRefreshOnReconnectionAttemptStrategy = 500;
      plain = createCluster({ rootNodes, defaults, topologyRefreshOnReconnectionAttemptStrategy });
      cached = createCluster({ rootNodes, defaults, topologyRefreshOnReconnectionAttemptStrategy, RESP: 3, clientSideCache: cache });
    } else {
      const sentinelRootNodes = topology.sentinels.map(hostPort);
      const nodeClientOptions = { ...(topology.url ? { url: topology.url } : {}), disableOfflineQueue: true, socket };
      plain = createSentinel({ name: topology.name, sentinelRootNodes, nodeClientOptions, scanInterval: SENTINEL_SCAN_MS });
      cached = createSentinel({
        name: topology.name,
        sentinelRootNodes,
        nodeClientOptions,
        scanInterval: SENTINEL_SCAN_MS,
        RESP: 3,
        clientSideCache: cache,
      });
    }
    for (const each of [plain, cached]) {
      // without a listener an 'error' event would crash the process; reconnects are the client's job
      each.on('error', () => undefined);
    }
    await Promise.all([plain.connect(), cached.connect()]);
    return new RedisConnection(plain as unknown as RedisCommands, cached as unknown as RedisCommands, topology.kind, [plain, cached]);
  }

  /** Every command fails within COMMAND_TIMEOUT_MS, as a StoreUnavailableError: a Redis that hangs must not hang the user's request. */
  async run<T>(command: () => Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${COMMAND_TIMEOUT_MS} ms`)), COMMAND_TIMEOUT_MS);
    });
    try {
      return await Promise.race([command(), timeout]);
    } catch (err) {
      throw new StoreUnavailableError(`redis failed: ${(err as Error).message}`, { cause: err });
    } finally {
      clearTimeout(timer);
    }
  }

  /** Both connections answer: the store and the coordinator can work. */
  async ping(): Promise<void> {
    // a key-less command has no node on a cluster: ask for a key that never exists instead
    await this.run(() => Promise.all([this.client.get(`${PREFIX}ping`), this.cached.get(`${PREFIX}ping`)]));
  }

  async close(): Promise<void> {
    await Promise.all(this.closables.map((each) => (each.isOpen === false ? undefined : each.close().catch(() => undefined))));
  }
}
