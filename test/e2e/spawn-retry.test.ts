// Out of descriptors is a start that fails for now, not D7: under a low RLIMIT_NOFILE (soft =
// hard, since Node raises its soft limit to the hard one at start) the daemon's tunnels that
// cannot start ssh retry, and come up once other tunnels have ended and given their descriptors
// back; the drop-in retries too, and neither says D7's error nor exits.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../lab/world/wait.js';
import { fakeSsh } from '../support/daemon-config.js';
import { spawnSupervisor, type SupervisorRun } from '../support/supervisor-process.js';
import { SUPERVISORS } from './supervisors.js';

const AUTOSSH_TS = SUPERVISORS.find((s) => s.name === 'autossh-ts')!.cmd;
const dir = mkdtempSync(join(tmpdir(), 'autossh-ts-spawn-retry-'));
const runs: SupervisorRun[] = [];
const EMFILE_RETRY = /cannot start ssh: too many open files \(EMFILE\): retrying in \d+ s/;

afterAll(async () => {
  for (const run of runs) await run.stop();
  rmSync(dir, { recursive: true, force: true });
});

function start(nofile: number, args: string[], env: Record<string, string>): SupervisorRun {
  const run = spawnSupervisor({ cmd: ['prlimit', `--nofile=${nofile}:${nofile}`, ...AUTOSSH_TS], args, cwd: dir, env });
  runs.push(run);
  return run;
}

const read = (path: string): string => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
};

describe('a start out of descriptors', { timeout: 60_000 }, () => {
  it('daemon: the tunnels that could not start retry, and all come up once others end and free theirs', async () => {
    // each tunnel holds one descriptor while its ssh runs (the pipe its stderr is read on: D10 reads
    // it for a tunnel with a -R port); 40
    // of them cannot all fit in 48 beside Node's own, so some starts fail. Every ssh ends by
    // itself (exit 0 after 2 s ends its tunnel, as autossh's rules say), giving its back.
    const ssh = fakeSsh(dir, 'ssh-brief', 'sleep 2; exit 0');
    const tunnels = 40;
    const file = join(dir, 'fds.toml');
    writeFileSync(file, Array.from({ length: tunnels }, (_, i) => ['[[tunnel]]', `name = "t${i}"`, `args = ["-M", "0", "-N", "-R", "${20000 + i}:127.0.0.1:22", "h${i}"]`, `env = { AUTOSSH_PATH = "${ssh}" }`, ''].join('\n')).join('\n'));
    const log = join(dir, 'fds.log');
    const run = start(48, ['--config', file], { AUTOSSH_LOGFILE: log });
    const started = (): Set<string> => new Set([...read(log).matchAll(/: (t\d+): ssh child pid is \d+/g)].map((m) => m[1]!));
    await waitFor(() => (started().size === tunnels ? true : undefined), {
      timeoutMs: 40_000,
      what: 'an ssh started for every tunnel',
      abortIf: () => run.exitReason() ?? (/exited with status 1/.test(read(log)) ? `a tunnel gave up:\n${read(log)}` : undefined),
    });
    const text = read(log);
    expect(text).toMatch(EMFILE_RETRY);
    // no tunnel ended on it (D7 is exit 1), and no start failed for good
    expect(text).not.toMatch(/its supervisor exited with status 1/);
    expect(text).not.toMatch(/: spawn /);
    process.kill(run.pid, 'SIGTERM');
    expect(await run.exited).toEqual({ code: 1, signal: null });
  });

  it('drop-in: a start that fails for EMFILE is retried on a growing wait, not D7, until a signal ends it', async () => {
    // The limit is lowered once the drop-in runs (prlimit --pid), not at launch: Node's module
    // loader opens its chunks in parallel while it starts, so a limit that fits the running
    // supervisor can be too low for its start-up. The first ssh counts the descriptors its
    // supervisor holds while it runs, then waits for the test to lower the limit to that count and
    // ends; with no more than that, the next start cannot get the pipes it needs.
    const counted = join(dir, 'fd-count');
    const go = join(dir, 'fd-go');
    const counter = fakeSsh(dir, 'ssh-counts', `ls /proc/$PPID/fd | wc -l > "${counted}"; while [ ! -e "${go}" ]; do sleep 0.05; done; exit 255`);
    const log = join(dir, 'dropin.log');
    const env = { AUTOSSH_GATETIME: '0', AUTOSSH_FORWARDCHECK: '1', AUTOSSH_PATH: counter, AUTOSSH_LOGFILE: log };
    const run = spawnSupervisor({ cmd: AUTOSSH_TS, args: ['-M', '0', '-N', 'host'], cwd: dir, env });
    runs.push(run);
    const held = await waitFor(() => Number(read(counted).trim()) || undefined, { timeoutMs: 10_000, what: 'the descriptor count', abortIf: run.exitReason });
    execFileSync('prlimit', ['--pid', String(run.pid), `--nofile=${held}:${held}`]);
    writeFileSync(go, '');

    const sshStarts = (): number => read(log).match(/ssh child pid/g)?.length ?? 0;
    await waitFor(() => (/retrying in 2 s/.test(read(log)) ? true : undefined), { timeoutMs: 15_000, what: 'a second retry', abortIf: () => run.exitReason() ?? (sshStarts() > 1 ? `a second ssh started:\n${read(log)}` : undefined) });
    expect(read(log)).toMatch(/cannot start ssh: too many open files \(EMFILE\): retrying in 1 s/);
    expect(run.exitInfo()).toBeUndefined();
    expect(run.output()).toBe('');
    process.kill(run.pid, 'SIGTERM');
    expect(await run.exited).toEqual({ code: 1, signal: null });
  });
});
