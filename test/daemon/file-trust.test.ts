// Who may change the daemon's file and the programs it runs: real files, modes, owners and links
// under a fresh directory in /tmp (tests run as root: "another user" is nobody, uid 65534, by chown).
import { chmodSync, chownSync, lchownSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_SYMLINKS, trustProblem } from '../../src/daemon/config/file-trust.js';
import { loadTrustedDaemonConfig } from '../../src/daemon/config/load.js';
import { ConfigFileError } from '../../src/daemon/config/types.js';

const NOBODY = 65534;
const ROOT = { euid: 0 };
let base: string;

beforeAll(() => {
  expect(process.geteuid!(), 'these tests chown, so they run as root').toBe(0);
  base = mkdtempSync(join(tmpdir(), `autossh-ts-trust-${process.pid}-`));
});
afterAll(() => rmSync(base, { recursive: true, force: true }));

let count = 0;
/** a fresh directory under base with `mode`, and a file in it with `fileMode` */
function place(fileMode = 0o644, dirMode = 0o755): { dir: string; file: string } {
  const dir = join(base, `d${++count}`);
  mkdirSync(dir);
  chmodSync(dir, dirMode);
  const file = join(dir, 'tunnels.toml');
  writeFileSync(file, '[[tunnel]]\nname = "db"\nargs = "-M 0 h"\n');
  chmodSync(file, fileMode);
  return { dir, file };
}

describe('the file itself', () => {
  it('is trusted when root or the daemon\'s user owns it and only they may write it (0644, 0600, 0444)', () => {
    for (const mode of [0o644, 0o600, 0o444, 0o755]) expect(trustProblem(place(mode).file, ROOT), mode.toString(8)).toBeNull();
  });

  it.each([
    ['0666', 'bad permissions: mode 0666 is writable by others (group/other write)'],
    ['0664', 'bad permissions: mode 0664 is writable by others (group write)'],
    ['0646', 'bad permissions: mode 0646 is writable by others (other write)'],
    ['0777', 'bad permissions: mode 0777 is writable by others (group/other write)'],
  ])('is refused when others may write it: mode %s', (mode, problem) => {
    expect(trustProblem(place(Number.parseInt(mode, 8)).file, ROOT)).toBe(problem);
  });

  it('is refused when another user owns it, even at 0600 (they may chmod it)', () => {
    const { file } = place(0o600);
    chownSync(file, NOBODY, NOBODY);
    expect(trustProblem(file, ROOT)).toBe(`bad owner: owned by uid ${NOBODY}, not by root or the daemon's user (uid 0)`);
  });

  it('trusts the daemon\'s own user besides root: a file of uid 65534 for a daemon running as 65534', () => {
    const { file } = place(0o600);
    chownSync(file, NOBODY, NOBODY);
    expect(trustProblem(file, { euid: NOBODY })).toBeNull();
    // root's file too, for that daemon (root can change anything anyway)
    expect(trustProblem(place(0o644).file, { euid: NOBODY })).toBeNull();
  });
});

describe('the directories on its path', () => {
  it('refuses a world-writable directory without the sticky bit, naming it and its mode', () => {
    const { dir, file } = place(0o644, 0o777);
    expect(trustProblem(file, ROOT)).toBe(`bad permissions: directory ${dir} on its path has mode 0777, writable by others (group/other write) and not sticky, so they could replace what is in it`);
  });

  it('refuses a group-writable directory', () => {
    const { dir, file } = place(0o644, 0o775);
    expect(trustProblem(file, ROOT)).toMatch(new RegExp(`^bad permissions: directory ${dir} on its path has mode 0775, writable by others \\(group write\\)`));
  });

  it('accepts a sticky world-writable directory of root\'s (as /tmp): others cannot rename or delete our file there', () => {
    expect(trustProblem(place(0o644, 0o1777).file, ROOT)).toBeNull();
  });

  it('refuses a directory another user owns, sticky or not, even 0755', () => {
    for (const mode of [0o755, 0o1777]) {
      const { dir, file } = place(0o644, mode);
      chownSync(dir, NOBODY, NOBODY);
      expect(trustProblem(file, ROOT)).toBe(`bad owner: directory ${dir} on its path is owned by uid ${NOBODY}, not by root or the daemon's user (uid 0), who could replace what is in it`);
    }
  });

  it('checks every directory up to /, not only the file\'s own', () => {
    const { dir } = place(0o644, 0o777);
    const inner = join(dir, 'inner');
    mkdirSync(inner, { mode: 0o755 });
    const file = join(inner, 'tunnels.toml');
    writeFileSync(file, 'x', { mode: 0o644 });
    expect(trustProblem(file, ROOT)).toMatch(new RegExp(`^bad permissions: directory ${dir} on its path has mode 0777`));
  });
});

describe('symbolic links', () => {
  it('follows a link to a file others may write, and names that file', () => {
    const good = place();
    const bad = place(0o666);
    const link = join(good.dir, 'link.toml');
    symlinkSync(bad.file, link);
    expect(trustProblem(link, ROOT)).toBe(`bad permissions: ${bad.file}, which it links to, has mode 0666, writable by others (group/other write)`);
  });

  it('checks the directories of the link\'s target, relative links included', () => {
    const good = place();
    const exposed = place(0o644, 0o777);
    const link = join(good.dir, 'link.toml');
    symlinkSync(`../d${count}/tunnels.toml`, link);
    expect(trustProblem(link, ROOT)).toMatch(new RegExp(`^bad permissions: directory ${exposed.dir} on its path has mode 0777`));
    const fine = place();
    const link2 = join(good.dir, 'link2.toml');
    symlinkSync(`../d${count}/./tunnels.toml`, link2);
    expect(trustProblem(link2, ROOT)).toBeNull();
  });

  it('walks ".." after a link as the kernel does (from the target), not by the text of the path', () => {
    // good/sub -> bad/sub: good/sub/../tunnels.toml is bad/tunnels.toml (0666), though good/tunnels.toml is fine
    const good = place(0o644);
    const bad = place(0o666);
    mkdirSync(join(bad.dir, 'sub'), { mode: 0o755 });
    symlinkSync(join(bad.dir, 'sub'), join(good.dir, 'sub'));
    expect(trustProblem(`${good.dir}/sub/../tunnels.toml`, ROOT)) // (path.join would take sub/.. away)
      .toBe(`bad permissions: ${bad.file}, which it links to, has mode 0666, writable by others (group/other write)`);
    expect(trustProblem(join(good.dir, 'tunnels.toml'), ROOT)).toBeNull();
  });

  it('refuses a link another user owns in a sticky directory (its owner may replace it)', () => {
    const sticky = place(0o644, 0o1777);
    const link = join(sticky.dir, 'link.toml');
    symlinkSync(sticky.file, link);
    lchownSync(link, NOBODY, NOBODY);
    expect(trustProblem(link, ROOT)).toBe(`bad owner: symbolic link ${link} on its path is owned by uid ${NOBODY}, not by root or the daemon's user (uid 0)`);
  });

  it(`gives up on a loop after ${MAX_SYMLINKS} links`, () => {
    const { dir } = place();
    symlinkSync(join(dir, 'b'), join(dir, 'a'));
    symlinkSync(join(dir, 'a'), join(dir, 'b'));
    expect(trustProblem(join(dir, 'a'), ROOT)).toBe(`cannot check its permissions: more than ${MAX_SYMLINKS} symbolic links on its path (a loop?)`);
  });
});

describe('a path that is not there', () => {
  it('is a problem for a file to read, and none for a program to run once its directories are trusted', () => {
    const { dir } = place();
    const missing = join(dir, 'nope', 'ssh');
    expect(trustProblem(missing, ROOT)).toBe(`cannot check its permissions: ${join(dir, 'nope')}: no such file or directory`);
    expect(trustProblem(missing, { euid: 0, missingOk: true })).toBeNull();
  });

  it('is refused where others could create it', () => {
    const { dir } = place(0o644, 0o777);
    expect(trustProblem(join(dir, 'ssh'), { euid: 0, missingOk: true })).toMatch(/^bad permissions: directory .* has mode 0777/);
  });
});

describe('the daemon\'s load (loadTrustedDaemonConfig)', () => {
  const errorOf = (path: string): string => {
    try {
      loadTrustedDaemonConfig(path, 0);
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigFileError);
      return (error as Error).message;
    }
    throw new Error('it loaded');
  };

  it('refuses the file others may write, naming it and its mode, as ssh would', () => {
    const { file } = place(0o666);
    expect(errorOf(file)).toBe(`${file}: bad permissions: mode 0666 is writable by others (group/other write): refusing it, as ssh refuses keys others can write`);
  });

  it('refuses an AUTOSSH_PATH others may write, at the line that sets it (the tunnel\'s env, else [defaults])', () => {
    const { dir, file } = place();
    const ssh = join(dir, 'ssh');
    writeFileSync(ssh, '#!/bin/sh\nexec sleep 600\n');
    chmodSync(ssh, 0o777);
    writeFileSync(file, ['[[tunnel]]', 'name = "db"', 'args = "-M 0 h"', `env = { AUTOSSH_POLL = "60", AUTOSSH_PATH = "${ssh}" }`, ''].join('\n'));
    expect(errorOf(file)).toBe(`${file}:4: tunnel "db": AUTOSSH_PATH "${ssh}": bad permissions: mode 0777 is writable by others (group/other write): refusing to run it, as ssh refuses keys others can write`);
    writeFileSync(file, ['[defaults]', `env = { AUTOSSH_PATH = "${ssh}" }`, '[[tunnel]]', 'name = "db"', 'args = "-M 0 h"', ''].join('\n'));
    expect(errorOf(file)).toMatch(new RegExp(`^${file}:2: tunnel "db": AUTOSSH_PATH "${ssh}": bad permissions: mode 0777`));
    chmodSync(ssh, 0o755);
    expect(loadTrustedDaemonConfig(file, 0).tunnels[0]!.env.AUTOSSH_PATH).toBe(ssh);
  });

  it('refuses an AUTOSSH_PATH in a directory others may write', () => {
    const { file } = place();
    const exposed = place(0o644, 0o777);
    const ssh = join(exposed.dir, 'ssh');
    writeFileSync(ssh, '#!/bin/sh\n', { mode: 0o755 });
    writeFileSync(file, ['[[tunnel]]', 'name = "db"', 'args = "-M 0 h"', `env = { AUTOSSH_PATH = "${ssh}" }`, ''].join('\n'));
    expect(errorOf(file)).toMatch(new RegExp(`^${file}:4: tunnel "db": AUTOSSH_PATH "${ssh}": bad permissions: directory ${exposed.dir} on its path has mode 0777`));
  });

  it('loads a file of 0644 in a directory of 0700 under /tmp, as the tests\' own files are', () => {
    const dir = mkdtempSync(join(base, 'mk-'));
    const file = join(dir, 'tunnels.toml');
    writeFileSync(file, ['[[tunnel]]', 'name = "db"', 'args = "-M 0 h"', 'env = { AUTOSSH_PATH = "/usr/bin/ssh" }', ''].join('\n'));
    expect(loadTrustedDaemonConfig(file, 0).tunnels).toHaveLength(1);
  });
});
