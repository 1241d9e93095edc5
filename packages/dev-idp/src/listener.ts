import { createServer, type RequestListener, type Server } from 'node:http';

/**
 * The IdP's HTTP listener. Bound to loopback, it listens on both 127.0.0.1 and ::1 so
 * that `http://localhost:PORT` works whichever address a client resolves first.
 * `stop()` is an outage: it refuses new connections and drops open ones (idle
 * keep-alive included); `start()` listens again on the same port.
 */
export class Listener {
  readonly #handler: RequestListener;
  readonly #hosts: string[];
  #port: number;
  #servers: Server[] = [];

  constructor(handler: RequestListener, host: string, port: number) {
    this.#handler = handler;
    this.#hosts = host === 'localhost' || host === '127.0.0.1' ? ['127.0.0.1', '::1'] : [host];
    this.#port = port;
  }

  get port(): number {
    return this.#port;
  }

  get listening(): boolean {
    return this.#servers.length > 0;
  }

  async start(): Promise<number> {
    if (this.listening) return this.#port;
    const [primary, ...secondary] = this.#hosts;
    const first = await this.#listen(primary ?? '127.0.0.1', this.#port);
    const address = first.address();
    if (address !== null && typeof address === 'object') this.#port = address.port;
    this.#servers = [first];
    for (const host of secondary) {
      // best effort: a host without IPv6 keeps the IPv4 listener only
      const server = await this.#listen(host, this.#port).catch(() => undefined);
      if (server !== undefined) this.#servers.push(server);
    }
    return this.#port;
  }

  /**
   * Refuses new connections; drops the open ones at once, or with `drain`
   * closes the idle ones and lets requests in flight be answered (at most
   * 5 s): a crash against a deploy. A grant the IdP rotated but never
   * answered is lost with its connection: that only the crash does.
   */
  async stop({ drain = false }: { drain?: boolean } = {}): Promise<void> {
    const servers = this.#servers;
    this.#servers = [];
    await Promise.all(
      servers.map(
        (server) =>
          new Promise<void>((resolve) => {
            server.close(() => resolve());
            if (!drain) {
              server.closeAllConnections();
              return;
            }
            server.closeIdleConnections();
            setTimeout(() => server.closeAllConnections(), 5_000).unref();
          }),
      ),
    );
  }

  #listen(host: string, port: number): Promise<Server> {
    const server = createServer(this.#handler);
    return new Promise((resolve, reject) => {
      const onError = (err: Error): void => {
        server.close();
        reject(err);
      };
      server.once('error', onError);
      server.listen(port, host, () => {
        server.off('error', onError);
        resolve(server);
      });
    });
  }
}
