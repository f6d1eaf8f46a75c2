// The daemon's restart policy against a real OpenSSH server on loopback, through the built CLI:
// runs of a tunnel's machine that really end come back by themselves within restart_sec, and
// /ready says so (503 naming the tunnel `restarting` while it waits, 200 once its session shows).
// - ssh exits 0, so autossh exits 0 with it (1.4g's rule): an `ssh -N` killed with SIGTERM (OpenSSH
//   9 exits 0 then when it has no session channel; with a remote command it exits 255), or a
//   remote command that ends;
// - AUTOSSH_MAXSTART=1 and the server drops the session (ssh exits 255): the starts are used up;
// - AUTOSSH_PATH names no file (ssh cannot be executed, D7), then the file appears.
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startEchoServer, type EchoServer } from '../../lab/world/echo-server.js';
import { getFreePort } from '../../lab/world/ports.js';
import { startSshd, type Sshd } from '../../lab/world/sshd.js';
import { waitFor } from '../../lab/world/wait.js';
import { spawnSupervisor, type SupervisorRun } from '../support/supervisor-process.js';
import { canaryEcho } from '../support/tunnel-canary.js';
import { SUPERVISORS } from './supervisors.js';

const AUTOSSH_TS = SUPERVISORS.find((s) => s.name === 'autossh-ts')!.cmd;
const WAIT_MS = 20_000;
const RESTART_SEC = 1;
/** ssh's own time to connect and show its -L listener, on a loaded 2-core machine */
const SESSION_MARGIN_MS = 6_000;

interface Ready {
  status: number;
  tunnels: Array<{ name: string; phase: string }>;
}

interface Report {
  name: string;
  phase: string;
  up: boolean;
  sshPid: number | null;
  runs: number;
  lastRunEnd: { run: number; reason: string; code: number; at: string } | null;
  restartSeconds: number | null;
}

describe.sequential('the daemon restarts ended runs, against a real sshd', { timeout: 90_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'autossh-ts-daemon-restart-'));
  let echo: EchoServer | undefined;
  let sshd: Sshd | undefined;
  let run: SupervisorRun | undefined;
  let base = '';
  let logFile = '';

  beforeAll(async () => {
    echo = await startEchoServer();
    sshd = await startSshd();
  });

  afterEach(async () => {
    await run?.stop();
    run = undefined;
  });

  afterAll(async () => {
    await sshd?.stop();
    await echo?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A daemon running one tunnel "t" forwarding `port` to the echo server, with restart_sec = 1. */
  async function startDaemon(name: string, port: number, env: Record<string, string>, remoteCommand: string[] = [], extra: string[] = []): Promise<void> {
    const statusPort = await getFreePort();
    const configFile = join(dir, `${name}.toml`);
    logFile = join(dir, `${name}.log`);
    const args = ['-M', '0', ...(remoteCommand.length === 0 ? ['-N'] : []), '-L', `127.0.0.1:${port}:127.0.0.1:${echo!.port}`, ...sshd!.clientArgs(), sshd!.destination, ...remoteCommand];
    writeFileSync(configFile, [
      '[status]', `listen = "127.0.0.1:${statusPort}"`, '',
      '[log]', 'format = "json"', '',
      '[defaults]', `restart_sec = ${RESTART_SEC}`, '',
      '[[tunnel]]', 'name = "t"', `args = ${JSON.stringify(args)}`, `env = ${tomlTable(env)}`, ...extra, '',
    ].join('\n'));
    run = spawnSupervisor({ cmd: AUTOSSH_TS, args: ['--config', configFile], cwd: dir, env: { AUTOSSH_LOGFILE: logFile } });
    base = `http://127.0.0.1:${statusPort}`;
  }

  const tomlTable = (env: Record<string, string>): string => `{ ${Object.entries(env).map(([k, v]) => `${k} = ${JSON.stringify(v)}`).join(', ')} }`;

  async function ready(): Promise<Ready> {
    const response = await fetch(`${base}/ready`);
    return { status: response.status, ...((await response.json()) as { tunnels: Ready['tunnels'] }) };
  }

  async function report(): Promise<Report> {
    const answer = (await (await fetch(`${base}/status`)).json()) as { tunnels: Report[] };
    return answer.tunnels[0]!;
  }

  /** /ready until `check` holds, every 50 ms (a restart wait of 1 s is not missed) */
  const readyUntil = (what: string, check: (r: Ready) => boolean): Promise<Ready> =>
    waitFor(async () => {
      const r = await ready();
      return check(r) ? r : undefined;
    }, { timeoutMs: WAIT_MS, intervalMs: 50, what, abortIf: run!.exitReason });

  /** the daemon's JSON log lines about run 1's end and run 2's start: the wait between them, in ms */
  function waitBetweenRuns(): number {
    const records = readFileSync(logFile, 'utf8').trimEnd().split('\n').map((line) => JSON.parse(line) as { time: string; message: string });
    const ended = records.find((r) => /^run 1 ended .*starting run 2 in/.test(r.message));
    const started = records.find((r) => r.message === 'starting run 2 (restart policy)');
    if (!ended || !started) throw new Error(`no restart in the log:\n${records.map((r) => r.message).join('\n')}`);
    return Date.parse(started.time) - Date.parse(ended.time);
  }

  /** The restart seen from outside: /ready 503 (restarting), then 200 within restart_sec and ssh's own time. */
  async function expectComesBack(reason: string, triggerMs: number): Promise<void> {
    const down = await readyUntil('/ready 503 with t restarting', (r) => r.status === 503 && r.tunnels.some((t) => t.name === 't' && t.phase === 'restarting'));
    expect(down.tunnels).toEqual([{ name: 't', phase: 'restarting' }]);
    const waiting = await report();
    expect(waiting).toMatchObject({ phase: 'restarting', up: false, sshPid: null, runs: 1, lastRunEnd: { run: 1, reason } });
    expect(waiting.restartSeconds).toBeLessThanOrEqual(RESTART_SEC);

    await readyUntil('/ready 200 again', (r) => r.status === 200);
    const backMs = Date.now();
    const endedMs = Date.parse(waiting.lastRunEnd!.at);
    expect(endedMs).toBeGreaterThanOrEqual(triggerMs - 1_000);
    expect(backMs - endedMs).toBeLessThan(RESTART_SEC * 1000 + SESSION_MARGIN_MS);
    const wait = waitBetweenRuns();
    expect(wait).toBeGreaterThanOrEqual(RESTART_SEC * 1000 - 50);
    expect(wait).toBeLessThan(RESTART_SEC * 1000 + 2_000); // a timer late on a loaded machine, not a second wait
    expect(await report()).toMatchObject({ phase: 'up', up: true, runs: 2, restartSeconds: null });
  }

  it('ssh exits 0 (its remote command ended): the run ends with it, and the tunnel comes back', async () => {
    const port = await getFreePort();
    const stop = join(dir, 'stop-first-run');
    const marker = join(dir, 'first-run-done');
    // the remote command (run by the real sshd on this machine): the first run lasts until the
    // test says so and then exits 0; every later run stays
    const command = `if [ -e ${marker} ]; then exec sleep 600; fi; touch ${marker}; while [ ! -e ${stop} ]; do sleep 0.1; done; exit 0`;
    await startDaemon('exit0', port, {}, [command]);
    await readyUntil('/ready 200', (r) => r.status === 200);
    expect(await canaryEcho(port)).toMatch(/^canary-/);
    const triggerMs = Date.now();
    writeFileSync(stop, '');
    await expectComesBack('exited_ok', triggerMs);
    expect(await canaryEcho(port)).toMatch(/^canary-/);
  });

  it('ssh -N killed with SIGTERM exits 0: the run ends with it, and the tunnel comes back', async () => {
    const port = await getFreePort();
    await startDaemon('sigterm', port, {});
    await readyUntil('/ready 200', (r) => r.status === 200);
    const { sshPid } = await report();
    const triggerMs = Date.now();
    process.kill(sshPid!, 'SIGTERM');
    await expectComesBack('exited_ok', triggerMs);
    expect((await report()).sshPid).not.toBe(sshPid);
    expect(await canaryEcho(port)).toMatch(/^canary-/);
  });

  it('AUTOSSH_MAXSTART ran out (the server dropped its one session: ssh exits 255): the tunnel comes back', async () => {
    const port = await getFreePort();
    await startDaemon('maxstart', port, { AUTOSSH_MAXSTART: '1' });
    await readyUntil('/ready 200', (r) => r.status === 200);
    const { sshPid } = await report();
    const triggerMs = Date.now();
    await sshd!.dropSessions();
    await expectComesBack('max_start', triggerMs);
    expect((await report()).sshPid).not.toBe(sshPid);
    expect(await canaryEcho(port)).toMatch(/^canary-/);
  });

  it('AUTOSSH_PATH named no file, then the file appeared: the tunnel comes up within restart_sec', async () => {
    const port = await getFreePort();
    const later = join(dir, 'ssh-installed-later');
    // a generous start limit: this test is about restart_sec, not the grown waits
    await startDaemon('missing', port, { AUTOSSH_PATH: later }, [], ['start_limit_burst = 50']);
    const down = await readyUntil('/ready 503, t restarting', (r) => r.status === 503 && r.tunnels[0]?.phase === 'restarting');
    expect(down.tunnels).toEqual([{ name: 't', phase: 'restarting' }]);
    expect(await report()).toMatchObject({ up: false, lastRunEnd: { reason: 'spawn_failed', code: 1 } });
    symlinkSync('/usr/bin/ssh', later);
    const appearedMs = Date.now();
    await readyUntil('/ready 200 once ssh is there', (r) => r.status === 200);
    expect(Date.now() - appearedMs).toBeLessThan(RESTART_SEC * 1000 + SESSION_MARGIN_MS);
    expect(await canaryEcho(port)).toMatch(/^canary-/);
    const log = readFileSync(logFile, 'utf8');
    expect(log).toContain(`${later}: `);
    expect(log).toMatch(/run \d+ ended \(ssh could not be executed, status 1\); restart = \\"always\\": starting run \d+ in 1 s/);
  });
});
