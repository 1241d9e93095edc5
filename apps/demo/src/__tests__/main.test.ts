import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { freePort } from '@bff/fastify-bff/testing';

const main = fileURLToPath(new URL('../main.ts', import.meta.url));

describe('apps/demo (pnpm start)', () => {
  it('runs the dev IdP, the demo API and the BFF on the ports it is given, prints the URL and the demo users, and stops on SIGTERM', async () => {
    const [port, idpPort, apiPort] = [await freePort(), await freePort(), await freePort()];
    const demo = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', main], {
      env: { PATH: process.env.PATH ?? '', PORT: String(port), IDP_PORT: String(idpPort), API_PORT: String(apiPort), LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      let printed = '';
      for await (const chunk of demo.stdout) {
        printed += String(chunk);
        if (printed.includes('demo API')) break;
      }
      expect(printed).toContain(`http://localhost:${port}`);
      expect(printed).toContain('alice / alice-password');
      expect(printed).toContain('bob / bob-password');

      expect(await (await fetch(`http://localhost:${port}/auth/session`)).json()).toMatchObject({ authenticated: false });
      const login = await fetch(`http://localhost:${port}/auth/login?returnTo=/`, { redirect: 'manual' });
      expect(login.status).toBe(302);
      expect(login.headers.get('location')).toMatch(new RegExp(`^http://localhost:${idpPort}/`));
      expect((await fetch(`http://localhost:${apiPort}/healthz`)).ok).toBe(true);
    } finally {
      demo.kill('SIGTERM');
    }
    const [code] = await once(demo, 'exit');
    expect(code).toBe(0);
  });
});
