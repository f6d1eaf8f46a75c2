// `autossh-ts --check-config FILE` through the built bin: the daemon's own load, with its own
// words, and nothing started (the "ssh" here records that it ran). A unit runs it before start
// and before a reload's SIGHUP, as `sshd -t`.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { fakeSsh } from '../support/daemon-config.js';
import { cleanEnv } from '../support/supervisor-process.js';

const BIN = fileURLToPath(new URL('../../dist/autossh-ts.mjs', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'autossh-ts-check-config-'));
const ran = join(dir, 'ssh-ran');
const ssh = fakeSsh(dir, 'ssh', `touch ${ran}; exec sleep 60`);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function cli(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [BIN, ...args], { env: cleanEnv(), encoding: 'utf8', timeout: 15_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const tunnel = (name: string, extra = ''): string =>
  `[[tunnel]]\nname = "${name}"\nargs = ["-M", "0", "-N", "${name}.example"]\nenv = { AUTOSSH_PATH = "${ssh}" }\n${extra}`;

describe('autossh-ts --check-config', { timeout: 30_000 }, () => {
  it('a sound file: "FILE: ok, N tunnel(s)" on stdout, exit 0, and no ssh started', async () => {
    // the status port is the running daemon's (a check before a reload): the check does not bind it
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen({ host: '127.0.0.1', port: 0 }, resolve));
    try {
      const { port } = busy.address() as AddressInfo;
      const good = file('good.toml', `[status]\nlisten = "127.0.0.1:${port}"\n\n${tunnel('db')}\n${tunnel('web')}\n${tunnel('auto-port').replace('"-M", "0", ', '')}`);
      for (const args of [['--check-config', good], [`--check-config=${good}`]]) {
        expect(cli(args)).toEqual({ code: 0, stdout: `${good}: ok, 3 tunnel(s)\n`, stderr: '' });
      }
    } finally {
      busy.close();
    }
    expect(existsSync(ran)).toBe(false);
  });

  it('a broken file: the daemon\'s very message on stderr, exit 1, nothing on stdout', () => {
    const broken = [
      file('unknown-key.toml', tunnel('db', 'colour = "blue"\n')),
      file('same-name.toml', `${tunnel('db')}\n${tunnel('db')}`),
      file('bad-env.toml', tunnel('db').replace('AUTOSSH_PATH', 'AUTOSSH_POLL = "0", AUTOSSH_PATH')),
      file('not-toml.toml', '[[tunnel]\nname = \n'),
      file('clash.toml', `${tunnel('a').replace('"-N"', '"-L", "127.0.0.1:7001:x:1", "-N"')}\n${tunnel('b').replace('"-N"', '"-L", "127.0.0.1:7001:y:1", "-N"')}`),
      join(dir, 'missing.toml'),
      dir,
    ];
    for (const path of broken) {
      const checked = cli(['--check-config', path]);
      expect(checked.code, path).toBe(1);
      expect(checked.stdout).toBe('');
      expect(checked.stderr).toMatch(new RegExp(`^autossh-ts: ${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(:\\d+)?: \\S`));
      // the daemon's start says exactly the same, and fails the same way
      const started = cli(['--config', path]);
      expect([started.code, started.stderr]).toEqual([1, checked.stderr]);
    }
    expect(existsSync(ran)).toBe(false);
  });

  it('an unreadable file is refused as the daemon refuses it', () => {
    const secret = file('secret.toml', tunnel('db'));
    chmodSync(secret, 0o000);
    // root reads any file: run the check as nobody when we are root
    const asNobody = process.getuid?.() === 0;
    const result = spawnSync(process.execPath, [BIN, '--check-config', secret], {
      env: cleanEnv(), encoding: 'utf8', timeout: 15_000, ...(asNobody ? { uid: 65534, gid: 65534 } : {}),
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(`autossh-ts: ${secret}: cannot read the configuration file: permission denied\n`);
  });

  it('must come first and alone, as --config', () => {
    const good = file('alone.toml', tunnel('db'));
    expect(cli(['--check-config'])).toEqual({
      code: 1, stdout: '', stderr: 'autossh-ts: option requires an argument -- \'--check-config\'\nusage: autossh-ts --check-config FILE\n',
    });
    const extra = cli(['--check-config', good, '-v']);
    expect([extra.code, extra.stderr.split('\n')[0]]).toEqual([1, 'autossh-ts: --check-config takes one file and nothing else: unexpected "-v" (each tunnel\'s options go in the file)']);
    // anywhere else it is what 1.4g's getopt makes of it: not an option of autossh
    const late = cli(['-M', '0', '--check-config', good]);
    expect(late.code).toBe(1);
    expect(late.stderr).toMatch(/^autossh-ts: (unrecognized|invalid) option/);
    expect(existsSync(ran)).toBe(false);
  });
});
