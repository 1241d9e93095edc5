import { spawn, type ChildProcess } from 'node:child_process';
import { freePort } from '@bff/fastify-bff/testing';
import { fileURLToPath } from 'node:url';

export interface StackOptions {
  /** IDP_PROFILE, default seed-002 */
  profile?: string;
  accessTokenTtl?: number;
  refreshTokenTtl?: number;
  sessionIdleTimeout?: number;
  sessionAbsoluteTimeout?: number;
  /** any other env for the BFF; `BFF_DEV_ENDPOINTS` is `1` unless this says otherwise */
  bffEnv?: Record<string, string>;
  /**
   * A label and nothing more: a different `isolate` gives a test file a stack
   * of its own (worker fixtures are keyed by their option values). For tests
   * that change IdP-wide state, such as `revokeUser`, which would otherwise
   * end the sessions other tests on that stack reuse.
   */
  isolate?: string;
}

export interface Stack {
  bffUrl: string;
  idpUrl: string;
  apiUrl: string;
  /** Freezes the IdP process (SIGSTOP): connections hang, as in a real outage. */
  freezeIdp(): void;
  thawIdp(): void;
  counters(): Promise<Record<string, { served: number; refused: number }>>;
  resetCounters(): Promise<void>;
  revokeUser(sub: string): Promise<void>;
  close(): Promise<void>;
}

const root = fileURLToPath(new URL('../../', import.meta.url));

export { freePort };

/** IdP, API and BFF as three real processes on loopback, started the way users start them. */
export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const [idpPort, apiPort, bffPort] = [await freePort(), await freePort(), await freePort()];
  const idpUrl = `http://127.0.0.1:${idpPort}`;
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  // the BFF on "localhost" and the IdP on 127.0.0.1: two sites, as in production
  const bffUrl = `http://localhost:${bffPort}`;
  const profile = options.profile ?? 'seed-002';
  const tokenSettings: Record<string, Record<string, string>> = {
    // the BFF signs client assertions with its dev key; the dev IdP fetches the public half from its /auth/jwks.json
    // ... and proves possession of its session's DPoP key to IdP and API (the IdP binds every token, with nonces)
    'seed-000': { OIDC_TOKEN_AUTH_METHOD: 'private_key_jwt', OIDC_TOKEN_REQUEST_ENCODING: 'form', OIDC_DPOP: '1' },
    'seed-001': { OIDC_TOKEN_AUTH_METHOD: 'client_secret_post', OIDC_TOKEN_REQUEST_ENCODING: 'json' },
    'seed-002': { OIDC_TOKEN_AUTH_METHOD: 'client_secret_basic', OIDC_TOKEN_REQUEST_ENCODING: 'form' },
    'seed-003': { OIDC_TOKEN_AUTH_METHOD: 'client_secret_post', OIDC_TOKEN_REQUEST_ENCODING: 'form' },
  };
  const common = { OIDC_CLIENT_ID: 'bff-demo', OIDC_CLIENT_SECRET: 'bff-demo-secret', NODE_ENV: 'development' };
  const children: ChildProcess[] = [];
  // should the worker exit before close() finished (a teardown timeout), take the stack with it
  const killAll = () => children.forEach((child) => child.kill('SIGKILL'));
  process.once('exit', killAll);
  const giveUp = (error: unknown): never => {
    killAll();
    process.off('exit', killAll);
    throw error;
  };
  const idp = run('packages/dev-idp', {
    ...common,
    IDP_PORT: String(idpPort),
    IDP_HOST: '127.0.0.1',
    IDP_ISSUER: idpUrl,
    IDP_PROFILE: profile,
    BFF_PUBLIC_URL: bffUrl,
    API_AUDIENCE: apiUrl,
    ...(options.accessTokenTtl ? { IDP_ACCESS_TOKEN_TTL: String(options.accessTokenTtl) } : {}),
    ...(options.refreshTokenTtl ? { IDP_REFRESH_TOKEN_TTL: String(options.refreshTokenTtl) } : {}),
  });
  children.push(idp);
  children.push(run('packages/demo-api', { API_PORT: String(apiPort), API_HOST: '127.0.0.1', OIDC_ISSUER: idpUrl, API_AUDIENCE: apiUrl }));
  await waitFor(`${idpUrl}/.well-known/openid-configuration`).catch(giveUp);
  children.push(
    run('apps/bff', {
      ...common,
      ...tokenSettings[profile],
      PORT: String(bffPort),
      HOST: 'localhost',
      BFF_PUBLIC_URL: bffUrl,
      OIDC_ISSUER: idpUrl,
      API_UPSTREAM: apiUrl,
      IDP_TIMEOUT_SECONDS: '2',
      LOG_LEVEL: 'warn',
      // POST /auth/__test/expire-access-token and /auth/__test/expire-session (src/devEndpoints.ts)
      BFF_DEV_ENDPOINTS: '1',
      ...(options.sessionIdleTimeout ? { SESSION_IDLE_TIMEOUT: String(options.sessionIdleTimeout) } : {}),
      ...(options.sessionAbsoluteTimeout ? { SESSION_ABSOLUTE_TIMEOUT: String(options.sessionAbsoluteTimeout) } : {}),
      ...options.bffEnv,
    }),
  );
  await Promise.all([waitFor(`${apiUrl}/healthz`), waitFor(`${bffUrl}/healthz`)]).catch(giveUp);

  const dev = (path: string, init?: RequestInit) => fetch(`${idpUrl}/__test/${path}`, init);
  return {
    bffUrl,
    idpUrl,
    apiUrl,
    freezeIdp: () => void idp.kill('SIGSTOP'),
    thawIdp: () => void idp.kill('SIGCONT'),
    counters: async () => (await (await dev('counters')).json()) as Record<string, { served: number; refused: number }>,
    resetCounters: async () => void (await dev('counters/reset', { method: 'POST' })),
    revokeUser: async (sub) => {
      const response = await dev('revoke', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ sub }),
      });
      if (!response.ok) throw new Error(`revoke failed: ${response.status}`);
    },
    close: async () => {
      idp.kill('SIGCONT');
      await Promise.all(children.map((child) => stop(child)));
      process.off('exit', killAll);
    },
  };

  function run(dir: string, env: Record<string, string>): ChildProcess {
    const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', 'src/main.ts'], {
      cwd: `${root}${dir}`,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const name = dir.split('/')[1];
    child.stderr?.on('data', (chunk: Buffer) => {
      const text = chunk.toString();
      if (!text.includes('Unsupported runtime')) process.stderr.write(`[${name}] ${text}`);
    });
    child.stdout?.resume();
    return child;
  }
}

async function waitFor(url: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const response = await fetch(url);
      if (response.ok) return;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) throw new Error(`${url} did not come up within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
