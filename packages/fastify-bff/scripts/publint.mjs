// Lints @bff/fastify-bff as it would be published: builds its dist/ into a
// temporary copy of the package (the package directory itself is never
// written), applies what `pnpm publish` applies (publishConfig, workspace:
// versions), and runs publint on that copy at its strictest level.
// Exits 1 on any publint message. Run by this package's `lint` script.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const tsc = join(packageDir, 'node_modules/.bin/tsc');
const copy = mkdtempSync(join(tmpdir(), 'fastify-bff-publint-'));

try {
  // the build documented in packages/fastify-bff/README.md ("Publishing"), with the output sent to the copy
  execFileSync(tsc, ['-p', join(packageDir, 'tsconfig.json'), '--noEmit', 'false', '--declaration', '--outDir', join(copy, 'dist')], { stdio: 'inherit' });
  copyFileSync(join(packageDir, 'README.md'), join(copy, 'README.md'));

  const pkg = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8'));
  // what pnpm publish does: workspace:* becomes the workspace package's version
  for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies']) {
    for (const [name, range] of Object.entries(pkg[field] ?? {})) {
      if (!String(range).startsWith('workspace:')) continue;
      const dependency = JSON.parse(readFileSync(join(packageDir, 'node_modules', name, 'package.json'), 'utf8'));
      pkg[field][name] = dependency.version;
    }
  }
  delete pkg.devDependencies;
  writeFileSync(join(copy, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);

  const { messages, pkg: linted } = await publint({ pkgDir: copy, level: 'suggestion', strict: true, pack: 'npm' });
  for (const message of messages) console.log(`${message.type}: ${formatMessage(message, linted)}`);
  console.log(messages.length === 0 ? `publint: ${pkg.name} as published: all good` : `publint: ${messages.length} message(s)`);
  process.exitCode = messages.length === 0 ? 0 : 1;
} finally {
  rmSync(copy, { recursive: true, force: true });
}
