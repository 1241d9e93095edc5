import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const readme = readFileSync(new URL('../../../packages/fastify-bff/README.md', import.meta.url), 'utf8');
const snippets = readFileSync(new URL('./readmeSnippets.test-d.ts', import.meta.url), 'utf8');

/** Lines without their indentation, blank lines dropped: blocks compare by content. */
const normalise = (code: string) =>
  code
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .join('\n');

describe("packages/fastify-bff/README.md's code", () => {
  it('shows only TypeScript that readmeSnippets.test-d.ts compiles', () => {
    const shown = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => normalise(match[1]!));
    const compiled = new Set(
      [...snippets.matchAll(/\/\/ ---- README block starts\n([\s\S]*?)\s*\/\/ ---- README block ends/g)].map((match) =>
        normalise(match[1]!),
      ),
    );
    expect(shown.length).toBeGreaterThan(0);
    for (const block of shown) expect(compiled, `README block not compiled anywhere:\n${block}`).toContain(block);
  });
});
