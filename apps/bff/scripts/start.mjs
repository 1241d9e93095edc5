// `pnpm start:bff`: the BFF from env, as production runs it: the compiled
// JavaScript of `pnpm build`, not a TypeScript loader. Builds first when the
// output (or the SPA it serves) is missing.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const here = (path) => fileURLToPath(new URL(path, import.meta.url));
const needed = [
  here('../dist/main.js'),
  here('../../../packages/server/dist/index.js'),
  here('../../../packages/fastify-bff/dist/index.js'),
  here('../../web/dist/index.html'),
];
if (needed.some((file) => !existsSync(file))) {
  // npm_execpath is the pnpm that runs this script (pnpm itself may not be on PATH)
  const pnpm = process.env.npm_execpath;
  const [command, args] = pnpm?.endsWith('.js') || pnpm?.endsWith('.cjs') ? [process.execPath, [pnpm]] : [pnpm ?? 'pnpm', []];
  const built = spawnSync(command, [...args, '--filter', '@bff/bff...', '--filter', '@bff/web', 'run', 'build'], {
    stdio: 'inherit',
    cwd: here('../../..'),
  });
  if (built.status !== 0) process.exit(built.status ?? 1);
}
await import('../dist/main.js');
