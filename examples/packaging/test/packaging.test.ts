import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../../', import.meta.url));
const consumer = fileURLToPath(new URL('../consumer/', import.meta.url));
/** The packages other teams install. */
const PUBLISHED = ['@bff/shared', '@bff/fastify-bff', '@bff/dev-idp', '@bff/demo-api'];

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function startUntil(
  command: string,
  args: string[],
  cwd: string,
  env: Record<string, string>,
  ready: (out: string) => boolean,
): Promise<ChildProcess> {
  const child = spawn(command, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${args.join(' ')} did not start:\n${out}`)), 60_000);
    const seen = (chunk: Buffer) => {
      out += chunk.toString();
      if (ready(out)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', seen);
    child.stderr!.on('data', seen);
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited with ${code}:\n${out}`)));
  });
  return child;
}

/**
 * What adopters get: each published package built, packed as `pnpm publish`
 * would (publishConfig applied, workspace: ranges turned into versions),
 * installed with npm into a folder outside the workspace, and used there:
 * the dev IdP and the demo API from their bins, a server from the plugin's
 * quick start, a browser that signs in, refreshes and signs out, and a strict
 * TypeScript consumer.
 */
describe('the published packages, installed with npm outside the workspace', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bff-adopter-'));
  const children: ChildProcess[] = [];
  const sizes: Record<string, string> = {};
  beforeAll(async () => {
    await run('pnpm', [...PUBLISHED.flatMap((name) => ['--filter', name]), 'run', 'build'], { cwd: root });
    const tarballs: string[] = [];
    for (const name of PUBLISHED) {
      const { stdout } = await run('pnpm', ['--filter', name, 'pack', '--pack-destination', dir], { cwd: root });
      const file = stdout.trim().split('\n').pop()!.trim();
      tarballs.push(file);
      sizes[name] = `${(statSync(file).size / 1024).toFixed(1)} KiB`;
    }
    const deps = Object.fromEntries(PUBLISHED.map((name, i) => [name, `file:${tarballs[i]}`]));
    writeFileSync(
      join(dir, 'package.json'),
      JSON.stringify({
        name: 'adopter',
        private: true,
        type: 'module',
        dependencies: { ...deps, fastify: '^5.0.0' },
        devDependencies: { typescript: '~6.0.3', '@types/node': '^22' },
      }),
    );
    cpSync(consumer, dir, { recursive: true });
    await run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: dir, timeout: 240_000 });
    console.log('packed sizes:', JSON.stringify(sizes));
  });
  afterAll(async () => {
    for (const child of children) child.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  });

  it('ships compiled JavaScript and types only', () => {
    for (const name of PUBLISHED) {
      const files = readdirSync(join(dir, 'node_modules', name), { recursive: true }).map(String);
      expect(
        files.some((file) => file.endsWith('.ts') && !file.endsWith('.d.ts')),
        `${name} ships .ts sources`,
      ).toBe(false);
      expect(files).toContain('package.json');
    }
  });

  it('runs the quick start against the dev IdP and the demo API from their bins: sign in, refresh, sign out', async () => {
    const [idpPort, apiPort, bffPort] = [await freePort(), await freePort(), await freePort()];
    const issuer = `http://127.0.0.1:${idpPort}`;
    const api = `http://127.0.0.1:${apiPort}`;
    const bffUrl = `http://127.0.0.1:${bffPort}`;
    const bin = (name: string) => join(dir, 'node_modules', '.bin', name);
    children.push(
      await startUntil(
        bin('bff-dev-idp'),
        [],
        dir,
        { IDP_PORT: String(idpPort), IDP_ISSUER: issuer, BFF_PUBLIC_URL: bffUrl, API_AUDIENCE: api },
        (out) => out.includes(String(idpPort)),
      ),
    );
    children.push(
      await startUntil(bin('bff-demo-api'), [], dir, { API_PORT: String(apiPort), OIDC_ISSUER: issuer, API_AUDIENCE: api }, (out) =>
        out.includes(String(apiPort)),
      ),
    );
    children.push(
      await startUntil(
        process.execPath,
        ['server.mjs'],
        dir,
        { PORT: String(bffPort), BFF_PUBLIC_URL: bffUrl, OIDC_ISSUER: issuer, API_UPSTREAM: api },
        (out) => out.includes('listening'),
      ),
    );
    const { stdout } = await run(process.execPath, ['check.mjs'], { cwd: dir, env: { ...process.env, BFF_PUBLIC_URL: bffUrl } });
    expect(JSON.parse(stdout)).toEqual({
      signIn: '/notes',
      session: 'alice',
      me: 200,
      refresh: true,
      meAfterRefresh: 200,
      logout: 200,
      after: false,
    });
  });

  it('type-checks a strict consumer under moduleResolution nodenext', async () => {
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'es2022',
          module: 'nodenext',
          moduleResolution: 'nodenext',
          strict: true,
          noEmit: true,
          skipLibCheck: false,
          exactOptionalPropertyTypes: true,
          noPropertyAccessFromIndexSignature: true,
          noUncheckedIndexedAccess: true,
          types: ['node'],
        },
        files: ['consumer.ts'],
      }),
    );
    const result = await run(join(dir, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.json'], { cwd: dir }).then(
      () => '',
      (err: { stdout?: string }) => err.stdout ?? String(err),
    );
    expect(result).toBe('');
  });
});
