/**
 * A BFF in a process of its own, configured from the environment as
 * apps/bff is: what a test measures here is the BFF's alone. Prints
 * "listening" once it serves; SIGTERM closes it. Started with --expose-gc and
 * an IPC channel, it answers the message 'memory' with its memory after a
 * full collection (what is live) and its RSS.
 */
import Fastify from 'fastify';
import { bff, configFromEnv } from '@bff/fastify-bff';

const config = configFromEnv(process.env);
const app = Fastify({ logger: false });
await app.register(bff, config.bff);
await app.listen({ port: config.port, host: config.host });
console.log('listening');
process.once('SIGTERM', () => {
  void app.close().then(() => process.exit(0));
});
process.on('message', (message) => {
  if (message !== 'memory') return;
  const rss = process.memoryUsage.rss();
  (globalThis as { gc?: () => void }).gc?.();
  const { heapUsed, arrayBuffers } = process.memoryUsage();
  process.send?.({ rss, live: heapUsed + arrayBuffers });
});
