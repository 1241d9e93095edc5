import { createClient, type RedisClientType } from 'redis';
import { StoreUnavailableError } from '../session/store.js';

/** Every key the BFF writes starts with this. */
export const PREFIX = 'bff:';
const COMMAND_TIMEOUT_MS = 2_000;

/**
 * The BFF's connections to one Redis, shared by the session store and the
 * refresh coordinator: `client` for everything that must see the latest
 * write, and `cached`, whose reads Redis caches in this process and
 * invalidates on every write from any replica (RESP3 client tracking).
 * Commands fail fast while Redis is down (no offline queue) and both clients
 * reconnect on their own.
 */
export class RedisConnection {
  private constructor(
    readonly client: RedisClientType,
    readonly cached: RedisClientType,
  ) {}

  static async open(url: string): Promise<RedisConnection> {
    const common = {
      url,
      disableOfflineQueue: true,
      socket: {
        connectTimeout: 2_000,
        // reconnect soon after Redis is back: a refresh holding a new token pair is waiting to store it
        reconnectStrategy: (retries: number) => Math.min(50 * 2 ** retries, 500),
      },
    };
    const client = createClient(common) as RedisClientType;
    // the cache is dropped whole whenever the connection fails, so an outage leaves nothing stale behind
    const cached = createClient({ ...common, RESP: 3, clientSideCache: { maxEntries: 10_000 } }) as unknown as RedisClientType;
    for (const each of [client, cached]) {
      // without a listener an 'error' event would crash the process; reconnects are the client's job
      each.on('error', () => undefined);
    }
    await Promise.all([client.connect(), cached.connect()]);
    return new RedisConnection(client, cached);
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

  async ping(): Promise<void> {
    await this.run(() => Promise.all([this.client.ping(), this.cached.ping()]));
  }

  async close(): Promise<void> {
    await Promise.all([this.client, this.cached].map((each) => (each.isOpen ? each.close() : undefined)));
  }
}
