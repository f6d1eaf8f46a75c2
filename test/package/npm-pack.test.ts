// What `npm pack` puts in the tarball (package.json's "files"): what runs and nothing else.
// Read with `npm pack --dry-run --json --ignore-scripts` from the built tree (prepack's build is
// `npm test`'s first step already). The bins and the man pages ship; contrib/ and the docs ship;
// no test, fixture, source map, TypeScript source or bench ships; the JavaScript that ships is
// exactly what the bins can load (so a new import of an excluded module fails here, not on a
// user's machine); and every package that code imports is a runtime dependency, and the other
// way round.
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { importClosure } from '../support/import-closure.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
  bin: Record<string, string>;
  man: string[];
  dependencies: Record<string, string>;
};
const strip = (path: string): string => path.replace(/^\.\//, '');

interface PackEntry {
  path: string;
  size: number;
}
let files: string[] = [];
let packed: { size: number; entryCount: number; files: PackEntry[] };

beforeAll(() => {
  const result = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
  expect(result.status, result.stderr).toBe(0);
  packed = (JSON.parse(result.stdout) as Array<typeof packed>)[0]!;
  files = packed.files.map((f) => f.path).sort();
});

describe('npm pack', () => {
  it('ships both bins and the three man pages', () => {
    for (const bin of Object.values(pkg.bin)) expect(files).toContain(strip(bin));
    expect(pkg.man.map(strip).sort()).toEqual(['man/autossh-lab.1', 'man/autossh-ts.1', 'man/autossh-ts.toml.5']);
    for (const page of pkg.man) expect(files).toContain(strip(page));
    expect(files).toContain('README.md');
    expect(files).toContain('docs/daemon-config.md');
  });

  it('ships every file of contrib/ (units, examples, logrotate, prometheus)', () => {
    const tracked = execFileSync('git', ['ls-files', 'contrib'], { cwd: ROOT, encoding: 'utf8' }).split('\n').filter(Boolean);
    for (const file of tracked) expect(files).toContain(file);
  });

  it('ships no test, fixture, source map, TypeScript source, bench or lab scratch', () => {
    const unwanted = files.filter((path) =>
      /^(test|bench|scripts|src|lab|sim|scratch|\.ci)\//.test(path) ||
      /^dist\/(test|bench)\//.test(path) ||
      /(^|\/)fixtures?\//.test(path) ||
      /\.(map|ts|tsbuildinfo|png)$/.test(path) ||
      /(^|\/)(tsconfig[^/]*\.json|vitest\.config\.[jt]s|package-lock\.json)$/.test(path));
    expect(unwanted).toEqual([]);
  });

  it('the JavaScript it ships is exactly what the bins can load, and all of that ships', () => {
    const entries = Object.values(pkg.bin).map((bin) => join(ROOT, bin));
    const closure = importClosure(entries);
    expect(closure.missing).toEqual([]);
    const reachable = [...closure.files].map((file) => relative(ROOT, file)).sort();
    expect(files.filter((path) => /\.m?js$/.test(path))).toEqual(reachable);
  });

  it('every package that code imports is a runtime dependency, and every runtime dependency is imported', () => {
    const closure = importClosure(Object.values(pkg.bin).map((bin) => join(ROOT, bin)));
    const imported = [...closure.packages].filter((name) => !builtinModules.includes(name)).sort();
    expect(imported).toEqual(Object.keys(pkg.dependencies).sort());
  });

  it('is small: a few hundred files, well under a megabyte', () => {
    expect(packed.entryCount).toBe(files.length);
    expect(packed.entryCount).toBeLessThan(400);
    expect(packed.size).toBeLessThan(1024 * 1024);
  });
});
