import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const src = fileURLToPath(new URL('../src/', import.meta.url));

/** Every module a source file reaches through static imports: relative files followed, packages collected. */
function importGraph(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    const text = readFileSync(file, 'utf8');
    // Static imports and re-exports only (`import type` is erased and bundles nothing).
    for (const m of text.matchAll(/^(?:import|export)\s+(?!type\b)[^'"]*?from\s+'([^']+)'/gm)) {
      const spec = m[1] ?? '';
      if (spec.startsWith('.')) visit(resolve(dirname(file), spec.replace(/\.js$/, '.ts')));
      else packages.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : (spec.split('/')[0] ?? spec));
    }
  };
  visit(resolve(src, entry));
  return { files, packages };
}

describe('the Lambda entry points', () => {
  it.each([
    'lambda/handler.ts',
    'lambda/trackHandler.ts',
    'lambda/stepHandler.ts',
    'lambda/startHandler.ts',
    'lambda/complianceHandler.ts',
  ])('%s imports nothing the CLI or the sandbox needs', (entry) => {
    const { files, packages } = importGraph(entry);
    for (const cliOnly of ['commander', 'cli-progress', 'cli-table3', 'picocolors', '@orgpatch/sandbox']) {
      expect(packages, cliOnly).not.toContain(cliOnly);
    }
    expect([...files].some((f) => f.includes('/cli/'))).toBe(false);
    expect(packages).toContain('@aws-lambda-powertools/logger');
  });
});
