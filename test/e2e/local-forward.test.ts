// A `-L` tunnel supervised with monitoring off (-M 0): it carries bytes, and it comes back after
// its ssh is killed and after the server restarts. Recovery here relies on ssh exiting (killed,
// or ServerAlive/connection loss) and the supervisor starting a new one.
import { describe, expect, it } from 'vitest';
import { isAlive } from '../../lab/world/proc-table.js';
import { waitForExit } from '../../lab/world/processes.js';
import { canaryEcho } from '../support/tunnel-canary.js';
import { forwardWorld } from './forward-world.js';
import { SUPERVISORS } from './supervisors.js';

/** ssh start to first byte is ~0.15 s here; restarts after a failure add ServerAlive detection. */
const RECOVERY_TIMEOUT_MS = 15_000;
/** Above the sum of the bounded waits in one test, so a timeout names the wait that failed. */
const TEST_TIMEOUT_MS = 90_000;

for (const sup of SUPERVISORS) {
  describe.sequential(`${sup.name}: -L tunnel with -M 0`, { timeout: TEST_TIMEOUT_MS }, () => {
    const world = forwardWorld(sup, '-L', RECOVERY_TIMEOUT_MS);

    it('carries bytes through the tunnel', async () => {
      const { echo, run, port, tunnelWorks } = world();
      await tunnelWorks();
      const line = await canaryEcho(port);
      expect(line).toMatch(/^canary-/);
      expect(echo.connections()).toBeGreaterThanOrEqual(2);
      expect(run.sshChildren(), run.describe()).toHaveLength(1);
    });

    it('comes back after its ssh child is SIGKILLed', async () => {
      const { run, tunnelWorks } = world();
      await tunnelWorks();
      const before = await run.waitForSshChild({ timeoutMs: 5_000 });
      process.kill(before.pid, 'SIGKILL');
      expect(await waitForExit(before.pid, 5_000)).toBe(true);

      const after = await run.waitForSshChild({ timeoutMs: RECOVERY_TIMEOUT_MS, notPid: before.pid });
      expect(after.pid).not.toBe(before.pid);
      await tunnelWorks();
      expect(run.exitInfo(), run.describe()).toBeUndefined();
    });

    it('comes back after sshd restarts', async () => {
      const { run, sshd, tunnelWorks } = world();
      await tunnelWorks();
      const before = await run.waitForSshChild({ timeoutMs: 5_000 });
      const sshdPidBefore = sshd.pid;
      await sshd.restart();
      expect(sshd.pid).not.toBe(sshdPidBefore);

      // The old ssh lost its connection: it must be replaced, not left hanging.
      expect(await waitForExit(before.pid, RECOVERY_TIMEOUT_MS), run.describe()).toBe(true);
      const after = await run.waitForSshChild({ timeoutMs: RECOVERY_TIMEOUT_MS, notPid: before.pid });
      expect(after.pid).not.toBe(before.pid);
      await tunnelWorks();
      expect(isAlive(run.pid), run.describe()).toBe(true);
    });
  });
}
