import { execFile, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeBlocks, shows } from './docs.js';
import { freePort, startUntil } from './processes.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../../', import.meta.url));
const consumer = fileURLToPath(new URL('../consumer/', import.meta.url));
/** The packages other teams install. */
const PUBLISHED = ['@bff/shared', '@bff/fastify-bff', '@bff/dev-idp', '@bff/demo-api', '@bff/playwright'];
/** What an existing Vite + React app has already, beside the React version under test. */
const VITE_APP = { '@tanstack/react-query': '^5', vite: '^8.3.8', '@vitejs/plugin-react': '^6.3.0', typescript: '~6.0.3' };
const REACT = {
  19: { react: '^19', 'react-dom': '^19', '@types/react': '^19', '@types/react-dom': '^19' },
  18: { react: '^18', 'react-dom': '^18', '@types/react': '^18', '@types/react-dom': '^18' },
};
const npmInstall = (cwd: string) =>
  run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], { cwd, timeout: 240_000 });

/** A promise made on first use and shared after. */
function once<T>(make: () => Promise<T>): () => Promise<T> {
  let made: Promise<T> | undefined;
  return () => (made ??= make());
}

/**
 * What adopters get: each published package built, packed as `pnpm publish`
 * would (publishConfig applied, workspace: ranges turned into versions),
 * installed with npm into folders outside the workspace, and used there:
 * the dev IdP and the demo API from their bins, a server from the plugin's
 * quick start, a client that signs in, refreshes and signs out, a strict
 * TypeScript consumer, a Vite + React app on the hooks built with React 19
 * and with React 18, and a Playwright suite on the fixtures against each.
 */
describe('the published packages, installed with npm outside the workspace', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bff-adopter-'));
  const react18 = mkdtempSync(join(tmpdir(), 'bff-adopter-react18-'));
  const children: ChildProcess[] = [];
  const sizes: Record<string, string> = {};
  const bin = (name: string) => join(dir, 'node_modules', '.bin', name);

  beforeAll(async () => {
    await run('pnpm', [...PUBLISHED.flatMap((name) => ['--filter', name]), 'run', 'build'], { cwd: root });
    const tarballs: Record<string, string> = {};
    for (const name of PUBLISHED) {
      const { stdout } = await run('pnpm', ['--filter', name, 'pack', '--pack-destination', dir], { cwd: root });
      const file = stdout.trim().split('\n').pop()!.trim();
      tarballs[name] = `file:${file}`;
      sizes[name] = `${(statSync(file).size / 1024).toFixed(1)} KiB`;
    }
    // overrides: the packages' own dependencies on each other (@bff/fastify-bff -> @bff/shared@0.1.0) resolve to
    // the tarballs too, never to the registry, where the name may be unknown or, worse, someone else's
    const adopter = (dependencies: Record<string, string>) =>
      JSON.stringify({ name: 'adopter', private: true, type: 'module', dependencies, overrides: tarballs });
    writeFileSync(
      join(dir, 'package.json'),
      adopter({ ...tarballs, fastify: '^5.0.0', '@types/node': '^22', '@playwright/test': '~1.65.1', ...VITE_APP, ...REACT[19] }),
    );
    writeFileSync(join(react18, 'package.json'), adopter({ '@bff/shared': tarballs['@bff/shared']!, ...VITE_APP, ...REACT[18] }));
    cpSync(consumer, dir, { recursive: true });
    cpSync(join(consumer, 'app'), join(react18, 'app'), { recursive: true });
    // one npm cache for both
    const installing = performance.now();
    await Promise.all([npmInstall(dir), npmInstall(react18)]);
    console.log('packed sizes:', JSON.stringify(sizes), `npm installs: ${Math.round((performance.now() - installing) / 1000)} s`);
  });
  afterAll(async () => {
    for (const child of children) child.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
    rmSync(react18, { recursive: true, force: true });
  });

  /** The dev IdP and the demo API from their bins; the IdP knows the quick-start server and the two Vite apps. */
  const services = once(async () => {
    const [idpPort, apiPort, bffPort, vite19, vite18] = [
      await freePort(),
      await freePort(),
      await freePort(),
      await freePort(),
      await freePort(),
    ];
    const urls = {
      issuer: `http://127.0.0.1:${idpPort}`,
      api: `http://127.0.0.1:${apiPort}`,
      bff: `http://127.0.0.1:${bffPort}`,
      bffPort,
      vitePorts: { 19: vite19, 18: vite18 },
    };
    const idpEnv = {
      IDP_PORT: String(idpPort),
      IDP_ISSUER: urls.issuer,
      BFF_PUBLIC_URL: [urls.bff, `http://localhost:${vite19}`, `http://localhost:${vite18}`].join(','),
      API_AUDIENCE: urls.api,
    };
    children.push(await startUntil(bin('bff-dev-idp'), [], dir, idpEnv, (out) => out.includes(String(idpPort))));
    const apiEnv = { API_PORT: String(apiPort), OIDC_ISSUER: urls.issuer, API_AUDIENCE: urls.api };
    children.push(await startUntil(bin('bff-demo-api'), [], dir, apiEnv, (out) => out.includes(String(apiPort))));
    return urls;
  });

  /** The quick start's server.mjs on `port`, for browsers at `publicUrl`; its own URL. */
  async function startServer(port: number, publicUrl: string, env: Record<string, string> = {}): Promise<string> {
    const { issuer, api } = await services();
    const serverEnv = { PORT: String(port), BFF_PUBLIC_URL: publicUrl, OIDC_ISSUER: issuer, API_UPSTREAM: api, ...env };
    children.push(await startUntil(process.execPath, ['server.mjs'], dir, serverEnv, (out) => out.includes('listening')));
    return `http://127.0.0.1:${port}`;
  }

  /** `tsc` on the app (moduleResolution bundler, strict flags), then `vite build`; the React version the bundle holds. */
  const buildApp = (folder: string) =>
    once(async () => {
      const app = join(folder, 'app');
      writeFileSync(
        join(app, 'tsconfig.json'),
        JSON.stringify({
          compilerOptions: {
            target: 'es2022',
            module: 'esnext',
            moduleResolution: 'bundler',
            jsx: 'react-jsx',
            lib: ['es2023', 'dom'],
            strict: true,
            noEmit: true,
            skipLibCheck: false,
            exactOptionalPropertyTypes: true,
            noPropertyAccessFromIndexSignature: true,
            noUncheckedIndexedAccess: true,
            types: [],
          },
          include: ['src'],
        }),
      );
      const typeErrors = await run(join(folder, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.json'], { cwd: app }).then(
        () => '',
        (err: { stdout?: string }) => err.stdout ?? String(err),
      );
      await run(join(folder, 'node_modules', '.bin', 'vite'), ['build', '--logLevel', 'warn'], { cwd: app });
      const assets = join(app, 'dist', 'assets');
      const bundle = readdirSync(assets)
        .filter((file) => file.endsWith('.js'))
        .map((file) => readFileSync(join(assets, file), 'utf8'))
        .join('\n');
      const installed = (JSON.parse(readFileSync(join(folder, 'node_modules', 'react-dom', 'package.json'), 'utf8')) as { version: string })
        .version;
      // the minifier may quote it any way: "19.3.1", '19.3.1' or `19.3.1`
      return { typeErrors, installed, bundled: ['"', "'", '`'].some((quote) => bundle.includes(`${quote}${installed}${quote}`)) };
    });
  const builtWith19 = buildApp(dir);
  const builtWith18 = buildApp(react18);

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
    const { bff, bffPort } = await services();
    // the server's own URL is its public URL here: check.mjs talks to it directly
    const bffUrl = await startServer(bffPort, bff);
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
    const result = await run(bin('tsc'), ['-p', 'tsconfig.json'], { cwd: dir }).then(
      () => '',
      (err: { stdout?: string }) => err.stdout ?? String(err),
    );
    expect(result).toBe('');
  });

  it('builds a Vite app on the React hooks with React 19, type-checked under moduleResolution bundler', async () => {
    const built = await builtWith19();
    expect(built.typeErrors).toBe('');
    expect(built.installed).toMatch(/^19\./);
    expect(built.bundled, `the bundle holds react-dom ${built.installed}`).toBe(true);
  });

  it("builds the same app with React 18, type-checked against React 18's types", async () => {
    const built = await builtWith18();
    expect(built.typeErrors).toBe('');
    expect(built.installed).toMatch(/^18\./);
    expect(built.bundled, `the bundle holds react-dom ${built.installed}`).toBe(true);
  });

  const apps = [
    { react: 19, folder: dir, built: builtWith19 },
    { react: 18, folder: react18, built: builtWith18 },
  ] as const;
  for (const { react, folder, built } of apps) {
    it(`runs a Playwright suite on @bff/playwright's fixtures against the React ${react} app, served by vite preview with its proxy to the quick-start server`, async () => {
      await built();
      const vitePort = (await services()).vitePorts[react];
      const vite = `http://localhost:${vitePort}`;
      // the BFF's public URL is Vite's: the redirect_uri and the cookie are on the origin the browser sees
      const bffUrl = await startServer(await freePort(), vite, { BFF_DEV_ENDPOINTS: '1' });
      const preview = ['preview', '--port', String(vitePort), '--strictPort', '--host', 'localhost'];
      const viteBin = join(folder, 'node_modules', '.bin', 'vite');
      children.push(await startUntil(viteBin, preview, join(folder, 'app'), { BFF_URL: bffUrl }, (out) => out.includes(String(vitePort))));
      const result = await run(bin('playwright'), ['test', '-c', 'e2e/playwright.config.ts'], {
        cwd: dir,
        env: { ...process.env, APP_URL: vite },
        timeout: 180_000,
      }).then(
        ({ stdout }) => stdout,
        (err: { stdout?: string; stderr?: string }) => `${err.stdout ?? ''}${err.stderr ?? ''}`,
      );
      expect(result).toMatch(/\b5 passed\b/);
      expect(result).not.toMatch(/failed|flaky/);
    });
  }

  it('the READMEs show the code this test runs', () => {
    const playwrightReadme = codeBlocks(new URL('../../../packages/playwright/README.md', import.meta.url));
    expect(
      shows(playwrightReadme, new URL('../consumer/e2e/app.spec.ts', import.meta.url)),
      'packages/playwright/README.md shows e2e/app.spec.ts',
    ).toBe(true);
    const guide = codeBlocks(new URL('../../../docs/guides/existing-vite-app.md', import.meta.url));
    for (const file of ['app/vite.config.ts', 'app/src/main.tsx', 'app/src/App.tsx']) {
      expect(shows(guide, new URL(`../consumer/${file}`, import.meta.url)), `docs/guides/existing-vite-app.md shows ${file}`).toBe(true);
    }
  });
});
