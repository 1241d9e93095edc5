/** The SPA's initial JavaScript, gzipped: every script and modulepreload that index.html loads. */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const web = fileURLToPath(new URL('../../apps/web/', import.meta.url));
if (!existsSync(`${web}dist/index.html`)) {
  execFileSync(process.execPath, [`${web}node_modules/vite/bin/vite.js`, 'build', '--logLevel', 'warn'], { cwd: web, stdio: 'inherit' });
}
const html = readFileSync(`${web}dist/index.html`, 'utf8');
const scripts = [...html.matchAll(/<(?:script[^>]+src|link[^>]+rel="modulepreload"[^>]+href)="([^"]+\.js)"/g)].map((m) => m[1]!);
let raw = 0;
let gzipped = 0;
for (const src of scripts) {
  const body = readFileSync(`${web}dist${src}`);
  raw += body.length;
  gzipped += gzipSync(body, { level: 9 }).length;
}
console.log(
  `\nSPA initial JS: ${scripts.length} file(s), ${(raw / 1024).toFixed(1)} KiB raw, ${(gzipped / 1024).toFixed(1)} KiB gzipped (target <= 90 KB)`,
);
