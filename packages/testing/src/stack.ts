import { spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import { Agent, createServer as createHttpServer, request as httpRequest, type Server } from 'node:http';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
// the types of app.unsignCookie: the plugin registers @fastify/cookie, its published types do not say so
import type {} from '@fastify/cookie';
import { startApi, type RunningApi } from '@bff/demo-api';
import { startIdp, type IdpOptions, type ProfileName, type RunningIdp } from '@bff/dev-idp';
import { bff, type ApiRoute, type BffOptions } from '@bff/fastify-bff';
import { Browser, freePort } from '@bff/fastify-bff/testing';
import type { ReplicaReport, ReplicaSpec } from './replicaReport.js';

export { freePort };

export interface StackOptions {
  profile?: ProfileName;
  accessTokenTtl?: number;
  refreshTokenTtl?: number;
  /** overrides of the BFF's options */
  bff?: Partial<BffOptions>;
  /** mount the BFF under this prefix: `app.register(bff, { prefix })` (the dev IdP registers its URIs there) */
  prefix?: string;
  /** overrides of the dev IdP's options (its client's authentication, its registered keys) */
  idp?: Pick<IdpOptions, 'tokenEndpointAuthMethod' | 'clientJwks'>;
  /** proxy to this upstream instead of the demo API */
  upstream?: string;
  /** use the public client (token_endpoint_auth_method none) */
  publicClient?: boolean;
  /** several BFF replicas behind a round-robin proxy (use a shared store: redis) */
  replicas?: number;
  /** put a TCP proxy in front of the IdP (its issuer URL) whose delay the test controls: a slow IdP */
  slowableIdp?: boolean;
  /** where the replicas' JSON log lines go (default: no logging) */
  logStream?: { write(line: string): void };
  /** what the host app registers before the BFF plugin (its own @fastify/session, its routes) */
  host?: (app: FastifyInstance) => Promise<void>;
  /** options of the host's Fastify instance, e.g. trustProxy */
  fastify?: FastifyServerOptions;
  /** the demo API requires its own nonce in DPoP proofs (RFC 9449, 9) */
  apiDpopNonce?: boolean;
  /**
   * Several upstream APIs (the BFF's `apis`): a second demo API is started
   * with audience SECOND_AUDIENCE (the dev IdP knows both), and this builds
   * the list from the two running APIs.
   */
  apis?: (running: { first: RunningApi; second: RunningApi }) => ApiRoute[];
  /**
   * Run each replica in a process of its own (replicaProcess.ts) rather than
   * in this one: a replica that can be killed for real (killReplica), whose
   * memory is its own (replicaRss). Needs `bff.sessionStore: 'redis'`. The
   * replicas keep their own clock (advance and freeze do not reach them), run
   * no `bff.hooks`, and have no `apps` here; what they do arrives in `onReport`.
   */
  replicaProcesses?: { onReport?(replica: number, report: ReplicaReport): void };
}

export interface Stack {
  idp: RunningIdp;
  api: RunningApi;
  /** The first replica. */
  app: FastifyInstance;
  /** Every replica, in order; restartReplica replaces an entry. */
  apps: FastifyInstance[];
  /** With slowableIdp: hold every byte sent to the IdP for this long (0: none). */
  delayIdp(ms: number): void;
  /** With slowableIdp: how many writes to the IdP delayIdp holds back right now (a request on its way). */
  idpHeld(): number;
  /** Requests each replica served. */
  served: number[];
  /** Closes replica i (graceful: in-flight requests finish) and starts a fresh one on its port. */
  /** `bff`: options that replica starts with instead (a configuration change across a restart). */
  restartReplica(i: number, betweenMs?: number, bff?: Partial<BffOptions>): Promise<void>;
  /** With replicaProcesses: SIGKILLs replica i (nothing in it finishes) and starts a fresh one on its port. */
  killReplica(i: number, betweenMs?: number): Promise<void>;
  /** With replicaProcesses: each replica's resident set size, bytes (undefined while one is down). */
  replicaRss(): Array<number | undefined>;
  bffUrl: string;
  /** Moves the BFF's clock (not the IdP's): tokens look older to the BFF without sleeping. */
  advance(ms: number): void;
  /** Stops the BFF's clock where it is (until unfreeze), e.g. for the length of a burst. */
  freeze(): void;
  unfreeze(): void;
  browser(): Browser;
  close(): Promise<void>;
}

/** The demo API's audience (RFC 8707 resource), and that of the second one with `apis`. */
export const FIRST_AUDIENCE = 'http://demo-api.test';
export const SECOND_AUDIENCE = 'http://second-api.test';

/** A real dev IdP, the real demo API and a real BFF, each on its own loopback port. */
export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const profileName = options.profile ?? 'seed-002';
  const replicas = options.replicas ?? 1;
  const bffPort = await freePort();
  const bffUrl = `http://127.0.0.1:${bffPort}`;
  const idpPort = await freePort();
  const front = options.slowableIdp ? await delayingProxy(idpPort) : undefined;
  const idp = await startIdp({
    port: idpPort,
    host: '127.0.0.1',
    issuer: `http://127.0.0.1:${front?.port ?? idpPort}`,
    profile: profileName,
    ...(options.accessTokenTtl ? { accessTokenTtl: options.accessTokenTtl } : {}),
    ...(options.refreshTokenTtl ? { refreshTokenTtl: options.refreshTokenTtl } : {}),
    bffPublicUrl: bffUrl,
    bffAuthPath: `${options.prefix ?? ''}${options.bff?.authPath ?? '/auth'}`,
    apiAudience: options.apis ? [FIRST_AUDIENCE, SECOND_AUDIENCE] : FIRST_AUDIENCE,
    ...options.idp,
  });
  const { profile } = idp;
  const api = await startApi({
    port: 0,
    host: '127.0.0.1',
    issuer: idp.issuer,
    audience: FIRST_AUDIENCE,
    ...(options.apiDpopNonce ? { dpopNonce: true } : {}),
  });
  const second = options.apis
    ? await startApi({
        port: 0,
        host: '127.0.0.1',
        issuer: idp.issuer,
        audience: SECOND_AUDIENCE,
        ...(options.apiDpopNonce ? { dpopNonce: true } : {}),
      })
    : undefined;
  let offset = 0;
  let frozenAt: number | undefined;
  const shared: BffOptions = {
    publicUrl: bffUrl,
    issuer: idp.issuer,
    clientId: options.publicClient ? `${idp.clientId}-public` : idp.clientId,
    clientSecret: options.publicClient ? undefined : idp.clientSecret,
    tokenAuthMethod: options.publicClient ? 'none' : profile.tokenEndpointAuthMethod,
    // a key of this stack's own; the dev IdP fetches its public half from the BFF's /auth/jwks.json
    ...(profile.tokenEndpointAuthMethod === 'private_key_jwt' && !options.publicClient ? { clientPrivateKey: newClientKey() } : {}),
    tokenRequestEncoding: profile.tokenRequestEncoding,
    // a profile that binds every token takes no token request without a DPoP proof
    ...(profile.dpop ? { dpop: true } : {}),
    ...(options.apis ? { apis: options.apis({ first: api, second: second! }) } : { apiUpstream: options.upstream ?? api.url }),
    sessionSecret: randomBytes(32).toString('hex'),
    tokenEncryptionKeys: [randomBytes(32)],
    idpTimeoutSeconds: 2,
    clock: () => (frozenAt ?? Date.now()) + offset,
    ...options.bff,
  };
  const served = Array<number>(replicas).fill(0);
  const ports = replicas === 1 ? [bffPort] : await Promise.all(Array.from({ length: replicas }, () => freePort()));
  const startReplica = async (i: number, changed: Partial<BffOptions> = {}) => {
    const app = Fastify({ logger: options.logStream ? { level: 'info', stream: options.logStream } : false, ...options.fastify });
    app.addHook('onRequest', async () => {
      served[i] = (served[i] ?? 0) + 1;
    });
    await options.host?.(app);
    const replicaOptions = { ...shared, ...changed };
    await app.register(bff, options.prefix === undefined ? replicaOptions : { ...replicaOptions, prefix: options.prefix });
    await app.listen({ port: ports[i]!, host: '127.0.0.1' });
    return app;
  };
  const apps: FastifyInstance[] = [];
  const processes = options.replicaProcesses
    ? new ReplicaProcesses(ports, shared, (i, report) => options.replicaProcesses?.onReport?.(i, report))
    : undefined;
  for (let i = 0; i < replicas; i += 1) {
    if (processes) await processes.start(i);
    else apps.push(await startReplica(i));
  }
  const balancer = replicas > 1 ? await roundRobin(bffPort, ports) : undefined;
  return {
    idp,
    api,
    get app() {
      if (processes) throw new Error('the replicas run in processes of their own (replicaProcesses): there is no app here');
      return apps[0]!;
    },
    apps,
    served,
    delayIdp: (ms) => {
      if (!front) throw new Error('startStack({ slowableIdp: true }) for delayIdp');
      front.delayMs = ms;
    },
    idpHeld: () => {
      if (!front) throw new Error('startStack({ slowableIdp: true }) for idpHeld');
      return front.held;
    },
    restartReplica: async (i, betweenMs = 0, changed = {}) => {
      if (processes) await processes.stop(i, 'SIGTERM');
      else await apps[i]!.close();
      await new Promise((r) => setTimeout(r, betweenMs));
      if (processes) await processes.start(i);
      else apps[i] = await startReplica(i, changed);
    },
    killReplica: async (i, betweenMs = 0) => {
      if (!processes) throw new Error('startStack({ replicaProcesses }) for killReplica');
      await processes.stop(i, 'SIGKILL');
      await new Promise((r) => setTimeout(r, betweenMs));
      await processes.start(i);
    },
    replicaRss: () => {
      if (!processes) throw new Error('startStack({ replicaProcesses }) for replicaRss');
      return processes.rss();
    },
    bffUrl,
    advance: (ms) => {
      offset += ms;
    },
    freeze: () => {
      frozenAt = Date.now();
    },
    unfreeze: () => {
      frozenAt = undefined;
    },
    browser: () => new Browser(),
    close: async () => {
      await new Promise((r) => (balancer ? balancer.close(r) : r(undefined)));
      front?.close();
      await Promise.all(apps.map((app) => app.close()));
      await processes?.close();
      await api.close();
      await second?.close();
      await idp.close();
    },
  };
}

/** A fresh ES256 private key as a PEM, as OIDC_CLIENT_PRIVATE_KEY takes it. */
export function newClientKey(): string {
  return generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
}

/**
 * Replicas as child processes, one per port: started from the stack's BFF
 * options (what crosses a process boundary: no clock, no hooks), stopped by
 * a signal: SIGTERM closes one gracefully, SIGKILL is a crash.
 */
class ReplicaProcesses {
  readonly #children: Array<ChildProcess | undefined> = [];
  readonly #script = new URL(`./replicaProcess${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url);

  constructor(
    private readonly ports: number[],
    private readonly options: BffOptions,
    private readonly onReport: (replica: number, report: ReplicaReport) => void,
  ) {
    if (options.sessionStore !== 'redis')
      throw new Error("replicaProcesses need bff.sessionStore: 'redis': the replicas share nothing else");
  }

  async start(i: number): Promise<void> {
    const { tokenEncryptionKeys, clock, hooks, sessionStore, refreshCoordinator, ...rest } = this.options;
    void [clock, hooks, sessionStore, refreshCoordinator]; // stay in this process
    const spec: ReplicaSpec = {
      port: this.ports[i]!,
      options: rest,
      tokenEncryptionKeys: tokenEncryptionKeys.map((k) => k.toString('base64')),
    };
    const loader = this.#script.pathname.endsWith('.ts') ? ['--import', 'tsx'] : [];
    const child = spawn(process.execPath, ['--conditions=source', ...loader, this.#script.pathname], {
      env: { ...process.env, BFF_REPLICA: JSON.stringify(spec) },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.#children[i] = child;
    await new Promise<void>((resolve, reject) => {
      const exited = (code: number | null) => reject(new Error(`replica ${i} exited with ${code} before it listened`));
      child.once('exit', exited);
      child.on('message', (message: ReplicaReport) => {
        if (message.type === 'listening') {
          child.off('exit', exited);
          resolve();
        }
        this.onReport(i, message);
      });
    });
  }

  async stop(i: number, signal: 'SIGTERM' | 'SIGKILL'): Promise<void> {
    const child = this.#children[i];
    this.#children[i] = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill(signal);
    await exited;
  }

  rss(): Array<number | undefined> {
    return this.ports.map((_, i) => {
      const pid = this.#children[i]?.pid;
      if (pid === undefined) return undefined;
      try {
        // Linux: VmRSS in kB; read from outside, so a busy replica still answers
        const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
        return kb === undefined ? undefined : Number(kb) * 1024;
      } catch {
        return undefined;
      }
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.ports.map((_, i) => this.stop(i, 'SIGTERM')));
  }
}

/** The store id behind a browser's signed session cookie. */
export function sessionIdOf(stack: Stack, browser: Browser): string {
  const raw = browser.cookies.get('bff.sid');
  if (!raw) throw new Error('the browser has no session cookie');
  const id = stack.app.bff.sessions.idFromCookie(decodeURIComponent(raw));
  if (!id) throw new Error('the session cookie does not verify');
  return id;
}

/** The plaintext token set of a browser's session, read the way only the server can. */
export async function tokensOf(stack: Stack, browser: Browser) {
  const stored = await stack.app.bff.store.get(sessionIdOf(stack, browser));
  if (stored?.state !== 'active') throw new Error(`session is ${stored?.state ?? 'gone'}`);
  return { session: stored, tokens: stack.app.bff.tokens.open(stored) };
}

/**
 * A tiny load balancer for tests: round-robin over the replicas, and like a
 * real one with passive health checks it tries the next replica when one
 * refuses the connection (a replica that is restarting).
 */
async function roundRobin(port: number, targets: number[]): Promise<Server> {
  let next = 0;
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const server = createHttpServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => attempt(0));
    function attempt(tries: number) {
      const target = targets[next++ % targets.length]!;
      const idempotent = req.method === 'GET' || req.method === 'HEAD';
      const upstream = httpRequest(
        { host: '127.0.0.1', port: target, path: req.url, method: req.method, headers: req.headers, agent },
        (up) => {
          // a replica that is shutting down answers 503 + Connection: close (Fastify's return503OnClosing): try the next one
          if (up.statusCode === 503 && up.headers.connection === 'close' && idempotent && tries < targets.length) {
            up.resume();
            return attempt(tries + 1);
          }
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        },
      );
      upstream.on('error', (err: NodeJS.ErrnoException) => {
        // refused: the replica is down; reset on a reused keep-alive socket: it closed as we sent (safe to retry a GET)
        const retry = err.code === 'ECONNREFUSED' || (err.code === 'ECONNRESET' && idempotent);
        if (retry && tries < targets.length) return attempt(tries + 1);
        res.writeHead(502).end();
      });
      upstream.end(Buffer.concat(chunks));
    }
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return server;
}

/** A TCP proxy to a loopback port that can hold what the client sends for a while: an IdP that is slow, not down. */
async function delayingProxy(targetPort: number): Promise<{ port: number; delayMs: number; held: number; close(): void }> {
  const sockets = new Set<Socket>();
  const state = {
    port: 0,
    delayMs: 0,
    /** chunks on their way to the IdP, held back right now */
    held: 0,
    close: () => {
      for (const socket of sockets) socket.destroy();
      server.close();
    },
  };
  const server = createServer((client) => {
    const upstream = connect(targetPort, '127.0.0.1');
    sockets.add(client).add(upstream);
    client.on('data', (chunk) => {
      const delay = state.delayMs;
      if (delay > 0) {
        state.held += 1;
        setTimeout(() => {
          state.held -= 1;
          upstream.write(chunk);
        }, delay);
      } else upstream.write(chunk);
    });
    upstream.pipe(client);
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    // the client giving up must not stop a request already on its way: the IdP still gets it
    client.on('close', () => setTimeout(() => upstream.destroy(), state.delayMs + 5_000));
    upstream.on('close', end);
    client.on('error', () => undefined);
    upstream.on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  state.port = typeof address === 'object' && address ? address.port : 0;
  return state;
}
