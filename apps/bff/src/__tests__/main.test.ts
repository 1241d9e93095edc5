import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { freePort } from '@bff/fastify-bff/testing';

const main = fileURLToPath(new URL('../main.ts', import.meta.url));

/** `pnpm start:bff` as a process: only the variables given, nothing inherited but PATH. */
function startBff(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', main], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout.resume();
  return { child, stderr: () => stderr };
}

async function waitForOk(url: string): Promise<Response> {
  for (let i = 0; i < 200; i += 1) {
    const response = await fetch(url).catch(() => undefined);
    if (response?.ok) return response;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not come up`);
}

describe('apps/bff (pnpm start:bff)', () => {
  it('refuses to start in production without its configuration, naming each missing variable', async () => {
    const bff = startBff({ NODE_ENV: 'production' });
    const [code] = await once(bff.child, 'exit');
    expect(code).toBe(1);
    for (const name of ['BFF_PUBLIC_URL', 'OIDC_ISSUER', 'SESSION_SECRET', 'TOKEN_ENCRYPTION_KEY']) expect(bff.stderr()).toContain(name);
  });

  it('serves the BFF from env with the dev defaults and stops on SIGTERM', async () => {
    const port = await freePort();
    const bff = startBff({ PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn' });
    try {
      await waitForOk(`http://127.0.0.1:${port}/healthz`);
      expect(await (await fetch(`http://127.0.0.1:${port}/auth/session`)).json()).toMatchObject({ authenticated: false });
    } finally {
      bff.child.kill('SIGTERM');
    }
    const [code] = await once(bff.child, 'exit');
    expect(code).toBe(0);
  });
});
