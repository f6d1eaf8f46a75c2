// A `-R` tunnel (server port -> client-side echo server) comes back after the server drops the
// session: the per-connection sshd processes are killed while the listening sshd stays up, as
// when a server kills a stale session. ssh sees its connection closed and exits; the supervisor
// must start a new one that binds the remote port again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEchoServer, type EchoServer } from '../../lab/world/echo-server.js';
import { getFreePort } from '../../lab/world/ports.js';
import { waitForExit } from '../../lab/world/processes.js';
import { startSshd, type Sshd } from '../../lab/world/sshd.js';
import { waitFor } from '../../lab/world/wait.js';
import { canaryEcho, waitUntilTunnelWorks } from '../support/tunnel-canary.js';
import { startSupervisor, SUPERVISORS, type E2eRun } from './supervisors.js';

const RECOVERY_TIMEOUT_MS = 15_000;

for (const sup of SUPERVISORS) {
  describe.sequential(`${sup.name}: -R tunnel with -M 0`, () => {
    let echo: EchoServer | undefined;
    let sshd: Sshd | undefined;
    let run: E2eRun | undefined;
    /** Listened on by the sshd session, on the server's loopback (the same host here). */
    let remotePort = 0;

    beforeAll(async () => {
      echo = await startEchoServer();
      sshd = await startSshd();
      remotePort = await getFreePort();
      run = startSupervisor(sup, [
        '-M', '0', '-N',
        '-R', `127.0.0.1:${remotePort}:127.0.0.1:${echo.port}`,
        ...sshd.clientArgs(),
        sshd.destination,
      ]);
    });

    afterAll(async () => {
      await run?.cleanup();
      await sshd?.stop();
      await echo?.stop();
    });

    const tunnelWorks = (): Promise<string> =>
      waitUntilTunnelWorks(remotePort, RECOVERY_TIMEOUT_MS, { abortIf: run!.exitReason });

    it('carries bytes from the server side to the client side', async () => {
      await tunnelWorks();
      expect(await canaryEcho(remotePort)).toMatch(/^canary-/);
      expect(sshd!.sessionPids().length, sshd!.log()).toBeGreaterThan(0);
    });

    it('comes back after the server kills the session serving it', async () => {
      await tunnelWorks();
      const sshBefore = await run!.waitForSshChild({ timeoutMs: 5_000 });
      const sessionsBefore = sshd!.sessionPids();
      const listenerPid = sshd!.pid;
      expect(sessionsBefore.length).toBeGreaterThan(0);

      await sshd!.dropSessions();

      expect(await waitForExit(sshBefore.pid, RECOVERY_TIMEOUT_MS), run!.describe()).toBe(true);
      const sshAfter = await run!.waitForSshChild({
        timeoutMs: RECOVERY_TIMEOUT_MS,
        notPid: sshBefore.pid,
      });
      expect(sshAfter.pid).not.toBe(sshBefore.pid);
      await tunnelWorks();
      // Served by a new session of the same, never restarted, listener.
      expect(sshd!.pid).toBe(listenerPid);
      const sessionsAfter = await waitFor(() => sshd!.sessionPids().length > 0 && sshd!.sessionPids(), {
        timeoutMs: 5_000,
        what: 'a new sshd session',
      });
      expect(sessionsAfter.filter((pid) => sessionsBefore.includes(pid))).toEqual([]);
      expect(run!.exitInfo(), run!.describe()).toBeUndefined();
    });
  });
}
