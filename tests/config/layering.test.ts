/** src/config describes and validates; it imports no feature folder (STYLE.md habit 15), so the features can import it. */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../src/lab/paths.js';

const CONFIG = join(repoRoot, 'src', 'config');
/** Packages config may use: parsing and validating, nothing that runs a feature. */
const PACKAGES = new Set(['zod', 'yaml', 'node-cron']);

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? tsFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

/** Every module specifier in `import`/`export ... from` and dynamic `import()` of a file. */
function specifiers(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^'";]*?from\s*['"]([^'"]+)['"]|(?:^|\n)\s*import\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)]
    .map((m) => m[1] ?? m[2] ?? m[3]!);
}

describe('src/config imports', () => {
  it('stay inside src/config, or name node built-ins and parsing packages only', () => {
    const outside: string[] = [];
    for (const file of tsFiles(CONFIG)) {
      for (const spec of specifiers(file)) {
        const where = relative(repoRoot, file);
        if (spec.startsWith('.')) {
          if (relative(CONFIG, resolve(dirname(file), spec)).startsWith('..')) outside.push(`${where} -> ${spec}`);
        } else if (!spec.startsWith('node:') && !PACKAGES.has(spec)) outside.push(`${where} -> ${spec}`);
      }
    }
    expect(outside).toEqual([]);
  });

  it('are found by this scan (a scan that saw nothing would prove nothing)', () => {
    expect(specifiers(join(CONFIG, 'loader.ts'))).toContain('./yaml-source.js');
    expect(specifiers(join(CONFIG, 'sections', 'reports.ts'))).toEqual(['node-cron', 'zod', '../lang.js']);
  });
});
