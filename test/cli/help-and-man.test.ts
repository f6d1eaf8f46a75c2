// `autossh-ts --help` and the man pages must not contradict each other, nor the code:
// - D14: --help prints the help on stdout and exits 0, where the real 1.4g calls it an invalid
//   option and exits 1 (run beside it);
// - the AUTOSSH_* variables: what src/machine/config/env.ts reads, the help's table, what --help
//   prints and autossh-ts(1)'s ENVIRONMENT are one list;
// - the divergences D1..D14 and the long options are the same in --help, the man page and README;
// - every man page passes `mandoc -T lint` with no warning or error.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ENVIRONMENT_VARIABLES, usageText } from '../../src/cli/help.js';
import { cleanEnv } from '../support/supervisor-process.js';

const root = (path: string): string => fileURLToPath(new URL(`../../${path}`, import.meta.url));
const BIN = root('dist/autossh-ts.mjs');
const AUTOSSH_1_4G = '/usr/lib/autossh/autossh';
const MAN_PAGES = ['man/autossh-ts.1', 'man/autossh-ts.toml.5', 'man/autossh-lab.1'];
const manPage = readFileSync(root('man/autossh-ts.1'), 'utf8');

function run(command: string, args: string[]): { code: number | null; stdout: string; stderr: string } {
  const result = spawnSync(command, args, { env: cleanEnv(), encoding: 'utf8', timeout: 10_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** the lines of one `.Sh NAME` section of an mdoc page */
function section(page: string, name: string): string {
  const start = page.indexOf(`\n.Sh ${name}\n`);
  expect(start, `section ${name}`).toBeGreaterThan(-1);
  const end = page.indexOf('\n.Sh ', start + 1);
  return page.slice(start, end < 0 ? undefined : end);
}

const sorted = (names: Iterable<string>): string[] => [...new Set(names)].sort();

describe('D14: --help', () => {
  it('1.4g calls --help an invalid option and exits 1; autossh-ts prints the help on stdout and exits 0', () => {
    const theirs = run(AUTOSSH_1_4G, ['--help']);
    expect(theirs.code).toBe(1);
    expect(theirs.stderr).toMatch(/invalid option -- '-'/);
    expect(run(process.execPath, [BIN, '--help'])).toEqual({ code: 0, stdout: usageText('autossh-ts'), stderr: '' });
  });

  it('-V and a usage error are as they were', () => {
    expect(run(process.execPath, [BIN, '-V'])).toMatchObject({ code: 0, stdout: 'autossh-ts 1.4g (autossh-ts 0.1.0)\n' });
    const usage = run(process.execPath, [BIN, '-M', '0', '--help', 'host']);
    expect(usage.code).toBe(1);
    expect(usage.stdout).toBe('');
    expect(usage.stderr).toContain(usageText('autossh-ts'));
  });
});

describe('one list of AUTOSSH_* variables', () => {
  const table = sorted(ENVIRONMENT_VARIABLES.map((v) => v.name));

  it('the help\'s table is what the configuration code reads', () => {
    const source = readFileSync(root('src/machine/config/env.ts'), 'utf8');
    expect(sorted([...source.matchAll(/\benv\.(AUTOSSH_[A-Z_]+)/g)].map((m) => m[1]!))).toEqual(table);
  });

  it('--help prints every one of them', () => {
    const help = run(process.execPath, [BIN, '--help']).stdout;
    expect(sorted([...help.matchAll(/^ {4}(AUTOSSH_[A-Z_]+) +- /gm)].map((m) => m[1]!))).toEqual(table);
  });

  it('autossh-ts(1) describes every one of them in ENVIRONMENT', () => {
    const environment = section(manPage, 'ENVIRONMENT');
    expect(sorted([...environment.matchAll(/^\.It Ev (AUTOSSH_[A-Z_]+)$/gm)].map((m) => m[1]!))).toEqual(table);
  });
});

describe('the same divergences and options everywhere', () => {
  const numbers = (text: string, pattern: RegExp): string[] => [...text.matchAll(pattern)].map((m) => m[1]!);

  it('D1..D14 in --help, autossh-ts(1) and the README\'s table', () => {
    const all = Array.from({ length: 14 }, (_, i) => `D${i + 1}`);
    expect(numbers(usageText('autossh-ts'), /^ {4}(D\d+) /gm)).toEqual(all);
    expect(numbers(section(manPage, 'DIVERGENCES FROM AUTOSSH 1.4G'), /^\.It (?:\\&)?(D\d+)$/gm)).toEqual(all);
    expect(numbers(readFileSync(root('README.md'), 'utf8'), /^\| (D\d+) \|/gm)).toEqual(all);
  });

  it('the long options --help shows are those of the man page\'s synopsis', () => {
    const inHelp = sorted(numbers(usageText('autossh-ts'), /^ {7}autossh-ts (--[a-z-]+)/gm));
    const inMan = sorted(numbers(section(manPage, 'SYNOPSIS'), /^\.Fl \\-([a-z\\-]+)/gm).map((o) => `--${o.replace(/\\-/g, '-')}`));
    expect(inHelp).toEqual(['--check-config', '--config', '--help']);
    expect(inMan).toEqual(inHelp);
  });
});

describe('mandoc -T lint', () => {
  it.each(MAN_PAGES)('%s: no warning, no error', (page) => {
    // -W warning: what is wrong; the style notes left are the pages' references to each other and
    // to sd-daemon(3), which are not installed where the lint runs
    const lint = spawnSync('mandoc', ['-T', 'lint', '-W', 'warning', root(page)], { encoding: 'utf8', timeout: 10_000 });
    expect(lint.error).toBeUndefined();
    expect(lint.stdout.split('\n').filter((line) => line.includes(page))).toEqual([]);
    expect(lint.status).toBe(0);
  });
});
