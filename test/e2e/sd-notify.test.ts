// The drop-in under a Type=notify unit, minus systemd: the built bundle runs with NOTIFY_SOCKET
// pointing at a python3 datagram socket and a fake ssh, and the test reads the real datagrams:
// READY=1 once ssh runs, STATUS= at each phase, STOPPING=1 after SIGTERM, WATCHDOG=1 at half
// WATCHDOG_USEC. Without NOTIFY_SOCKET the transport is never loaded.
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { readProc } from '../../lab/world/proc-table.js';
import { sleep, waitFor } from '../../lab/world/wait.js';
import { startNotifyReceiver, type NotifyReceiver } from '../support/notify-receiver.js';
import { startSupervisor, SUPERVISORS, type E2eRun } from './supervisors.js';

const AUTOSSH_TS = SUPERVISORS[1]!;
const TIMEOUT_MS = 10_000;

/** the native half of unix-dgram, as it shows in /proc/PID/maps once loaded */
const TRANSPORT_LIBRARY = 'unix_dgram.node';

describe('sd_notify from the drop-in', { timeout: 30_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'autossh-ts-sdnotify-'));
  const sleepingSsh = join(dir, 'sleeping', 'ssh');
  const failingSsh = join(dir, 'failing', 'ssh');
  /** ignores SIGTERM: the supervisor stays in "stopping ssh" until a second signal brings SIGKILL (D4) */
  const stubbornSsh = join(dir, 'stubborn', 'ssh');
  const scripts = [[sleepingSsh, 'exec sleep 600'], [failingSsh, 'exit 255'], [stubbornSsh, "trap '' TERM\nwhile :; do sleep 1; done"]] as const;
  for (const [path, body] of scripts) {
    // each is named ssh, in a directory of its own
    mkdirSync(join(path, '..'));
    writeFileSync(path, `#!/bin/sh\n${body}\n`);
    chmodSync(path, 0o755);
  }
  let run: E2eRun | undefined;
  let receiver: NotifyReceiver | undefined;

  afterEach(async () => {
    await run?.cleanup();
    await receiver?.stop();
    run = undefined;
    receiver = undefined;
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('READY=1 once ssh runs, its STATUS, WATCHDOG=1 every 100 ms, STOPPING=1 after SIGTERM, each once', async () => {
    receiver = await startNotifyReceiver();
    run = startSupervisor(AUTOSSH_TS, ['-M', '0', '-N', 'host'], {
      env: { AUTOSSH_PATH: stubbornSsh, NOTIFY_SOCKET: receiver.address, WATCHDOG_USEC: '200000' },
    });
    const r = receiver;
    const readyAt = await run.explain(r.waitFor('READY=1', (m) => m.startsWith('READY=1')));
    const ready = r.messages[readyAt]!;
    const sshPid = Number(/^READY=1\nSTATUS=ssh running \(pid (\d+)\), up$/.exec(ready)?.[1]);
    expect(sshPid, ready).toBeGreaterThan(0);
    // ssh runs, ours, and was logged as started before READY=1 went out
    expect(readProc(sshPid)?.ppid, run.describe()).toBe(run.pid);
    expect(run.log()).toContain(`ssh child pid is ${sshPid}`);
    expect(readFileSync(`/proc/${run.pid}/maps`, 'utf8')).toContain(TRANSPORT_LIBRARY);
    // ssh is not the service: systemd's variables are not passed on to it
    // the pid is ssh's from the fork on, but setpriv and the parent check exec it a moment later:
    // its environment is read once the exec has happened (a loaded machine shows the gap)
    // (until then it holds our environment renamed AUTOSSH_TS_ENV_n, or none mid-exec)
    const execDone = (): boolean => {
      const environment = readFileSync(`/proc/${sshPid}/environ`, 'utf8');
      return environment !== '' && !environment.includes('AUTOSSH_TS_ENV_');
    };
    for (let tries = 0; tries < 100 && !execDone(); tries++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const sshEnvironment = readFileSync(`/proc/${sshPid}/environ`, 'utf8').split('\0');
    expect(sshEnvironment.filter((v) => /^(NOTIFY_SOCKET|WATCHDOG_USEC|WATCHDOG_PID)=/.test(v))).toEqual([]);
    expect(sshEnvironment).toContain(`AUTOSSH_PATH=${stubbornSsh}`);

    // the watchdog: half of 200 ms
    const pingsBefore = r.messages.filter((m) => m === 'WATCHDOG=1').length;
    await sleep(1_000);
    const pings = r.messages.filter((m) => m === 'WATCHDOG=1').length - pingsBefore;
    expect(pings).toBeGreaterThanOrEqual(7);
    expect(pings).toBeLessThanOrEqual(11);

    run.child.kill('SIGTERM');
    const stoppingAt = await run.explain(r.waitFor('STOPPING=1', (m) => m.startsWith('STOPPING=1')));
    expect(r.messages[stoppingAt]).toBe(`STOPPING=1\nSTATUS=stopping ssh (pid ${sshPid}) on the way out`);
    // ssh ignores SIGTERM; a second SIGTERM makes the supervisor SIGKILL it: a step that changes
    // nothing systemd is shown, so nothing is sent for it
    await sleep(300);
    expect(readProc(sshPid)?.ppid, run.describe()).toBe(run.pid);
    run.child.kill('SIGTERM');
    expect(await run.exited).toEqual({ code: 1, signal: null });
    expect(run.log()).toContain('second signal to exit');
    const notPings = r.messages.filter((m) => m !== 'WATCHDOG=1');
    // sent once each, in this order, and nothing else
    expect(notPings, run.describe()).toEqual([
      `READY=1\nSTATUS=ssh running (pid ${sshPid}), up`,
      `STOPPING=1\nSTATUS=stopping ssh (pid ${sshPid}) on the way out`,
      'STATUS=exiting (status 1)',
    ]);
  });

  it('an ssh that keeps failing: READY=1 at the first start, one STATUS per start, then "backing off"', async () => {
    receiver = await startNotifyReceiver();
    run = startSupervisor(AUTOSSH_TS, ['-M', '0', '-N', 'host'], { env: { AUTOSSH_PATH: failingSsh, NOTIFY_SOCKET: receiver.address } });
    const r = receiver;
    // five fast tries start at once; the sixth waits 2 s (1.4g's grace time with AUTOSSH_POLL=600)
    const backoffAt = await run.explain(r.waitFor('backing off', (m) => m.startsWith('STATUS=backing off'), TIMEOUT_MS));
    expect(r.messages[backoffAt]).toBe('STATUS=backing off 2 s (graceTime)');
    const before = r.messages.slice(0, backoffAt);
    expect(before[0], run.describe()).toMatch(/^READY=1\nSTATUS=ssh running \(pid \d+\), up$/);
    expect(before.filter((m) => m.includes('READY=1'))).toHaveLength(1);
    expect(before.slice(1).every((m) => /^STATUS=ssh running \(pid \d+\), up$/.test(m)), before.join(' | ')).toBe(true);
    expect(new Set(before).size).toBe(before.length); // no duplicates
    expect(before.length).toBe(6);

    run.child.kill('SIGTERM');
    expect(await run.exited).toEqual({ code: 1, signal: null });
    // a signal to exit while waiting: the run ends at once, STOPPING=1 with it
    await r.waitFor('STOPPING=1', (m) => m.startsWith('STOPPING=1'));
    expect(r.messages.slice(backoffAt + 1)).toEqual(['STOPPING=1\nSTATUS=exiting (status 1)']);
  });

  it('an ssh that cannot start: no READY=1, only STOPPING=1 and the exit', async () => {
    receiver = await startNotifyReceiver();
    const missing = join(dir, 'missing', 'ssh');
    run = startSupervisor(AUTOSSH_TS, ['-M', '0', '-N', 'host'], { env: { AUTOSSH_PATH: missing, NOTIFY_SOCKET: receiver.address } });
    expect(await run.exited, run.describe()).toEqual({ code: 1, signal: null });
    await receiver.waitFor('STOPPING=1', (m) => m.startsWith('STOPPING=1'));
    // the machine is in sshRunning until the failure is told: "starting ssh" may show meanwhile,
    // never READY=1 nor "running"
    const messages = receiver.messages;
    expect(messages.at(-1), run.describe()).toBe('STOPPING=1\nSTATUS=exiting (status 1)');
    expect(messages.slice(0, -1).every((m) => m === 'STATUS=starting ssh'), messages.join(' | ')).toBe(true);
  });

  it('without NOTIFY_SOCKET the transport is never loaded', async () => {
    run = startSupervisor(AUTOSSH_TS, ['-M', '0', '-N', 'host'], { env: { AUTOSSH_PATH: sleepingSsh } });
    const r = run;
    await run.explain(waitFor(() => r.log().includes('ssh child pid is'), { timeoutMs: TIMEOUT_MS, what: 'ssh started', abortIf: r.exitReason }));
    expect(readFileSync(`/proc/${run.pid}/maps`, 'utf8')).not.toContain(TRANSPORT_LIBRARY);
  });

  it('an unusable NOTIFY_SOCKET is logged, and the tunnel runs all the same', async () => {
    run = startSupervisor(AUTOSSH_TS, ['-M', '0', '-N', 'host'], { env: { AUTOSSH_PATH: sleepingSsh, NOTIFY_SOCKET: 'relative/notify' } });
    const r = run;
    await run.explain(waitFor(() => r.log().includes('ssh child pid is'), { timeoutMs: TIMEOUT_MS, what: 'ssh started', abortIf: r.exitReason }));
    expect(run.log()).toContain('sd_notify: NOTIFY_SOCKET="relative/notify" is neither an absolute path nor an @abstract name: no readiness notifications');
  });
});
