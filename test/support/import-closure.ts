// The modules a set of entry points can load: every relative `import`/`export ... from`, dynamic
// `import('...')` and `new URL('./x.js', import.meta.url)` (worker files, a default supervisor),
// followed from file to file; and the bare specifiers (packages) met on the way. Reads compiled
// JS (tsc's output and esbuild's chunks), where type-only imports are gone already.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

export interface Closure {
  /** absolute paths of every module reached, entry points included */
  files: Set<string>;
  /** package names imported (`smol-toml`, `@scope/name`), node: builtins left out */
  packages: Set<string>;
  /** relative imports that name no file: `FILE -> SPECIFIER` */
  missing: string[];
}

/** `import … from 'x'`, `export … from 'x'`, `import 'x'` at a line's start; `import('x')` anywhere */
const STATIC_OR_DYNAMIC = /^[ \t]*(?:(?:import|export)\s[^'";]*?\bfrom\s*|import\s*)(['"])([^'"\n]+)\1|\bimport\(\s*(['"])([^'"\n]+)\3\s*\)/gm;
const URL_REFERENCE = /new URL\(\s*(['"])(\.[^'"]+\.m?js)\1\s*,\s*import\.meta\.url\s*\)/g;
/** a file's reach is bounded: no real package has this many modules */
const MAX_FILES = 10_000;

export function importClosure(entries: readonly string[]): Closure {
  const files = new Set<string>();
  const packages = new Set<string>();
  const missing: string[] = [];
  const queue = entries.map((entry) => resolve(entry));
  while (queue.length > 0 && files.size < MAX_FILES) {
    const file = queue.pop()!;
    if (files.has(file)) continue;
    files.add(file);
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(STATIC_OR_DYNAMIC)) {
      const specifier = match[2] ?? match[4];
      if (specifier!.startsWith('.')) {
        const target = resolve(dirname(file), specifier!);
        if (existsSync(target)) queue.push(target);
        else missing.push(`${file} -> ${specifier}`);
      } else if (!specifier!.startsWith('node:')) {
        const parts = specifier!.split('/');
        packages.add(specifier!.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!);
      }
    }
    // a URL that names no built file is a path for running from the sources (vitest): not ours
    for (const [, , specifier] of text.matchAll(URL_REFERENCE)) {
      const target = resolve(dirname(file), specifier!);
      if (existsSync(target)) queue.push(target);
    }
  }
  return { files, packages, missing };
}
