// A `-R` tunnel (server port -> client-side echo server) comes back after the server drops the
// session: the per-connection sshd processes are killed while the listening sshd stays up, as
// when a server kills a stale session. ssh sees its connection closed and exits; the supervisor
// must start a new one that binds the remote port again.
import { describe, expect, it } from 'vitest';
import { waitForExit } from '../../lab/world/processes.js';
import { waitFor } from '../../lab/world/wait.js';
import { canaryEcho } from '../support/tunnel-canary.js';
import { forwardWorld } from './forward-world.js';
import { SUPERVISORS } from './supervisors.js';

const RECOVERY_TIMEOUT_MS = 15_000;

for (const sup of SUPERVISORS) {
  describe.sequential(`${sup.name}: -R tunnel with -M 0`, () => {
    /** its port is listened on by the sshd session, on the server's loopback (the same host here) */
    const world = forwardWorld(sup, '-R', RECOVERY_TIMEOUT_MS);

    it('carries bytes from the server side to the client side', async () => {
      const { sshd, port, tunnelWorks } = world();
      await tunnelWorks();
      expect(await canaryEcho(port)).toMatch(/^canary-/);
      expect(sshd.sessionPids().length, sshd.log()).toBeGreaterThan(0);
    });

    it('comes back after the server kills the session serving it', async () => {
      const { run, sshd, tunnelWorks } = world();
      await tunnelWorks();
      const sshBefore = await run.waitForSshChild({ timeoutMs: 5_000 });
      const sessionsBefore = sshd.sessionPids();
      const listenerPid = sshd.pid;
      expect(sessionsBefore.length).toBeGreaterThan(0);

      await sshd.dropSessions();

      expect(await waitForExit(sshBefore.pid, RECOVERY_TIMEOUT_MS), run.describe()).toBe(true);
      const sshAfter = await run.waitForSshChild({
        timeoutMs: RECOVERY_TIMEOUT_MS,
        notPid: sshBefore.pid,
      });
      expect(sshAfter.pid).not.toBe(sshBefore.pid);
      await tunnelWorks();
      // Served by a new session of the same, never restarted, listener.
      expect(sshd.pid).toBe(listenerPid);
      const sessionsAfter = await waitFor(() => sshd.sessionPids().length > 0 && sshd.sessionPids(), {
        timeoutMs: 5_000,
        what: 'a new sshd session',
      });
      expect(sessionsAfter.filter((pid) => sessionsBefore.includes(pid))).toEqual([]);
      expect(run.exitInfo(), run.describe()).toBeUndefined();
    });
  });
}
