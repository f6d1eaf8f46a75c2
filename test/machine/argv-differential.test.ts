// Random command lines, built from the options 1.4g's table and ours agree on, through the
// REAL autossh 1.4g and through our parser: ssh must get the same argv.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { parseCommandLine } from '../../src/machine/config/parse.js';

const AUTOSSH = '/usr/lib/autossh/autossh';
const dir = mkdtempSync(join(tmpdir(), 'argv-diff-'));
const recorder = join(dir, 'record-argv');
const out = join(dir, 'argv.out');
writeFileSync(recorder, `#!/bin/sh\nfor a in "$@"; do printf '%s\\0' "$a"; done > "${out}"\nexit 0\n`);
chmodSync(recorder, 0o755);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function realArgv(args: string[]): string[] | { exit: number } {
  rmSync(out, { force: true });
  const result = spawnSync(AUTOSSH, args, {
    env: { PATH: '/usr/bin:/bin', AUTOSSH_PATH: recorder, AUTOSSH_GATETIME: '0', AUTOSSH_LOGFILE: '/dev/null' },
    timeout: 5000,
  });
  try {
    return readFileSync(out, 'utf8').split('\0').slice(0, -1);
  } catch {
    return { exit: result.status ?? -1 };
  }
}

function ourArgv(args: string[]): string[] | { exit: number } {
  const outcome = parseCommandLine(args, { AUTOSSH_PATH: recorder, AUTOSSH_GATETIME: '0' });
  if (outcome.kind === 'run') return outcome.config.sshArgv.slice(1);
  return { exit: outcome.kind === 'version' ? 0 : 1 };
}

// flags both tables treat alike (no -f: it daemonizes; no -B/-J/-P/-w/-Q: the tables differ)
const flag = fc.constantFrom('-N', '-T', '-v', '-q', '-4', '-C', '-g', '-n', '-NT', '-vN', '-Nq');
const withValue = fc.tuple(fc.constantFrom('-L', '-R', '-D', '-o', '-p', '-l', '-i', '-E'), fc.constantFrom('1:h:2', 'x', '-y', 'f', '22'));
const joined = fc.constantFrom('-L1:h:2', '-p22', '-oBatchMode=yes', '-lfred', '-Lf:h:2', '-vL3:x:4');
const operand = fc.constantFrom('host', 'user@host', 'cmd', 'ls -l', '-', '--', 'a--b');
const monitor = fc.constantFrom(['-M', '0'], ['-M0'], ['-M', '5000'], ['-M', '5000:7'], ['-M', '20001']);
const piece = fc.oneof(flag.map((f) => [f]), withValue.map(([o, v]) => [o, v]), joined.map((j) => [j]), operand.map((o) => [o]));

describe('ssh argv matches the real autossh 1.4g', () => {
  it('for random command lines', () => {
    fc.assert(
      fc.property(monitor, fc.array(piece, { maxLength: 6 }), fc.nat(6), (m, pieces, at) => {
        const rest = pieces.flat();
        const args = [...rest.slice(0, at), ...m, ...rest.slice(at)];
        expect(ourArgv(args), JSON.stringify(args)).toEqual(realArgv(args));
      }),
      { numRuns: 120 },
    );
  });
});
