// The tarball installed as a user installs it, `npm install -g`, into a temporary prefix: both
// bins on that prefix's PATH and working from there (the drop-in runs a tunnel, --check-config
// loads the daemon and prom-client, the lab loads the simulator), the native unix-dgram built,
// and `man -w` finding every page under the prefix's MANPATH.
// The dependencies come from npm's cache (`npm ci` filled it) when it has them, else from the
// registry (--prefer-offline), within INSTALL_TIMEOUT_MS.
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeSsh } from '../support/daemon-config.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string };
const INSTALL_TIMEOUT_MS = 50_000;
const dir = mkdtempSync(join(tmpdir(), `autossh-ts-npm-install-${process.pid}-`));
const prefix = join(dir, 'prefix');
const installed = join(prefix, 'lib', 'node_modules', pkg.name);

/** as setup.sh: node-gyp finds node's headers here rather than downloading them */
function npmEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, npm_config_update_notifier: 'false' };
  if (existsSync('/usr/include/node/common.gypi')) env.npm_config_nodedir ??= '/usr';
  return env;
}

function inPrefix(command: string, args: string[], extra: NodeJS.ProcessEnv = {}): SpawnSyncReturns<string> {
  return spawnSync(command, args, {
    cwd: dir,
    encoding: 'utf8',
    timeout: 15_000,
    env: { PATH: `${join(prefix, 'bin')}:${process.env.PATH ?? '/usr/bin:/bin'}`, HOME: dir, LANG: 'C', ...extra },
  });
}

beforeAll(() => {
  const pack = spawnSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
  expect(pack.status, pack.stderr).toBe(0);
  const tarball = join(dir, (JSON.parse(pack.stdout) as Array<{ filename: string }>)[0]!.filename);
  expect(tarball.endsWith(`${pkg.name}-${pkg.version}.tgz`)).toBe(true);
  const install = spawnSync('npm', ['install', '-g', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', tarball], {
    cwd: dir, encoding: 'utf8', timeout: INSTALL_TIMEOUT_MS, env: npmEnv(),
  });
  expect(install.error, `npm install took over ${INSTALL_TIMEOUT_MS} ms`).toBeUndefined();
  expect(install.status, install.stderr).toBe(0);
}, 90_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('npm install -g of the tarball', () => {
  it('puts autossh-ts on PATH, and it runs a tunnel from there', () => {
    expect(inPrefix('autossh-ts', ['-V'])).toMatchObject({ status: 0, stdout: `autossh-ts 1.4g (autossh-ts ${pkg.version})\n` });
    // the run chunk (the machine, the driver, the adapters) from the installed bundle: an ssh that
    // exits 0 ends the run with 0, as 1.4g
    const ssh = fakeSsh(dir, 'ssh', 'exit 0');
    const run = inPrefix('autossh-ts', ['-M', '0', '-N', 'installed-host'], { AUTOSSH_PATH: ssh, AUTOSSH_GATETIME: '0', AUTOSSH_LOGFILE: join(dir, 'run.log') });
    expect(run.status, run.stderr).toBe(0);
    expect(readFileSync(join(dir, 'run.log'), 'utf8')).toContain('ssh exited with status 0; autossh exiting');
  });

  it('--check-config loads the daemon (and prom-client from the installed dependencies)', () => {
    const config = join(dir, 'tunnels.toml');
    writeFileSync(config, '[status]\nlisten = "127.0.0.1:9273"\n\n[[tunnel]]\nname = "db"\nargs = ["-M", "0", "-N", "db.example"]\n');
    expect(inPrefix('autossh-ts', ['--check-config', config])).toMatchObject({ status: 0, stdout: `${config}: ok, 1 tunnel(s)\n`, stderr: '' });
  });

  it('builds the native unix-dgram (sd_notify\'s socket) that it depends on', () => {
    const load = inPrefix(process.execPath, ['-e', `require(${JSON.stringify(join(installed, 'node_modules', 'unix-dgram'))}).createSocket('unix_dgram').close()`]);
    expect(load.status, load.stderr).toBe(0);
  });

  it('puts autossh-lab on PATH, and the simulator runs from there', () => {
    expect(inPrefix('autossh-lab', ['--version'])).toMatchObject({ status: 0, stdout: `${pkg.version}\n` });
    const inspect = inPrefix('autossh-lab', ['inspect']);
    expect(inspect.status, inspect.stderr).toBe(0);
    expect(inspect.stdout).toMatch(/^stateDiagram-v2/m);
  });

  it('man -w finds autossh-ts(1), autossh-ts.toml(5) and autossh-lab(1) under the prefix', () => {
    const manpath = { MANPATH: join(prefix, 'share', 'man') };
    for (const [args, page] of [[['autossh-ts'], 'man1/autossh-ts.1'], [['5', 'autossh-ts.toml'], 'man5/autossh-ts.toml.5'], [['autossh-lab'], 'man1/autossh-lab.1']] as const) {
      // npm links the pages into PREFIX/share/man; man -w names the file the link leads to
      const linked = join(prefix, 'share', 'man', page);
      expect(existsSync(linked), linked).toBe(true);
      expect(inPrefix('man', ['-w', ...args], manpath)).toMatchObject({ status: 0, stdout: `${realpathSync(linked)}\n` });
    }
    // and the page reads: man formats it without a complaint
    const shown = inPrefix('man', ['autossh-ts'], { ...manpath, MANPAGER: 'cat', PAGER: 'cat', MANWIDTH: '80' });
    expect(shown.status, shown.stderr).toBe(0);
    expect(shown.stdout).toContain('DIVERGENCES FROM AUTOSSH 1.4G');
  });
});
