// The product (src/) is what runs on a server: it must never load the lab (lab/, sim/, test/).
// Walks every relative import reachable from the drop-in's entry point and from every src/ file.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const REPO_ROOT = resolve(__dirname, '../..');
const SRC = join(REPO_ROOT, 'src');

function tsFilesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? tsFilesUnder(path) : path.endsWith('.ts') ? [path] : [];
  });
}

function relativeImports(file: string): string[] {
  const source = readFileSync(file, 'utf8');
  const specifiers = [...source.matchAll(/(?:from\s+|import\s*\(\s*|import\s+)['"](\.{1,2}\/[^'"]+)['"]/g)];
  return specifiers.map((m) => resolve(dirname(file), m[1]!.replace(/\.js$/, '.ts')));
}

describe('layout', () => {
  it('src/ imports nothing from lab/, sim/ or test/', () => {
    const offending: string[] = [];
    for (const file of tsFilesUnder(SRC)) {
      for (const target of relativeImports(file)) {
        const where = relative(REPO_ROOT, target);
        if (!where.startsWith('src/')) offending.push(`${relative(REPO_ROOT, file)} -> ${where}`);
      }
    }
    expect(offending).toEqual([]);
  });

  it('sees the imports it checks (the walk is not vacuous)', () => {
    const imports = relativeImports(join(SRC, 'cli/autossh.ts')).map((t) => relative(REPO_ROOT, t));
    expect(imports).toContain('src/driver/supervisor.ts');
  });
});
