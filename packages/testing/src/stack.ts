import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { connect, createServer, type Socket } from 'node:net';
import { Agent, createServer as createHttpServer, request as httpRequest, type Server } from 'node:http';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
// the types of app.unsignCookie: the plugin registers @fastify/cookie, its published types do not say so
import type {} from '@fastify/cookie';
import { startApi, type RunningApi } from '@bff/demo-api';
import { startIdp, type IdpOptions, type ProfileName, type RunningIdp } from '@bff/dev-idp';
import { bff, type ApiRoute, type BffOptions } from '@bff/fastify-bff';
import { Browser, freePort } from '@bff/fastify-bff/testing';

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
  /** Requests each replica served. */
  served: number[];
  /** Closes replica i (graceful: in-flight requests finish) and starts a fresh one on its port. */
  /** `bff`: options that replica starts with instead (a configuration change across a restart). */
  restartReplica(i: number, betweenMs?: number, bff?: Partial<BffOptions>): Promise<void>;
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
  for (let i = 0; i < replicas; i += 1) apps.push(await startReplica(i));
  const balancer = replicas > 1 ? await roundRobin(bffPort, ports) : undefined;
  return {
    idp,
    api,
    get app() {
      return apps[0]!;
    },
    apps,
    served,
    delayIdp: (ms) => {
      if (!front) throw new Error('startStack({ slowableIdp: true }) for delayIdp');
      front.delayMs = ms;
    },
    restartReplica: async (i, betweenMs = 0, changed = {}) => {
      await apps[i]!.close();
      await new Promise((r) => setTimeout(r, betweenMs));
      apps[i] = await startReplica(i, changed);
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
async function delayingProxy(targetPort: number): Promise<{ port: number; delayMs: number; close(): void }> {
  const sockets = new Set<Socket>();
  const state = {
    port: 0,
    delayMs: 0,
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
      if (delay > 0) setTimeout(() => upstream.write(chunk), delay);
      else upstream.write(chunk);
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
