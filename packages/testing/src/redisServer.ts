import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from 'redis';
import { freePort } from '@bff/fastify-bff/testing';

/**
 * A redis-server of the test's own, with append-only persistence, on a free
 * loopback port: one the test may stop and start again (the shared REDIS_URL
 * server is never touched). Stopping is a graceful SHUTDOWN, as a failover
 * or a restart by an operator is: what was written is on disk.
 */
export interface OwnRedis {
  url: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

export async function startOwnRedis(): Promise<OwnRedis> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'bff-redis-'));
  const url = `redis://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;

  const start = async () => {
    child = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'yes', '--appendfsync', 'always', '--dir', dir],
      { stdio: 'ignore' },
    );
    const spawned = child;
    await new Promise<void>((resolve, reject) => {
      spawned.once('error', reject);
      spawned.once('spawn', resolve);
    });
    for (let i = 0; i < 100; i += 1) {
      const probe = createClient({ url, socket: { reconnectStrategy: false } });
      probe.on('error', () => undefined);
      try {
        await probe.connect();
        await probe.ping();
        await probe.close();
        return;
      } catch {
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    throw new Error(`redis-server on ${url} did not answer`);
  };

  const stop = async () => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise((r) => running.once('exit', r));
    running.kill('SIGTERM'); // redis-server shuts down gracefully on SIGTERM: AOF flushed
    await exited;
  };

  await start();
  return {
    url,
    start,
    stop,
    close: async () => {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
