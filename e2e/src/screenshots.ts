import { fileURLToPath } from 'node:url';

const directory = fileURLToPath(new URL('../screenshots/', import.meta.url));

/** Where the suites keep their screenshots of each state: `e2e/screenshots/<name>.png`. */
export function screenshotPath(name: string): string {
  return `${directory}${name}.png`;
}
