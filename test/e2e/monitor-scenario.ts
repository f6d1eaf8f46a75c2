// `-M` monitoring replaces an ssh that is alive but stuck (SIGSTOPped): neither the process nor
// its connection dies, only the monitor's end-to-end test notices. ServerAlive is off so ssh
// itself cannot detect anything. sshd runs in its own network namespace, reached over a veth:
// the loop form binds port wp on the client (-L) and on the server (-R), which collide on one host.
import { constants } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEchoServer, type EchoServer } from '../../lab/world/echo-server.js';
import { createNetnsPair, type NetnsPair } from '../../lab/world/netns.js';
import { randomNamespacePort } from '../../lab/world/ports.js';
import { isAlive, pendingSignals } from '../../lab/world/proc-table.js';
import { waitForExit } from '../../lab/world/processes.js';
import { startSshd, type Sshd } from '../../lab/world/sshd.js';
import { sleep, waitFor } from '../../lab/world/wait.js';
import { waitUntilTunnelWorks } from '../support/tunnel-canary.js';
import { startSupervisor, SUPERVISORS, type E2eRun } from './supervisors.js';

const POLL_S = 4;
/** A stuck ssh is found at the next poll plus the net timeout (min(15, POLL/2)); with margin. */
const DETECT_TIMEOUT_MS = (POLL_S * 2 + 10) * 1_000;
const START_TIMEOUT_MS = 15_000;
const { SIGTERM, SIGKILL } = constants.signals;
/** Above the sum of the bounded waits in one test, so a timeout names the wait that failed. */
const TEST_TIMEOUT_MS = 90_000;

export interface MonitorForm {
  /** Test name, e.g. 'loop form -M wp'. */
  form: string;
  /** The -M argument for monitor port wp and remote echo port ep. */
  monitor: (wp: number, ep: number) => string;
}

/**
 * Declares the SIGSTOP scenario for one form of -M, for every supervisor. One form per test
 * file, so vitest runs the forms in parallel (each waits out several poll periods).
 */
export function describeMonitorForm({ form, monitor }: MonitorForm): void {
  for (const sup of SUPERVISORS) {
    describe.sequential(`${sup.name}: -M monitoring, ${form}`, { timeout: TEST_TIMEOUT_MS }, () => {
      let net: NetnsPair | undefined;
      let sshd: Sshd | undefined;
      /** The remote echo service: the echo form's ep, and the far end of a data tunnel. */
      let echo: EchoServer | undefined;
      const runs: E2eRun[] = [];

      beforeAll(async () => {
        net = await createNetnsPair();
        sshd = await startSshd({ netns: net.serverNs, listenAddress: net.serverAddr });
        echo = await startEchoServer({ netns: net.serverNs });
      });

      afterAll(async () => {
        for (const run of runs) await run.cleanup();
        await echo?.stop();
        await sshd?.stop();
        await net?.destroy();
      });

      it('keeps a healthy ssh, replaces a SIGSTOPped one', async () => {
        const wp = randomNamespacePort();
        const dataPort = wp + 10;
        const run = startSupervisor(
          sup,
          [
            '-M', monitor(wp, echo!.port), '-N',
            // A data tunnel next to the monitor's, to show the replacement carries bytes.
            '-L', `127.0.0.1:${dataPort}:127.0.0.1:${echo!.port}`,
            ...sshd!.clientArgs({ ServerAliveInterval: '0', ServerAliveCountMax: null }),
            sshd!.destination,
          ],
          { netns: net!.clientNs, env: { AUTOSSH_POLL: String(POLL_S) } },
        );
        runs.push(run);
        const canary = { netns: net!.clientNs, abortIf: run.exitReason };

        await waitUntilTunnelWorks(dataPort, START_TIMEOUT_MS, canary);
        const healthy = await run.waitForSshChild({ timeoutMs: 5_000 });
        // Past the first poll and its net timeout: a healthy ssh must survive the monitor's test.
        await sleep((POLL_S + POLL_S / 2 + 1) * 1_000);
        expect(run.sshChildren().map((p) => p.pid), run.describe()).toEqual([healthy.pid]);

        process.kill(healthy.pid, 'SIGSTOP');
        const stoppedAt = Date.now();
        try {
          // Detection: the supervisor signals the stuck ssh. A stopped ssh cannot act on its
          // caught SIGTERM (autossh 1.4g then waits for it forever; autossh-ts would SIGKILL it
          // after AUTOSSH_KILLTIME), so the signal shows up as pending, or the ssh is gone.
          const verdict = await run.explain(
            waitFor(
              () => {
                if (!isAlive(healthy.pid)) return 'killed';
                const pending = pendingSignals(healthy.pid);
                return pending.has(SIGTERM) || pending.has(SIGKILL) ? 'signalled' : undefined;
              },
              {
                timeoutMs: DETECT_TIMEOUT_MS,
                what: `the supervisor to signal stopped ssh ${healthy.pid}`,
                abortIf: run.exitReason,
              },
            ),
          );
          const detectedMs = Date.now() - stoppedAt;
          // Let it run again, as a hung ssh would eventually: the pending SIGTERM ends it.
          if (verdict === 'signalled') process.kill(healthy.pid, 'SIGCONT');

          const replacement = await run.explain(
            run.waitForSshChild({ timeoutMs: START_TIMEOUT_MS, notPid: healthy.pid }),
          );
          expect(replacement.pid).not.toBe(healthy.pid);
          expect(await waitForExit(healthy.pid, 5_000), run.describe()).toBe(true);
          await run.explain(waitUntilTunnelWorks(dataPort, START_TIMEOUT_MS, canary));
          expect(run.sshChildren().map((p) => p.pid), run.describe()).toEqual([replacement.pid]);
          // The canaries above were served by the echo server inside the server's namespace.
          expect(echo!.connections()).toBeGreaterThan(0);
          console.info(
            `${sup.name}, ${form}: stuck ssh signalled after ${detectedMs} ms, ` +
              `tunnel back after ${Date.now() - stoppedAt} ms`,
          );
        } finally {
          // Never leave a stopped ssh behind, whatever the supervisor did.
          if (isAlive(healthy.pid)) {
            process.kill(healthy.pid, 'SIGKILL');
            await waitForExit(healthy.pid, 2_000);
          }
        }
      });
    });
  }
}
