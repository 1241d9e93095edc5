import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '@bff/fastify-bff/testing';

const run = promisify(execFile);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One redis-server (or sentinel) process of a test topology, on a loopback port, and how to start it again. */
interface Node {
  port: number;
  args: string[];
  process: ChildProcess;
}

const alive = (node: Node) => node.process.exitCode === null && node.process.signalCode === null;

async function cli(port: number, ...args: string[]): Promise<string> {
  const { stdout } = await run('redis-cli', ['-p', String(port), ...args]);
  return stdout.trim();
}

async function until(check: () => Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const giveUp = Date.now() + timeoutMs;
  while (Date.now() < giveUp) {
    if (await check().catch(() => false)) return;
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${what}`);
}

function start(dir: string, args: string[]): ChildProcess {
  return spawn('redis-server', args, { cwd: dir, stdio: 'ignore' });
}

async function kill(node: Node): Promise<void> {
  if (!alive(node)) return;
  const exited = new Promise((r) => node.process.once('exit', r));
  node.process.kill('SIGKILL');
  await exited;
}

/** The port of the primary that serves a slot, as the node on `askedPort` sees the cluster (a failed one excluded). */
async function primaryOf(askedPort: number, slot: number): Promise<number | undefined> {
  for (const line of (await cli(askedPort, 'cluster', 'nodes')).split('\n')) {
    const [, address = '', flags = '', , , , , , ...ranges] = line.split(' ');
    if (!flags.includes('master') || flags.includes('fail')) continue;
    const owns = ranges.some((range) => {
      const [from, to = from] = range.split('-').map(Number);
      return from !== undefined && to !== undefined && slot >= from && slot <= to;
    });
    if (owns) return Number(address.split('@')[0]!.split(':')[1]);
  }
  return undefined;
}

export interface TestCluster {
  /** host:port of every node, for REDIS_CLUSTER_NODES */
  seeds: string[];
  /** Kills the primary that serves this key's slot; returns its port once its replica serves the slot. */
  killPrimaryOf(key: string): Promise<number>;
  /**
   * Starts a killed node again: it rejoins as a replica of the node promoted
   * in its place. Returns once the cluster is whole (every slot served, every
   * replica in sync), so that the next failover has a replica to promote.
   */
  revive(port: number): Promise<void>;
  close(): Promise<void>;
}

/** A Redis Cluster of 3 primaries and 3 replicas from Debian's redis-server, on loopback, for one test file. */
export async function startCluster(): Promise<TestCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'bff-cluster-'));
  const nodes: Node[] = [];
  for (let i = 0; i < 6; i += 1) {
    const port = await freePort();
    const args = [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--cluster-enabled',
      'yes',
      '--cluster-config-file',
      `nodes-${port}.conf`,
      '--cluster-node-timeout',
      '1000',
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      dir,
      '--logfile',
      `node-${port}.log`,
    ];
    nodes.push({ port, args, process: start(dir, args) });
  }
  await Promise.all(nodes.map((node) => until(async () => (await cli(node.port, 'ping')) === 'PONG', `node ${node.port}`)));
  await run('redis-cli', ['--cluster', 'create', ...nodes.map((n) => `127.0.0.1:${n.port}`), '--cluster-replicas', '1', '--cluster-yes']);
  const whole = async () => {
    await until(
      async () => (await Promise.all(nodes.map((n) => cli(n.port, 'cluster', 'info')))).every((info) => info.includes('cluster_state:ok')),
      'cluster_state:ok',
    );
    // a replica that has not synced yet refuses to take over ("disconnected from master for longer than allowed")
    await until(async () => {
      const infos = await Promise.all(nodes.map((n) => cli(n.port, 'info', 'replication')));
      const replicas = infos.filter((info) => info.includes('role:slave'));
      return replicas.length === 3 && replicas.every((info) => info.includes('master_link_status:up'));
    }, 'every replica in sync');
  };
  await whole();
  return {
    seeds: nodes.map((n) => `127.0.0.1:${n.port}`),
    killPrimaryOf: async (key) => {
      const asked = nodes.find(alive)!.port;
      const slot = Number(await cli(asked, 'cluster', 'keyslot', key));
      const port = await primaryOf(asked, slot);
      const primary = nodes.find((n) => n.port === port);
      if (port === undefined || !primary) throw new Error(`no primary serves slot ${slot}`);
      await kill(primary);
      // returns once the replica serves the slot: a node started again before that would come back as its (empty) primary
      const other = nodes.find(alive)!.port;
      await until(async () => ![undefined, port].includes(await primaryOf(other, slot)), `a replica promoted for slot ${slot}`);
      return port;
    },
    revive: async (port) => {
      const node = nodes.find((n) => n.port === port);
      if (!node) throw new Error(`no node on port ${port}`);
      // its nodes-<port>.conf remembers the cluster: it comes back as a replica of its successor
      node.process = start(dir, node.args);
      await whole();
    },
    close: async () => {
      await Promise.all(nodes.map(kill));
      if (process.env.KEEP_REDIS_LOGS) console.warn('cluster logs in', dir);
      else rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface TestSentinels {
  /** host:port of each sentinel, for REDIS_SENTINELS */
  sentinels: string[];
  name: string;
  /** Kills the current primary; returns once the sentinels have promoted the replica. */
  killPrimary(): Promise<void>;
  /** Starts the killed server again as a replica of the new primary; returns once it is in sync. */
  revive(): Promise<void>;
  close(): Promise<void>;
}

/** A primary, one replica and 3 sentinels, on loopback, for one test file. */
export async function startSentinels(name = 'bffprimary'): Promise<TestSentinels> {
  const dir = mkdtempSync(join(tmpdir(), 'bff-sentinel-'));
  const primaryPort = await freePort();
  const replicaPort = await freePort();
  const data = ['--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir];
  const serverArgs = (port: number) => ['--port', String(port), ...data];
  const servers: Node[] = [
    { port: primaryPort, args: serverArgs(primaryPort), process: start(dir, serverArgs(primaryPort)) },
    {
      port: replicaPort,
      args: serverArgs(replicaPort),
      process: start(dir, [...serverArgs(replicaPort), '--replicaof', '127.0.0.1', String(primaryPort)]),
    },
  ];
  await Promise.all(servers.map((node) => until(async () => (await cli(node.port, 'ping')) === 'PONG', `server ${node.port}`)));
  await until(async () => (await cli(replicaPort, 'info', 'replication')).includes('master_link_status:up'), 'the replica in sync');
  const sentinels: Node[] = [];
  for (let i = 0; i < 3; i += 1) {
    const port = await freePort();
    const conf = join(dir, `sentinel-${port}.conf`);
    writeFileSync(
      conf,
      [
        `port ${port}`,
        'bind 127.0.0.1',
        `sentinel monitor ${name} 127.0.0.1 ${primaryPort} 2`,
        `sentinel down-after-milliseconds ${name} 1000`,
        `sentinel failover-timeout ${name} 5000`,
        `sentinel parallel-syncs ${name} 1`,
        '',
      ].join('\n'),
    );
    sentinels.push({ port, args: [conf, '--sentinel'], process: start(dir, [conf, '--sentinel']) });
  }
  await Promise.all(
    sentinels.map((node) =>
      until(
        async () => (await cli(node.port, 'sentinel', 'replicas', name)).includes(String(replicaPort)),
        `sentinel ${node.port} sees the replica`,
      ),
    ),
  );
  let killed: Node | undefined;
  return {
    sentinels: sentinels.map((n) => `127.0.0.1:${n.port}`),
    name,
    killPrimary: async () => {
      const [host, port] = (await cli(sentinels[0]!.port, 'sentinel', 'get-master-addr-by-name', name)).split('\n');
      const primary = servers.find((n) => n.port === Number(port) && host === '127.0.0.1');
      if (!primary) throw new Error('no known primary');
      await kill(primary);
      killed = primary;
      const other = servers.find((n) => n !== primary)!;
      await until(
        async () => (await cli(sentinels[0]!.port, 'sentinel', 'get-master-addr-by-name', name)).includes(String(other.port)),
        'the sentinels promote the replica',
      );
    },
    revive: async () => {
      const node = killed;
      if (!node) throw new Error('no server was killed');
      killed = undefined;
      const primary = servers.find((n) => n !== node)!;
      node.process = start(dir, [...node.args, '--replicaof', '127.0.0.1', String(primary.port)]);
      // in sync, and known to the sentinels as the replica: the next failover can promote it
      await until(
        async () => (await cli(node.port, 'info', 'replication')).includes('master_link_status:up'),
        'the revived server in sync',
      );
      await Promise.all(
        sentinels.map((s) =>
          until(async () => {
            const replicas = await cli(s.port, 'sentinel', 'replicas', name);
            return replicas.includes(String(node.port)) && !/s_down|o_down|disconnected/.test(replicas);
          }, `sentinel ${s.port} sees the revived replica`),
        ),
      );
    },
    close: async () => {
      await Promise.all([...sentinels, ...servers].map(kill));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
