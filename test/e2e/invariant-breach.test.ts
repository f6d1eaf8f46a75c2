// A broken invariant in the drop-in, seen from outside: the log says which and after what event
// (under -f too, where stderr is /dev/null), the ssh is stopped, the pid file removed, exit 1.
// The drop-in is test/support/breach-entry.ts: the drop-in's own run, with invariants that allow
// a connection test 1 ms (the machine gives one 500 ms at AUTOSSH_POLL=1), bundled here with
// esbuild as the shipped bin is. Its ssh is a script that says its pid and sleeps.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isAlive } from '../../lab/world/proc-table.js';
import { waitFor } from '../../lab/world/wait.js';
import { fakeSsh } from '../support/daemon-config.js';
import { spawnSupervisor, type SupervisorRun } from '../support/supervisor-process.js';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
// under the repository, so that the bundle's external packages resolve from its node_modules
const ENTRY = join(REPO_ROOT, 'dist', 'test-support', `breach-entry-${process.pid}.mjs`);
const WAIT_MS = 10_000;
const BREACH_LINE =
  /invariant "a connection test within the net timeout" broken by POLL_DUE at \d+ ms: a connection test with a time limit of 500 ms, longer than the net timeout of 1 ms; none of that step's effects were applied; this supervisor stops its ssh and exits with status 1/;

let dir: string;
const runs: SupervisorRun[] = [];
const strays: number[] = [];

beforeAll(() => {
  mkdirSync(join(REPO_ROOT, 'dist', 'test-support'), { recursive: true });
  buildSync({
    entryPoints: [join(REPO_ROOT, 'test/support/breach-entry.ts')],
    outfile: ENTRY,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: ['unix-dgram', 'prom-client'],
    logLevel: 'warning',
  });
});

afterAll(() => rmSync(ENTRY, { force: true }));

afterEach(async () => {
  for (const run of runs.splice(0)) await run.stop();
  for (const pid of strays.splice(0)) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

function start(args: string[], env: Record<string, string> = {}): { run: SupervisorRun; sshPidFile: string; pidFile: string; logFile: string } {
  dir = mkdtempSync(join(tmpdir(), 'autossh-ts-breach-'));
  const sshPidFile = join(dir, 'ssh.pid');
  const pidFile = join(dir, 'autossh.pid');
  const logFile = join(dir, 'autossh.log');
  const ssh = fakeSsh(dir, 'ssh', `echo $$ > ${sshPidFile}\nexec sleep 600`);
  const run = spawnSupervisor({
    cmd: [process.execPath, ENTRY],
    args: ['-M', '20000:7', ...args, '-N', 'breach-host'],
    cwd: dir,
    env: {
      AUTOSSH_PATH: ssh, AUTOSSH_GATETIME: '0', AUTOSSH_POLL: '1', AUTOSSH_FIRST_POLL: '1',
      AUTOSSH_LOGFILE: logFile, AUTOSSH_LOGLEVEL: '7', AUTOSSH_PIDFILE: pidFile, ...env,
    },
  });
  runs.push(run);
  return { run, sshPidFile, pidFile, logFile };
}

const readPid = (path: string): number | undefined => {
  const text = existsSync(path) ? readFileSync(path, 'utf8').trim() : '';
  return /^\d+$/.test(text) ? Number(text) : undefined;
};
const read = (path: string): string => (existsSync(path) ? readFileSync(path, 'utf8') : '');

describe('a broken invariant in the drop-in', { timeout: 30_000 }, () => {
  it('is logged, naming the invariant and the event; ssh is stopped, the pid file removed, and it exits 1', async () => {
    const { run, sshPidFile, pidFile, logFile } = start([]);
    const sshPid = await waitFor(() => readPid(sshPidFile), { timeoutMs: WAIT_MS, what: 'the ssh script to start', abortIf: run.exitReason });
    strays.push(sshPid);
    const exit = await run.exited;
    const log = read(logFile);
    expect(exit, `${run.output()}\n--- log ---\n${log}`).toEqual({ code: 1, signal: null });
    expect(log).toMatch(BREACH_LINE);
    expect(log).not.toMatch(/internal error/);
    // the connection test of that step never ran
    expect(log).not.toMatch(/connection test failed/);
    expect(isAlive(sshPid)).toBe(false);
    expect(existsSync(pidFile)).toBe(false);
  });

  it('under -f, where stderr is /dev/null, the log file says it at LOG_ERR, and the daemon leaves nothing behind', async () => {
    const { run, sshPidFile, pidFile, logFile } = start(['-f'], { AUTOSSH_LOGFORMAT: 'json' });
    const launcher = await run.exited;
    expect(launcher, run.output()).toEqual({ code: 0, signal: null });
    const daemonPid = await waitFor(() => readPid(pidFile), { timeoutMs: WAIT_MS, what: 'the daemon\'s pid file' });
    strays.push(daemonPid);
    const sshPid = await waitFor(() => readPid(sshPidFile), { timeoutMs: WAIT_MS, what: 'the ssh script to start' });
    strays.push(sshPid);
    await waitFor(() => !isAlive(daemonPid), { timeoutMs: WAIT_MS, what: `the daemon (pid ${daemonPid}) to end` });
    const records = read(logFile).trimEnd().split('\n').map((line) => JSON.parse(line) as { level: string; message: string });
    const breach = records.find((record) => BREACH_LINE.test(record.message));
    expect(breach, JSON.stringify(records, null, 1)).toMatchObject({ level: 'err' });
    expect(isAlive(sshPid)).toBe(false);
    expect(existsSync(pidFile)).toBe(false);
  });
});
