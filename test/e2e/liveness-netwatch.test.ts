// D11 AUTOSSH_NETWATCH with real ssh: autossh-ts runs in a client network namespace whose link to
// the server's is down, so every ssh fails at once ("Network is unreachable") and 1.4g's grace
// time makes it wait (20 s with POLL=6000). The link comes back during that wait: autossh-ts
// starts ssh at once instead of sleeping the wait out.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEchoServer, type EchoServer } from '../../lab/world/echo-server.js';
import { randomNamespacePort } from '../../lab/world/ports.js';
import { startSshd, type Sshd } from '../../lab/world/sshd.js';
import { waitFor } from '../../lab/world/wait.js';
import { createNetnsPair, type NetnsPair } from '../../lab/world/netns.js';
import { waitUntilTunnelWorks } from '../support/tunnel-canary.js';
import { startSupervisor, SUPERVISORS, type E2eRun } from './supervisors.js';

/** The sixth fast failure in a row waits trunc(POLL/100 * 1/3) s: 20 s here. */
const POLL_S = 6000;
const GRACE_S = 20;
/** The link seen back (one poll, 250 ms), ssh started and its tunnel carrying bytes. */
const BACK_WITHIN_MS = 5_000;
const AUTOSSH_TS = SUPERVISORS[1]!;

describe.sequential('D11 AUTOSSH_NETWATCH with real ssh', { timeout: 40_000 }, () => {
  let net: NetnsPair | undefined;
  let sshd: Sshd | undefined;
  let echo: EchoServer | undefined;
  let run: E2eRun | undefined;

  beforeAll(async () => {
    net = await createNetnsPair();
    [sshd, echo] = await Promise.all([
      startSshd({ netns: net.serverNs, listenAddress: net.serverAddr }),
      startEchoServer({ netns: net.serverNs }),
    ]);
  });

  afterAll(async () => {
    await run?.cleanup();
    await echo?.stop();
    await sshd?.stop();
    await net?.destroy();
  });

  it('ends the backoff wait when the link comes back', async () => {
    const localPort = randomNamespacePort();
    await net!.linkDown('client');
    run = startSupervisor(
      AUTOSSH_TS,
      ['-M', '0', '-N', '-L', `127.0.0.1:${localPort}:127.0.0.1:${echo!.port}`, ...sshd!.clientArgs(), sshd!.destination],
      { netns: net!.clientNs, env: { AUTOSSH_NETWATCH: '1', AUTOSSH_POLL: String(POLL_S) } },
    );
    await run.explain(
      waitFor(() => run!.log().includes(`sleeping for grace time ${GRACE_S} secs`), {
        timeoutMs: 15_000,
        what: `the backoff wait of ${GRACE_S} s after six fast failures`,
        abortIf: run.exitReason,
      }),
    );
    expect(run.output()).toMatch(/Network is unreachable/);
    const startsBefore = run.log().match(/starting ssh \(count/g)!.length;

    const upAt = performance.now();
    await net!.linkUp('client');
    await run.explain(waitUntilTunnelWorks(localPort, BACK_WITHIN_MS, { netns: net!.clientNs, abortIf: run.exitReason }));
    const backAfterMs = performance.now() - upAt;

    const log = run.log();
    expect(log).toMatch(/network changed \(link veth-c up[^)]*\): starting ssh now/);
    expect(log.match(/starting ssh \(count/g)!.length).toBe(startsBefore + 1);
    expect(backAfterMs, run.describe()).toBeLessThan(BACK_WITHIN_MS);
    console.info(`tunnel back ${backAfterMs.toFixed(0)} ms after the link came up, in a wait of ${GRACE_S} s`);
  });
});
