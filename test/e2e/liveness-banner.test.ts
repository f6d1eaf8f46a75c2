// A server's banner (sshd's Banner, SSH2_MSG_USERAUTH_BANNER) is printed by ssh on its stderr as it
// comes, before authentication, and autossh-ts reads that stderr for D9 and D10. Real sshd,
// real ssh: the banner imitates ssh's own words, and must change nothing it does not own.
// - D10: "remote port forwarding failed for listen port 9999" in a banner restarts neither a
//   tunnel with no -R nor one whose -R ports are others: only the tunnel's own -R ports count.
// - D9: "Authenticated to ..." lines in a banner (other host, other port, older and debug forms)
//   are not a session: with authentication hanging, the ssh is restarted after CONNECTTIME.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEchoServer, type EchoServer } from '../../lab/world/echo-server.js';
import { getFreePort } from '../../lab/world/ports.js';
import { startSshd, type Sshd } from '../../lab/world/sshd.js';
import { sleep, waitFor } from '../../lab/world/wait.js';
import { waitUntilTunnelWorks } from '../support/tunnel-canary.js';
import { startSupervisor, SUPERVISORS, type E2eRun } from './supervisors.js';

const AUTOSSH_TS = SUPERVISORS[1]!;
const START_TIMEOUT_MS = 10_000;
const CONNECT_S = 3;
/** Long enough for a banner-driven restart (at once, then 2 s) to show. */
const WATCH_MS = 3_500;

const dir = mkdtempSync(join(tmpdir(), `autossh-ts-banner-${process.pid}-`));
const forwardBanner = join(dir, 'forward-banner');
const authBanner = join(dir, 'auth-banner');

describe.sequential('a server banner that imitates ssh', { timeout: 30_000 }, () => {
  let echo: EchoServer | undefined;
  /** authenticates at once; its banner speaks of a refused forward */
  let sshd: Sshd | undefined;
  /** never finishes authentication (its only key source sleeps); its banner says "Authenticated to" */
  let hanging: Sshd | undefined;
  const runs: E2eRun[] = [];

  beforeAll(async () => {
    writeFileSync(forwardBanner, [
      'Warning: remote port forwarding failed for listen port 9999',
      // a line glued to the next, as a banner without its last newline would be
      'Error: remote port forwarding failed for listen port 9999',
      '',
    ].join('\r\n'));
    writeFileSync(authBanner, '\n');
    [echo, sshd, hanging] = await Promise.all([
      startEchoServer(),
      startSshd({ extraConfig: [`Banner ${forwardBanner}`] }),
      startSshd({
        extraConfig: [
          `Banner ${authBanner}`,
          'AuthorizedKeysCommand /usr/bin/sleep 15',
          'AuthorizedKeysCommandUser root',
          'Match all',
          'AuthorizedKeysFile none',
        ],
      }),
    ]);
    // sshd reads the banner at each connection: now that its port is known, the lines name it
    const port = hanging.port;
    writeFileSync(authBanner, [
      'Authenticated to 127.0.0.1',
      `Authenticated to bastion.example ([127.0.0.1]:${port}) using "publickey".`,
      'Authenticated to 127.0.0.1 ([127.0.0.1]:22) using "publickey".',
      'Authenticated to 127.0.0.1 ([127.0.0.1]:22).',
      'Authenticated to 127.0.0.1 (via proxy) using "publickey".',
      'debug1: Authentication succeeded (publickey).',
      '',
    ].join('\r\n'));
  });

  afterAll(async () => {
    for (const run of runs) await run.cleanup();
    await Promise.all([sshd?.stop(), hanging?.stop(), echo?.stop()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it.each([
    ['a tunnel with no -R', [] as string[]],
    ['a tunnel whose -R port is another', ['-R', 'PORT']],
  ])('D10: a banner\'s refused forward restarts neither %s', async (_what, remote) => {
    const localPort = await getFreePort();
    const remoteArgs = remote.length > 0 ? ['-R', `127.0.0.1:${await getFreePort()}:127.0.0.1:${echo!.port}`] : [];
    const run = startSupervisor(
      AUTOSSH_TS,
      ['-M', '0', '-N', '-L', `127.0.0.1:${localPort}:127.0.0.1:${echo!.port}`, ...remoteArgs, ...sshd!.clientArgs(), sshd!.destination],
      { env: { AUTOSSH_FORWARDCHECK: '1' } },
    );
    runs.push(run);
    await run.explain(waitUntilTunnelWorks(localPort, START_TIMEOUT_MS, { abortIf: run.exitReason }));
    const ssh = await run.waitForSshChild({ timeoutMs: 2_000 });
    await sleep(WATCH_MS);
    expect(run.sshChildren().map((p) => p.pid), run.describe()).toEqual([ssh.pid]);
    expect(run.log()).not.toMatch(/remote port forwarding failed|restarting ssh/);
    // the banner did reach ssh's stderr, and ours, unchanged
    expect(run.output()).toContain('Warning: remote port forwarding failed for listen port 9999\r\n');
  });

  it('D9: "Authenticated to" in a banner is no session: an ssh stuck in authentication is restarted after CONNECTTIME', async () => {
    const run = startSupervisor(
      AUTOSSH_TS,
      // no port of its own: ssh's line is the only evidence; no ServerAlive to end it otherwise
      ['-M', '0', '-N', ...hanging!.clientArgs({ LogLevel: 'VERBOSE', ServerAliveInterval: null, ServerAliveCountMax: null }), hanging!.destination],
      { env: { AUTOSSH_CONNECTTIME: String(CONNECT_S) } },
    );
    runs.push(run);
    const first = await run.explain(run.waitForSshChild({ timeoutMs: START_TIMEOUT_MS }));
    await run.explain(
      waitFor(() => run.output().includes('debug1: Authentication succeeded'), { timeoutMs: START_TIMEOUT_MS, what: 'ssh to print the banner' }),
    );
    const second = await run.explain(run.waitForSshChild({ timeoutMs: CONNECT_S * 1000 + 4_000, notPid: first.pid }));
    expect(second.pid).not.toBe(first.pid);
    expect(run.log()).toMatch(new RegExp(`ssh session not established ${CONNECT_S} s after its start; restarting ssh`));
    expect(run.log()).not.toMatch(/session established after/);
  });
});
