// D10 AUTOSSH_FORWARDCHECK with real ssh and sshd: the -R port is already taken on the server
// (this host: the test binds it first), as when the server still holds it for a dead session.
// ssh says "remote port forwarding failed for listen port N" on its stderr; autossh-ts hears it
// (before the exit, with ExitOnForwardFailure=yes), passes it on to its own stderr, and retries on
// the short schedule (2, 4, ... s); once the port is free the tunnel comes back. Without
// ExitOnForwardFailure ssh stays up with no forward: autossh 1.4g keeps it so forever.
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startEchoServer, type EchoServer } from '../../lab/world/echo-server.js';
import { getFreePort } from '../../lab/world/ports.js';
import { killIfSame, readProc, waitForExit, type ProcInfo } from '../../lab/world/processes.js';
import { startSshd, type Sshd } from '../../lab/world/sshd.js';
import { sleep, waitFor } from '../../lab/world/wait.js';
import { waitUntilTunnelWorks } from '../support/tunnel-canary.js';
import { startSupervisor, SUPERVISORS, type E2eRun } from './supervisors.js';

const START_TIMEOUT_MS = 10_000;
const [AUTOSSH_1_4G, AUTOSSH_TS] = SUPERVISORS as [(typeof SUPERVISORS)[0], (typeof SUPERVISORS)[0]];

/** Holds 127.0.0.1:port as a stale session's listener would, until let go. */
async function takePort(port: number): Promise<{ release: () => Promise<void> }> {
  const server: Server = createServer((socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  return { release: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** When each ssh below the supervisor was first seen (ms, performance.now()), sampled often. */
function watchSshStarts(run: E2eRun): { starts: Map<number, number>; stop: () => void } {
  const starts = new Map<number, number>();
  const timer = setInterval(() => {
    for (const p of run.sshChildren()) if (!starts.has(p.pid)) starts.set(p.pid, performance.now());
  }, 20);
  return { starts, stop: () => clearInterval(timer) };
}

describe.sequential('D10 AUTOSSH_FORWARDCHECK with real ssh', { timeout: 40_000 }, () => {
  let echo: EchoServer | undefined;
  let sshd: Sshd | undefined;
  const runs: E2eRun[] = [];
  const held: Array<{ release: () => Promise<void> }> = [];
  /** a -f daemon is not our child: killed by pid and start time if a test left it */
  const daemons: ProcInfo[] = [];

  beforeAll(async () => {
    [echo, sshd] = await Promise.all([startEchoServer(), startSshd()]);
  });

  afterEach(async () => {
    for (const daemon of daemons.splice(0)) killIfSame(daemon);
    for (const port of held.splice(0)) await port.release();
    for (const run of runs.splice(0)) await run.cleanup();
  });

  afterAll(async () => {
    await sshd?.stop();
    await echo?.stop();
  });

  const forwardArgs = (remotePort: number, overrides = {}): string[] => [
    '-M', '0', '-N', '-R', `127.0.0.1:${remotePort}:127.0.0.1:${echo!.port}`, ...sshd!.clientArgs(overrides), sshd!.destination,
  ];

  it('with ExitOnForwardFailure=yes: hears the failure before the exit, retries in 2 then 4 s, comes back', async () => {
    const remotePort = await getFreePort();
    held.push(await takePort(remotePort));
    const run = startSupervisor(AUTOSSH_TS, forwardArgs(remotePort), { env: { AUTOSSH_FORWARDCHECK: '1' } });
    runs.push(run);
    const sampler = watchSshStarts(run);
    try {
      await run.explain(
        waitFor(() => run.log().includes('retrying the remote forward in 4 s'), {
          timeoutMs: START_TIMEOUT_MS,
          what: 'the second retry on the short schedule',
          abortIf: run.exitReason,
        }),
      );
      // the port is let go: the next start (4 s later) gets it
      await held.shift()!.release();
      await run.explain(waitUntilTunnelWorks(remotePort, START_TIMEOUT_MS, { abortIf: run.exitReason }));
    } finally {
      sampler.stop();
    }

    const log = run.log();
    expect(log).toMatch(new RegExp(`remote port forwarding failed for listen port ${remotePort}: the server still holds it`));
    expect(log).toMatch(/retrying the remote forward in 2 s[\s\S]*retrying the remote forward in 4 s/);
    // the line came before ssh's exit 255: the exit was never judged by 1.4g's rules
    expect(log).not.toMatch(/ssh exited with error status 255/);
    // what ssh said reached our stderr as it said it
    expect(run.output()).toMatch(new RegExp(`^Error: remote port forwarding failed for listen port ${remotePort}\\r?$`, 'm'));

    const starts = [...sampler.starts.values()].sort((a, b) => a - b);
    expect(starts.length, run.describe()).toBeGreaterThanOrEqual(3);
    const gaps = starts.slice(1, 3).map((at, i) => at - starts[i]!);
    console.info(`ssh starts ${gaps.map((g) => g.toFixed(0)).join(' and ')} ms apart (2 s and 4 s waits plus ssh's own failing time)`);
    expect(gaps[0]).toBeGreaterThan(1_900);
    expect(gaps[0]).toBeLessThan(3_500);
    expect(gaps[1]).toBeGreaterThan(3_900);
    expect(gaps[1]).toBeLessThan(5_500);
  });

  it('without ExitOnForwardFailure: restarts the ssh that stayed up without its forward; 1.4g keeps it', async () => {
    const remotePort = await getFreePort();
    held.push(await takePort(remotePort));
    const args = forwardArgs(remotePort, { ExitOnForwardFailure: null });
    const ts = startSupervisor(AUTOSSH_TS, args, { env: { AUTOSSH_FORWARDCHECK: '1' } });
    const oracle = startSupervisor(AUTOSSH_1_4G, args, { env: { AUTOSSH_FORWARDCHECK: '1' } });
    runs.push(ts, oracle);

    const [first, oracleSsh] = await Promise.all([
      ts.waitForSshChild({ timeoutMs: START_TIMEOUT_MS }),
      oracle.waitForSshChild({ timeoutMs: START_TIMEOUT_MS }),
    ]);
    const second = await ts.explain(ts.waitForSshChild({ timeoutMs: START_TIMEOUT_MS, notPid: first.pid }));
    expect(second.pid).not.toBe(first.pid);
    expect(ts.log()).toMatch(new RegExp(`remote port forwarding failed for listen port ${remotePort}`));
    expect(ts.log()).toMatch(/retrying the remote forward in 2 s/);
    expect(ts.output()).toMatch(new RegExp(`^Warning: remote port forwarding failed for listen port ${remotePort}\\r?$`, 'm'));

    // the port is let go: autossh-ts's next ssh takes it; 1.4g's first ssh never asks again
    await held.shift()!.release();
    await ts.explain(waitUntilTunnelWorks(remotePort, START_TIMEOUT_MS, { abortIf: ts.exitReason }));
    await sleep(500);
    expect(oracle.sshChildren().map((p) => p.pid), oracle.describe()).toEqual([oracleSsh.pid]);
    expect(oracle.output()).toMatch(/Warning: remote port forwarding failed/);
  });

  it('with -f: the daemon, its stdio on /dev/null, still reads the stderr of its ssh', async () => {
    const remotePort = await getFreePort();
    held.push(await takePort(remotePort));
    const run = startSupervisor(AUTOSSH_TS, ['-f', ...forwardArgs(remotePort)], {
      env: { AUTOSSH_FORWARDCHECK: '1' },
      pidFile: true,
    });
    runs.push(run);
    expect(await run.exited, run.describe()).toEqual({ code: 0, signal: null });
    const daemonPid = await run.explain(
      waitFor(() => Number(readFileSync(run.pidFile, 'utf8').trim()) || undefined, { timeoutMs: START_TIMEOUT_MS, what: 'the daemon pid' }),
    );
    const daemon = readProc(daemonPid);
    expect(daemon, run.describe()).toBeDefined();
    daemons.push(daemon!);
    await run.explain(
      waitFor(() => run.log().includes('retrying the remote forward in 2 s'), {
        timeoutMs: START_TIMEOUT_MS,
        what: 'the daemon to hear the forward failure',
      }),
    );
    expect(run.log()).not.toMatch(/ssh exited with error status 255/);
    process.kill(daemonPid, 'SIGTERM');
    expect(await waitForExit(daemonPid, 10_000), run.describe()).toBe(true);
  });
});
