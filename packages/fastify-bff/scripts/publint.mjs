// Lints @bff/fastify-bff as it is published: builds it (and @bff/shared, which it
// imports), packs it with `pnpm pack` (which applies publishConfig and turns the
// workspace: ranges into versions, as `pnpm publish` does), and runs publint on
// that tarball at its strictest level. Exits 1 on any publint message.
// Run by this package's `lint` script.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const pnpm = (...args) =>
  execFileSync('pnpm', args, { cwd: packageDir, stdio: ['ignore', 'ignore', 'inherit'], shell: process.platform === 'win32' });
const out = mkdtempSync(join(tmpdir(), 'fastify-bff-publint-'));

try {
  pnpm('--filter', '@bff/fastify-bff...', 'run', 'build');
  pnpm('pack', '--pack-destination', out);
  const [tarball] = readdirSync(out);
  const bytes = readFileSync(join(out, tarball));
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  const { messages, pkg } = await publint({ pack: { tarball: buffer }, level: 'suggestion', strict: true });
  for (const message of messages) console.log(`${message.type}: ${formatMessage(message, pkg)}`);
  console.log(messages.length === 0 ? `publint: ${tarball} (as published): all good` : `publint: ${messages.length} message(s)`);
  process.exitCode = messages.length === 0 ? 0 : 1;
} finally {
  rmSync(out, { recursive: true, force: true });
}
