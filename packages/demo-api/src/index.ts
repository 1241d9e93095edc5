import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { createApi } from './app.js';
import { resolveApiOptions, type ApiOptions } from './options.js';

export { buildApi } from './app.js';
export type { ApiOptions } from './options.js';

export interface RunningApi {
  /** e.g. http://127.0.0.1:4001 */
  url: string;
  port: number;
  close(): Promise<void>;
  app: FastifyInstance;
  /** Requests received since the start or the last `resetHits()`, whatever their outcome; `/healthz` probes excluded. */
  hits(): number;
  resetHits(): void;
}

export async function startApi(options: ApiOptions): Promise<RunningApi> {
  const { host, port } = resolveApiOptions(options);
  const { app, hits, resetHits } = createApi(options);
  await app.listen({ host, port });
  const address = app.server.address() as AddressInfo;
  return {
    url: `http://${urlHost(host)}:${address.port}`,
    port: address.port,
    close: () => app.close(),
    app,
    hits,
    resetHits,
  };
}

/** A host a client can connect to: the wildcard addresses are reached through loopback. */
function urlHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}
