import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Builds the SPA once before the suites: the BFF serves apps/web/dist. */
export default function globalSetup(): void {
  const web = fileURLToPath(new URL('../../apps/web/', import.meta.url));
  const vite = fileURLToPath(new URL('../../apps/web/node_modules/vite/bin/vite.js', import.meta.url));
  execFileSync(process.execPath, [vite, 'build', '--logLevel', 'warn'], { cwd: web, stdio: 'inherit' });
}
