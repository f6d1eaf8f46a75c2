// D9 AUTOSSH_CONNECTTIME with real ssh: a session that comes up is seen to (ssh listening on its
// -L port, or its own "Authenticated to" line at LogLevel VERBOSE), and an ssh stuck in the
// handshake (a server that accepts TCP and never answers) is restarted after CONNECTTIME by
// autossh-ts, while autossh 1.4g keeps it forever.
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEchoServer, type EchoServer } from '../../lab/world/echo-server.js';
import { getFreePort } from '../../lab/world/ports.js';
import { startSshd, type Sshd } from '../../lab/world/sshd.js';
import { sleep, waitFor } from '../../lab/world/wait.js';
import { waitUntilTunnelWorks } from '../support/tunnel-canary.js';
import { startSupervisor, SUPERVISORS, type E2eRun } from './supervisors.js';

const CONNECT_S = 5;
/** For the sessions that come up: short, so that outliving it takes little time. */
const HEALTHY_CONNECT_S = 2;
const START_TIMEOUT_MS = 10_000;
const [AUTOSSH_1_4G, AUTOSSH_TS] = SUPERVISORS as [(typeof SUPERVISORS)[0], (typeof SUPERVISORS)[0]];

/** A server that takes the TCP connection, reads ssh's banner and never says a word. */
async function startSilentServer(): Promise<{ port: number; stop: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('data', () => {});
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

describe.sequential('D9 AUTOSSH_CONNECTTIME with real ssh', { timeout: 30_000 }, () => {
  let echo: EchoServer | undefined;
  let sshd: Sshd | undefined;
  let silent: Awaited<ReturnType<typeof startSilentServer>> | undefined;
  const runs: E2eRun[] = [];

  beforeAll(async () => {
    [echo, sshd, silent] = await Promise.all([startEchoServer(), startSshd(), startSilentServer()]);
  });

  afterAll(async () => {
    for (const run of runs) await run.cleanup();
    await silent?.stop();
    await sshd?.stop();
    await echo?.stop();
  });

  it('sees a -L session come up by ssh listening on its port, and keeps it', async () => {
    const localPort = await getFreePort();
    const run = startSupervisor(
      AUTOSSH_TS,
      ['-M', '0', '-N', '-L', `127.0.0.1:${localPort}:127.0.0.1:${echo!.port}`, ...sshd!.clientArgs(), sshd!.destination],
      { env: { AUTOSSH_CONNECTTIME: String(HEALTHY_CONNECT_S) } },
    );
    runs.push(run);
    await run.explain(waitUntilTunnelWorks(localPort, START_TIMEOUT_MS, { abortIf: run.exitReason }));
    const ssh = await run.waitForSshChild({ timeoutMs: 2_000 });
    await run.explain(
      waitFor(() => /ssh session established after \d+\.\d s/.test(run.log()), {
        timeoutMs: 2_000,
        what: 'the log to say the session is established',
      }),
    );
    // past CONNECTTIME: the established session is not restarted
    await sleep(HEALTHY_CONNECT_S * 1000 + 500);
    expect(run.sshChildren().map((p) => p.pid), run.describe()).toEqual([ssh.pid]);
    expect(run.log()).not.toMatch(/not established/);
  });

  it('sees a session with no forward come up by ssh saying "Authenticated to", passed on to our stderr', async () => {
    const run = startSupervisor(
      AUTOSSH_TS,
      ['-M', '0', '-N', ...sshd!.clientArgs({ LogLevel: 'VERBOSE' }), sshd!.destination],
      { env: { AUTOSSH_CONNECTTIME: String(HEALTHY_CONNECT_S) } },
    );
    runs.push(run);
    await run.explain(
      waitFor(() => /ssh session established after/.test(run.log()), {
        timeoutMs: START_TIMEOUT_MS,
        what: 'the log to say the session is established',
        abortIf: run.exitReason,
      }),
    );
    // ssh's verbose lines reached our stderr unchanged
    expect(run.output()).toMatch(/^Authenticated to 127\.0\.0\.1 \(\[127\.0\.0\.1\]:\d+\) using "publickey"\.\r?$/m);
  });

  it('restarts an ssh stuck in the handshake after CONNECTTIME; autossh 1.4g keeps it', async () => {
    const args = (localPort: number): string[] => [
      '-M', '0', '-N', '-L', `127.0.0.1:${localPort}:127.0.0.1:9`,
      '-F', '/dev/null', '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null',
      '-p', String(silent!.port), '127.0.0.1',
    ];
    const env = { AUTOSSH_CONNECTTIME: String(CONNECT_S) };
    const ts = startSupervisor(AUTOSSH_TS, args(await getFreePort()), { env });
    const oracle = startSupervisor(AUTOSSH_1_4G, args(await getFreePort()), { env });
    runs.push(ts, oracle);

    const [first, oracleSsh] = await Promise.all([
      ts.waitForSshChild({ timeoutMs: START_TIMEOUT_MS }),
      oracle.waitForSshChild({ timeoutMs: START_TIMEOUT_MS }),
    ]);
    const firstSeenAt = performance.now();
    const second = await ts.explain(ts.waitForSshChild({ timeoutMs: CONNECT_S * 1000 + 4_000, notPid: first.pid }));
    const restartedAfterMs = performance.now() - firstSeenAt;

    expect(ts.log()).toMatch(new RegExp(`ssh session not established ${CONNECT_S} s after its start; restarting ssh`));
    expect(restartedAfterMs, ts.describe()).toBeGreaterThan(CONNECT_S * 1000 - 1_000);
    expect(second.pid).not.toBe(first.pid);
    // 1.4g has no such rule: its first ssh still waits for a banner that never comes
    expect(oracle.sshChildren().map((p) => p.pid), oracle.describe()).toEqual([oracleSsh.pid]);
    expect(oracle.log()).not.toMatch(/not established/);
    console.info(`autossh-ts restarted the stuck ssh ${restartedAfterMs.toFixed(0)} ms after it was first seen`);
  });
});
