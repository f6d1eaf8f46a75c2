// `-f` with AUTOSSH_PIDFILE: the launched process returns, a daemon keeps the tunnel up and
// records its pid; SIGTERM to that pid ends everything: the daemon, its ssh, and the pid file.
import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEchoServer, type EchoServer } from '../../lab/world/echo-server.js';
import { getFreePort } from '../../lab/world/ports.js';
import { descendantsOf, isAlive, isSshClient, readProc, type ProcInfo } from '../../lab/world/proc-table.js';
import { killIfSame, waitForExit } from '../../lab/world/processes.js';
import { startSshd, type Sshd } from '../../lab/world/sshd.js';
import { waitFor } from '../../lab/world/wait.js';
import { sshProcessesWith } from '../support/supervisor-process.js';
import { waitUntilTunnelWorks } from '../support/tunnel-canary.js';
import { startSupervisor, SUPERVISORS, type E2eRun } from './supervisors.js';

const START_TIMEOUT_MS = 15_000;
const EXIT_TIMEOUT_MS = 10_000;

for (const sup of SUPERVISORS) {
  describe.sequential(`${sup.name}: -f with AUTOSSH_PIDFILE`, () => {
    let echo: EchoServer | undefined;
    let sshd: Sshd | undefined;
    let run: E2eRun | undefined;
    /** The daemon is not our child: remember it (pid + start time) to kill it on failure. */
    let daemon: ProcInfo | undefined;

    beforeAll(async () => {
      echo = await startEchoServer();
      sshd = await startSshd();
    });

    afterAll(async () => {
      if (daemon) killIfSame(daemon);
      // ssh processes of this test carry this server's unique key path on their command line.
      if (sshd) for (const p of sshProcessesWith(sshd.keyPath)) killIfSame(p);
      await run?.cleanup();
      await sshd?.stop();
      await echo?.stop();
    });

    it('daemonizes, keeps the tunnel up, and SIGTERM ends daemon, ssh and pid file', async () => {
      const localPort = await getFreePort();
      run = startSupervisor(
        sup,
        [
          '-f', '-M', '0', '-N',
          '-L', `127.0.0.1:${localPort}:127.0.0.1:${echo!.port}`,
          ...sshd!.clientArgs(),
          sshd!.destination,
        ],
        { pidFile: true },
      );
      // The launched process only forks the daemon and returns.
      const launched = await run.explain(
        waitFor(() => run!.exitInfo(), { timeoutMs: START_TIMEOUT_MS, what: 'the -f parent to exit' }),
      );
      expect(launched, run.describe()).toEqual({ code: 0, signal: null });

      const daemonPid = await run.explain(
        waitFor(
          () => {
            const pid = Number(readFileSync(run!.pidFile, 'utf8').trim());
            return pid > 0 ? pid : undefined;
          },
          { timeoutMs: START_TIMEOUT_MS, what: `a pid in ${run.pidFile}` },
        ),
      );
      daemon = readProc(daemonPid);
      expect(daemon, `pid ${daemonPid} from the pid file is not running\n${run.describe()}`).toBeDefined();
      expect(daemonPid).not.toBe(run.pid);

      await run.explain(waitUntilTunnelWorks(localPort, START_TIMEOUT_MS));
      const ssh = await run.explain(
        waitFor(
          () => {
            const found = descendantsOf(daemonPid).filter(isSshClient);
            return found.length === 1 ? found[0] : undefined;
          },
          { timeoutMs: START_TIMEOUT_MS, what: `one ssh below daemon ${daemonPid}` },
        ),
      );

      process.kill(daemonPid, 'SIGTERM');
      expect(await waitForExit(daemonPid, EXIT_TIMEOUT_MS), run.describe()).toBe(true);
      expect(await waitForExit(ssh.pid, EXIT_TIMEOUT_MS), run.describe()).toBe(true);
      expect(existsSync(run.pidFile), run.describe()).toBe(false);
      expect(sshProcessesWith(sshd!.keyPath).map((p) => p.pid), run.describe()).toEqual([]);
      expect(isAlive(daemonPid)).toBe(false);
    });
  });
}
