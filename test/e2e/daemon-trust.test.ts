// What the daemon trusts from its file, through the built CLI (dist/autossh-ts.mjs --config FILE):
// a file others can write (or an AUTOSSH_PATH they can) is refused at start, naming the mode, and
// at a reload, leaving the running tunnel's ssh alone; a refused reload's message quotes what the
// file holds escaped, so a crafted name cannot forge a line in the log. Tests run as root.
import { chmodSync, chownSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isAlive, listProcesses } from '../../lab/world/proc-table.js';
import { waitFor } from '../../lab/world/wait.js';
import { fakeSsh } from '../support/daemon-config.js';
import type { SupervisorRun } from '../support/supervisor-process.js';
import { daemonRuns } from './daemon-runs.js';

const WAIT_MS = 10_000;
const NOBODY = 65534;
const AS_SSH = 'as ssh refuses keys others can write';
const { dir, start } = daemonRuns('autossh-ts-daemon-trust');
const ssh = fakeSsh(dir, 'ssh', 'exec sleep 600');

const tunnel = (name: string, program = ssh): string[] => ['[[tunnel]]', `name = "${name}"`, 'args = ["-M", "0", "-N", "db.example"]', `env = { AUTOSSH_PATH = "${program}" }`];
const write = (file: string, rows: string[], mode = 0o644): void => {
  writeFileSync(file, `${rows.join('\n')}\n`);
  chmodSync(file, mode);
};

/** the daemon's direct children that are our fake ssh (it execs sleep) */
function sshChildrenOf(run: SupervisorRun): number[] {
  return listProcesses().filter((p) => p.ppid === run.pid && p.state !== 'Z' && p.argv[0] === 'sleep').map((p) => p.pid);
}

/** the pid the log names for the tunnel's ssh, once it has started one */
async function sshPidOf(run: SupervisorRun, log: string): Promise<number> {
  return waitFor(() => {
    const m = /ssh child pid is (\d+)/.exec(readFileSync(log, 'utf8'));
    return m ? Number(m[1]) : undefined;
  }, { timeoutMs: WAIT_MS, what: 'the tunnel\'s ssh started', abortIf: run.exitReason });
}

describe('autossh-ts --config: a file others can write', { timeout: 30_000 }, () => {
  it('is refused at start, naming the file and its mode; nothing runs', async () => {
    const file = join(dir, 'open.toml');
    write(file, tunnel('db'), 0o666);
    const run = start(['--config', file]);
    expect(await run.exited).toEqual({ code: 1, signal: null });
    expect(run.output()).toBe(`autossh-ts: ${file}: bad permissions: mode 0666 is writable by others (group/other write): refusing it, ${AS_SSH}\n`);
    expect(sshChildrenOf(run)).toEqual([]);
  });

  it('is refused at start when another user owns it, or when AUTOSSH_PATH is a program others can write', async () => {
    const owned = join(dir, 'owned.toml');
    write(owned, tunnel('db'), 0o600);
    chownSync(owned, NOBODY, NOBODY);
    const byOwner = start(['--config', owned]);
    expect(await byOwner.exited).toEqual({ code: 1, signal: null });
    expect(byOwner.output()).toBe(`autossh-ts: ${owned}: bad owner: owned by uid ${NOBODY}, not by root or the daemon's user (uid 0): refusing it, ${AS_SSH}\n`);

    const openSsh = fakeSsh(dir, 'ssh-open', 'exec sleep 600');
    chmodSync(openSsh, 0o777);
    const file = join(dir, 'open-ssh.toml');
    write(file, tunnel('db', openSsh));
    const byProgram = start(['--config', file]);
    expect(await byProgram.exited).toEqual({ code: 1, signal: null });
    expect(byProgram.output()).toBe(`autossh-ts: ${file}:4: tunnel "db": AUTOSSH_PATH "${openSsh}": bad permissions: mode 0777 is writable by others (group/other write): refusing to run it, ${AS_SSH}\n`);
  });

  it('is refused at a reload (chmod 666, then chown to nobody), the running ssh (pid) untouched; once fixed, the reload goes through', async () => {
    const file = join(dir, 'tunnels.toml');
    const log = join(dir, 'reload.log');
    write(file, tunnel('db'));
    // a path relative to the daemon's working directory is walked from there
    const run = start(['--config', 'tunnels.toml'], { AUTOSSH_LOGFILE: log });
    const pid = await sshPidOf(run, log);

    chmodSync(file, 0o666);
    process.kill(run.pid, 'SIGHUP');
    const refused = `reload refused, the running tunnels are left as they were: tunnels.toml: bad permissions: mode 0666 is writable by others (group/other write): refusing it, ${AS_SSH}`;
    await waitFor(() => run.output().includes(refused) || undefined, { timeoutMs: WAIT_MS, what: 'the reload refused on stderr', abortIf: run.exitReason });
    expect(readFileSync(log, 'utf8')).toContain(refused);
    expect(isAlive(pid)).toBe(true);
    expect(sshChildrenOf(run)).toEqual([pid]);

    chmodSync(file, 0o644);
    chownSync(file, NOBODY, NOBODY);
    process.kill(run.pid, 'SIGHUP');
    await waitFor(() => run.output().includes('bad owner: owned by uid 65534') || undefined, { timeoutMs: WAIT_MS, what: 'the second reload refused', abortIf: run.exitReason });
    expect(sshChildrenOf(run)).toEqual([pid]);

    chownSync(file, 0, 0);
    process.kill(run.pid, 'SIGHUP');
    await waitFor(() => readFileSync(log, 'utf8').includes('reloaded tunnels.toml: ') || undefined, { timeoutMs: WAIT_MS, what: 'the reload accepted', abortIf: run.exitReason });
    expect(sshChildrenOf(run)).toEqual([pid]);

    process.kill(run.pid, 'SIGTERM');
    expect(await run.exited).toEqual({ code: 1, signal: null });
  });
});

describe('autossh-ts --config: a refused reload quotes the file escaped', { timeout: 30_000 }, () => {
  it('a name and a quoted key holding a line break stay on the one line of the refusal, in the log and on stderr', async () => {
    const file = join(dir, 'echo.toml');
    const log = join(dir, 'echo.log');
    write(file, tunnel('db'));
    const run = start(['--config', file], { AUTOSSH_LOGFILE: log });
    await sshPidOf(run, log);
    const forged = 'autossh-ts[1]: reloaded echo.toml: nothing changed';

    write(file, [...tunnel('db'), '', '[[tunnel]]', `name = "web\\n${forged}"`, 'args = "-M 0 h"']);
    process.kill(run.pid, 'SIGHUP');
    await waitFor(() => run.output().includes('reload refused') || undefined, { timeoutMs: WAIT_MS, what: 'the reload refused', abortIf: run.exitReason });
    write(file, [`"x\\n${forged}" = 1`, ...tunnel('db')]);
    process.kill(run.pid, 'SIGHUP');
    await waitFor(() => run.output().split('reload refused').length === 3 || undefined, { timeoutMs: WAIT_MS, what: 'the second reload refused', abortIf: run.exitReason });

    for (const text of [run.output(), readFileSync(log, 'utf8')]) {
      const lines = text.split('\n');
      // the forged text shows only inside the refusals, escaped: no line of its own
      expect(lines.filter((line) => line.includes(forged)).every((line) => line.includes('reload refused')), text).toBe(true);
      expect(lines.some((line) => line.startsWith(forged))).toBe(false);
    }
    expect(run.output()).toContain(`${file}:7: [[tunnel]] number 2: name "web\\n${forged}" may hold only letters`);
    expect(run.output()).toContain(`${file}:1: unknown key "x\\n${forged}" in the file's top level`);
    process.kill(run.pid, 'SIGTERM');
    expect(await run.exited).toEqual({ code: 1, signal: null });
  });
});
