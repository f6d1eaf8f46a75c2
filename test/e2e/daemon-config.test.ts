// `autossh-ts --config FILE` through the built CLI (dist/autossh-ts.mjs): bad command lines and
// unreadable files end the start with a clear error; a whole run (three tunnels, a reload that
// removes, changes and adds, a broken reload, SIGTERM) once the TOML loader is there. Each
// tunnel's "ssh" is a script that sleeps: the process table shows who runs and whose child it is.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isAlive, listProcesses } from '../../lab/world/proc-table.js';
import { waitFor } from '../../lab/world/wait.js';
import { fakeSsh } from '../support/daemon-config.js';
import { spawnSupervisor, type SupervisorRun } from '../support/supervisor-process.js';
import { SUPERVISORS } from './supervisors.js';

const AUTOSSH_TS = SUPERVISORS[1]!.cmd;
const WAIT_MS = 10_000;

const dir = mkdtempSync(join(tmpdir(), 'autossh-ts-daemon-e2e-'));
const ssh = fakeSsh(dir, 'ssh', 'exec sleep 600');
const logFile = join(dir, 'daemon.log');
const configFile = join(dir, 'tunnels.toml');

function tunnelsToml(tunnels: Array<{ name: string; host: string }>): string {
  return [
    '[log]',
    'format = "json"',
    '',
    '[defaults]',
    `env = { AUTOSSH_PATH = "${ssh}", AUTOSSH_GATETIME = "0" }`,
    ...tunnels.flatMap(({ name, host }) => ['', '[[tunnel]]', `name = "${name}"`, `args = ["-M", "0", "-N", "${host}"]`]),
    '',
  ].join('\n');
}
writeFileSync(configFile, tunnelsToml([{ name: 'db', host: 'db.example' }, { name: 'web', host: 'web.example' }, { name: 'mail', host: 'mail.example' }]));

const runs: SupervisorRun[] = [];
function startCli(args: string[]): SupervisorRun {
  // the daemon's log, for itself and every tunnel, is where its own environment says
  const run = spawnSupervisor({ cmd: AUTOSSH_TS, args, cwd: dir, env: { AUTOSSH_LOGFILE: logFile } });
  runs.push(run);
  return run;
}

/** The daemon's direct children that are our fake ssh (a sleep), by pid. */
function sshChildrenOf(pid: number): number[] {
  return listProcesses().filter((p) => p.ppid === pid && p.state !== 'Z' && p.argv[0] === 'sleep').map((p) => p.pid).sort();
}

afterAll(async () => {
  for (const run of runs) await run.stop();
  for (const run of runs) for (const pid of sshChildrenOf(run.pid)) process.kill(pid, 'SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

describe('autossh-ts --config: bad starts', () => {
  it('a missing file: an error naming it, exit 1, nothing started', async () => {
    const missing = join(dir, 'missing.toml');
    const run = startCli(['--config', missing]);
    expect(await run.exited).toEqual({ code: 1, signal: null });
    expect(run.output()).toBe(`autossh-ts: ${missing}: cannot read the configuration file: no such file\n`);
  });

  it('--config without a file, or with more after it: usage, exit 1', async () => {
    const bare = startCli(['--config']);
    expect(await bare.exited).toEqual({ code: 1, signal: null });
    expect(bare.output()).toContain("option requires an argument -- '--config'");
    const extra = startCli(['--config', configFile, '-M', '0', 'host']);
    expect(await extra.exited).toEqual({ code: 1, signal: null });
    expect(extra.output()).toContain('unexpected "-M"');
  });
});

describe('autossh-ts --config FILE: a whole run', { timeout: 40_000 }, () => {
  it('runs three tunnels, reloads (remove, change, add, keep), survives a broken reload, stops on SIGTERM with exit 1', async () => {
    const run = startCli(['--config', configFile]);
    const three = await waitFor(() => {
      const pids = sshChildrenOf(run.pid);
      return pids.length === 3 ? pids : undefined;
    }, { timeoutMs: WAIT_MS, what: 'three ssh children of the daemon', abortIf: run.exitReason });
    // the fake ssh execs sleep: which tunnel a pid is, its tunnel's line "ssh child pid is N" says
    const readPids = (): Map<string, number> => {
      const byTunnel = new Map<string, number>();
      for (const line of readFileSync(logFile, 'utf8').trimEnd().split('\n')) {
        const record = JSON.parse(line) as { tunnel?: string; message: string };
        const m = /^ssh child pid is (\d+)$/.exec(record.message);
        if (m && record.tunnel) byTunnel.set(record.tunnel, Number(m[1]));
      }
      return byTunnel;
    };
    // the log line comes just after the spawn: the child may be seen first
    const before = await waitFor(() => {
      const pids = readPids();
      return pids.size === 3 ? pids : undefined;
    }, { timeoutMs: WAIT_MS, what: 'three "ssh child pid is" lines', abortIf: run.exitReason });
    expect([...before.values()].sort()).toEqual(three);

    // remove mail, change web, keep db, add cache
    writeFileSync(configFile, tunnelsToml([{ name: 'db', host: 'db.example' }, { name: 'web', host: 'web2.example' }, { name: 'cache', host: 'cache.example' }]));
    process.kill(run.pid, 'SIGHUP');
    const after = await waitFor(() => {
      const pids = readPids();
      const children = sshChildrenOf(run.pid);
      return pids.has('cache') && pids.get('web') !== before.get('web') && children.length === 3 && !isAlive(before.get('mail')!) ? pids : undefined;
    }, { timeoutMs: WAIT_MS, what: 'the reload: mail gone, web restarted, cache started', abortIf: run.exitReason });
    expect(after.get('db')).toBe(before.get('db'));
    expect(isAlive(before.get('db')!)).toBe(true);
    expect(isAlive(before.get('web')!)).toBe(false);
    const kept = sshChildrenOf(run.pid);

    writeFileSync(configFile, '[[tunnel]]\nname = "db"\nagrs = ["-M", "0", "host"]\n');
    process.kill(run.pid, 'SIGHUP');
    await waitFor(() => run.output().includes('reload refused'), { timeoutMs: WAIT_MS, what: 'the broken reload refused', abortIf: run.exitReason });
    // file:line: problem (the loader names the line; which one it blames first is its own)
    expect(run.output()).toMatch(new RegExp(`${configFile.replace(/[.]/g, '\\.')}:\\d+: `));
    expect(sshChildrenOf(run.pid)).toEqual(kept);

    process.kill(run.pid, 'SIGTERM');
    expect(await run.exited).toEqual({ code: 1, signal: null });
    for (const pid of kept) expect(isAlive(pid)).toBe(false);
  });

  it('SIGKILL of the daemon leaves no ssh behind', async () => {
    writeFileSync(configFile, tunnelsToml([{ name: 'db', host: 'db.example' }, { name: 'web', host: 'web.example' }]));
    const run = startCli(['--config', configFile]);
    const two = await waitFor(() => {
      const pids = sshChildrenOf(run.pid);
      return pids.length === 2 ? pids : undefined;
    }, { timeoutMs: WAIT_MS, what: 'two ssh children of the daemon', abortIf: run.exitReason });
    process.kill(run.pid, 'SIGKILL');
    await run.exited;
    await waitFor(() => two.every((pid) => !isAlive(pid)), { timeoutMs: WAIT_MS, what: 'no ssh left after the daemon was SIGKILLed' });
  });
});
