import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const src = fileURLToPath(new URL('../', import.meta.url));

/**
 * The packages an entry loads at run time, following its relative imports.
 * `import type` is left out: it is gone once compiled.
 */
function packagesLoadedBy(entry: string): string[] {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    const text = readFileSync(file, 'utf8');
    for (const [, typeOnly, specifier = ''] of text.matchAll(/^(?:import|export)\s+(type\s+)?(?:[^;]*?\bfrom\s+)?'([^']+)'/gm)) {
      if (typeOnly !== undefined) continue;
      if (specifier.startsWith('.')) visit(resolve(dirname(file), specifier.replace(/\.js$/, '.ts')));
      else packages.add(specifier);
    }
  };
  visit(resolve(src, entry));
  return [...packages].sort();
}

describe('package entries', () => {
  it('@bff/shared loads no package, so the BFF never loads React', () => {
    expect(packagesLoadedBy('index.ts')).toEqual([]);
  });

  it('@bff/shared/client loads no package: no React, no zod on the SPA startup path', () => {
    expect(packagesLoadedBy('client/index.ts')).toEqual([]);
  });

  it('@bff/shared/react loads only its peer dependencies', () => {
    expect(packagesLoadedBy('react/index.ts')).toEqual(['@tanstack/react-query', 'react']);
  });

  it('@bff/shared/schemas is where zod is', () => {
    expect(packagesLoadedBy('schemas.ts')).toEqual(['zod/mini']);
  });
});
