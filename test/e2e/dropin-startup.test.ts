// The drop-in's start-up through the shipped bin (dist/autossh-ts.mjs), with an ssh stand-in that
// records its argv and environment: D13 picks a monitor port pair when neither -M nor
// AUTOSSH_PORT gives one; -f reports a daemon that cannot start (exit 1, the reason on stderr,
// nothing left running); D7 names a missing ssh; a closed stderr does not end a debug run.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { listProcesses, readProc, type ProcInfo } from '../../lab/world/proc-table.js';
import { killIfSame } from '../../lab/world/processes.js';
import { sleep, waitFor } from '../../lab/world/wait.js';
import { cleanEnv } from '../support/supervisor-process.js';

const BIN = fileURLToPath(new URL('../../dist/autossh-ts.mjs', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'autossh-ts-dropin-'));
/**
 * ssh stand-in: writes its argv (one word a line) and AUTOSSH_PORT to argv.<pid>, then waits,
 * its argv still on its command line (so a test finds it by its host name)
 */
const recordingSsh = join(dir, 'ssh');
writeFileSync(recordingSsh, `#!/bin/bash\n{ printf '%s\\n' "$@"; echo "AUTOSSH_PORT=$AUTOSSH_PORT"; } > "${dir}/argv.$$"\nexec -a "fake-ssh $*" sleep 60\n`);
chmodSync(recordingSsh, 0o755);

/** every process whose command line carries `marker` (a host name unique to one test) */
const processesWith = (marker: string): ProcInfo[] => listProcesses().filter((p) => p.argv.some((a) => a.includes(marker)));
const leftovers: string[] = [];

afterAll(() => {
  for (const marker of leftovers) for (const p of processesWith(marker)) killIfSame(p);
  rmSync(dir, { recursive: true, force: true });
});

function env(extra: Record<string, string>): Record<string, string> {
  return cleanEnv({ AUTOSSH_PATH: recordingSsh, AUTOSSH_GATETIME: '0', AUTOSSH_LOGFILE: join(dir, 'autossh.log'), AUTOSSH_LOGLEVEL: '7', ...extra });
}

function runToEnd(args: string[], extra: Record<string, string>): { code: number | null; stderr: string; ms: number } {
  const startedAt = performance.now();
  const result = spawnSync(process.execPath, [BIN, ...args], { env: env(extra), encoding: 'utf8', timeout: 15_000 });
  return { code: result.status, stderr: result.stderr, ms: performance.now() - startedAt };
}

/** the argv the recording ssh of `pid` wrote, once it has */
async function recordedArgv(pid: number): Promise<string[]> {
  const file = join(dir, `argv.${pid}`);
  return waitFor(() => existsSync(file) && readFileSync(file, 'utf8').endsWith('\n') && readFileSync(file, 'utf8').trimEnd().split('\n'), {
    timeoutMs: 5_000,
    what: `ssh ${pid}'s recorded argv`,
  });
}

function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ host: '127.0.0.1', port }, () => server.close(() => resolve(true)));
  });
}

describe('D13: no -M and no AUTOSSH_PORT', { timeout: 20_000 }, () => {
  it('picks a free pair p, p+1, forwards it first in ssh\'s argv, exports AUTOSSH_PORT and listens on p+1', async () => {
    const host = 'd13-pick-host';
    leftovers.push(host);
    const pidFile = join(dir, 'd13.pid');
    const supervisor = spawn(process.execPath, [BIN, '-N', host], { env: env({ AUTOSSH_PIDFILE: pidFile }), stdio: 'ignore' });
    try {
      const ssh = await waitFor(() => listProcesses().find((p) => p.ppid === supervisor.pid && p.argv.some((a) => a.includes(host))), {
        timeoutMs: 5_000,
        what: 'the ssh child',
        abortIf: () => (supervisor.exitCode !== null ? `the supervisor exited with ${supervisor.exitCode}` : undefined),
      });
      const recorded = await recordedArgv(ssh.pid);
      const port = Number(/^(\d+):127\.0\.0\.1:\1$/.exec(recorded[1] ?? '')?.[1]);
      expect(recorded).toEqual(['-L', `${port}:127.0.0.1:${port}`, '-R', `${port}:127.0.0.1:${port + 1}`, '-N', host, `AUTOSSH_PORT=${port}`]);
      expect(port).toBeGreaterThanOrEqual(32768);
      expect(port).toBeLessThanOrEqual(65534);
      // the supervisor holds the reply port for its connection tests
      expect(await canBind(port + 1)).toBe(false);
    } finally {
      if (supervisor.exitCode === null && supervisor.signalCode === null) {
        supervisor.kill('SIGTERM');
        await new Promise((resolve) => supervisor.once('exit', resolve));
      }
    }
  });

  it('still answers a command line without a host with usage, exit 1, as 1.4g', () => {
    const { code, stderr } = runToEnd(['-N'], {});
    expect(code).toBe(1);
    expect(stderr).toMatch(/^usage: autossh-ts /);
  });
});

describe('start-up failures are said, -f or not', { timeout: 20_000 }, () => {
  it('-f with a pid file in a missing directory: exit 1, the reason on stderr, no daemon left', async () => {
    const host = 'f-pidfile-host';
    leftovers.push(host);
    const pidFile = join(dir, 'missing-dir', 'autossh.pid');
    const { code, stderr, ms } = runToEnd(['-f', '-M', '0', '-N', host], { AUTOSSH_PIDFILE: pidFile });
    expect(stderr).toContain(`autossh-ts: cannot open pid file "${pidFile}": ENOENT`);
    expect(code).toBe(1);
    expect(ms).toBeLessThan(5_000);
    await sleep(200);
    expect(processesWith(host)).toEqual([]);
  });

  it('-f with an ssh that cannot be executed: exit 1 naming the path, no daemon left', async () => {
    const host = 'f-missing-ssh-host';
    leftovers.push(host);
    const { code, stderr } = runToEnd(['-f', '-M', '0', '-N', host], { AUTOSSH_PATH: join(dir, 'no-such-ssh') });
    expect(stderr).toBe(`autossh-ts: ${join(dir, 'no-such-ssh')}: No such file or directory\n`);
    expect(code).toBe(1);
    await sleep(200);
    expect(processesWith(host)).toEqual([]);
  });

  it('-f with a monitor port already taken: exit 1 naming the port', async () => {
    const host = 'f-port-taken-host';
    leftovers.push(host);
    const server = createServer();
    await new Promise<void>((resolve) => server.listen({ host: '127.0.0.1', port: 0 }, resolve));
    const taken = (server.address() as { port: number }).port;
    try {
      const { code, stderr } = runToEnd(['-f', '-M', String(taken - 1), '-N', host], {});
      expect(stderr).toBe(`autossh-ts: bind on 127.0.0.1:${taken}: Address already in use\n`);
      expect(code).toBe(1);
    } finally {
      server.close();
    }
    await sleep(200);
    expect(processesWith(host)).toEqual([]);
  });

  it('-f that starts: exit 0 once the daemon runs ssh, the daemon keeping no pipe to the launcher', async () => {
    const host = 'f-starts-host';
    leftovers.push(host);
    const pidFile = join(dir, 'f-starts.pid');
    const { code, stderr } = runToEnd(['-f', '-M', '0', '-N', host], { AUTOSSH_PIDFILE: pidFile });
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const daemonPid = Number(readFileSync(pidFile, 'utf8'));
    const daemon = readProc(daemonPid)!;
    expect(daemon.argv).toContain(host);
    // the report socket (the daemon's fd 3) never reaches ssh: it has no socket at all
    const ssh = await waitFor(() => listProcesses().find((p) => p.ppid === daemonPid && p.argv.some((a) => a.includes(host))), { timeoutMs: 5_000, what: 'the daemon\'s ssh' });
    expect(readdirSync(`/proc/${ssh.pid}/fd`).map((fd) => readlinkSync(`/proc/${ssh.pid}/fd/${fd}`)).filter((target) => target.startsWith('socket:'))).toEqual([]);
    process.kill(daemonPid, 'SIGTERM');
    await waitFor(() => processesWith(host).length === 0, { timeoutMs: 10_000, what: 'the daemon and its ssh to end' });
  });

  it('without -f, an ssh that cannot be executed is named on stderr (D7), not only in the log', () => {
    const missing = join(dir, 'no-such-ssh');
    const { code, stderr } = runToEnd(['-M', '0', '-N', 'host'], { AUTOSSH_PATH: missing, AUTOSSH_LOGFILE: '/dev/null' });
    expect(stderr).toBe(`autossh-ts: ${missing}: No such file or directory\n`);
    expect(code).toBe(1);
  });
});

describe('AUTOSSH_DEBUG with a stderr reader that goes away (EPIPE)', { timeout: 20_000 }, () => {
  it('keeps supervising, and still stops ssh on SIGTERM', async () => {
    const host = 'epipe-host';
    leftovers.push(host);
    const supervisor = spawn(process.execPath, [BIN, '-M', '0', '-N', host], {
      env: env({ AUTOSSH_DEBUG: '1', AUTOSSH_LOGFILE: '/dev/null' }),
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      supervisor.once('exit', (code, signal) => resolve({ code, signal })));
    // `| head -1`: one line read, then the reading end closed
    await new Promise<void>((resolve) => supervisor.stderr!.once('data', () => resolve()));
    supervisor.stderr!.destroy();
    const first = await waitFor(() => listProcesses().find((p) => p.ppid === supervisor.pid && p.argv.some((a) => a.includes(host))), { timeoutMs: 5_000, what: 'ssh 1' });
    // SIGUSR1 restarts ssh: each restart writes debug lines into the closed pipe
    for (let i = 0; i < 2; i++) {
      supervisor.kill('SIGUSR1');
      await sleep(300);
    }
    const now = await waitFor(() => listProcesses().find((p) => p.ppid === supervisor.pid && p.argv.some((a) => a.includes(host)) && p.pid !== first.pid), {
      timeoutMs: 5_000,
      what: 'a restarted ssh',
    });
    expect(supervisor.exitCode).toBeNull();
    supervisor.kill('SIGTERM');
    expect(await exited).toEqual({ code: 1, signal: null });
    await waitFor(() => readProc(now.pid) === undefined || readProc(now.pid)?.state === 'Z', { timeoutMs: 5_000, what: 'ssh to end' });
  });
});
