// What a broken invariant does, in each of the driver's modes: 'throw' (simulations, tests) and
// 'end' (production: the drop-in, each daemon tunnel). A step that breaks one is applied not at
// all. The real machine breaks none, so a broken one is played by a scripted runner, or the
// real machine is held to a bound lowered below what it does (`invariantConfig`).
import { describe, expect, it } from 'vitest';
import { InvariantBroken } from '../../src/driver/invariants.js';
import { FleetScope, runAsActor } from '../../src/driver/machine-runner.js';
import { Supervisor } from '../../src/driver/supervisor.js';
import { LOG_ERR } from '../../src/machine/config/log-levels.js';
import type { Effect } from '../../src/machine/effects.js';
import { config, recordingHost, scripted, spawn } from '../support/driver-doubles.js';

const log = (message: string): Effect => ({ type: 'log', level: 6, message });
const TIMER_CANCELS = ['cancel backoff', 'cancel poll', 'cancel lifetime', 'cancel kill', 'cancel connect'];

describe("a breach, onBreach: 'throw' (simulations and tests; the default)", () => {
  it('throws InvariantBroken naming the invariant and the event, and applies nothing of the step', () => {
    const host = recordingHost();
    const supervisor = new Supervisor(config(), { run: scripted([spawn(1)], [log('restarting'), { type: 'armTimer', timer: 'poll', dueMs: 2000 }, spawn(2)]) });
    supervisor.start(host);
    host.nowMs = 1500;
    expect(() => supervisor.tell({ type: 'POLL_DUE' })).toThrow(InvariantBroken);
    expect(host.calls).toEqual(['spawn 1']);
    expect(host.logs).toEqual([]);
    // it stays loud: the next news throws the same
    expect(() => supervisor.tell({ type: 'SSH_EXITED', end: { code: 0 } }))
      .toThrow(/^invariant "one ssh at a time" broken by POLL_DUE at 1500 ms: ssh start 2 while another ssh is alive/);
    expect(host.calls).toEqual(['spawn 1']);
  });
});

describe("a breach, onBreach: 'end' (the drop-in and each daemon tunnel)", () => {
  it('logs it at LOG_ERR, applies nothing of the step, stops the ssh, and exits 1 once it is gone', () => {
    const host = recordingHost();
    const supervisor = new Supervisor(config({ AUTOSSH_KILLTIME: '5' }), {
      onBreach: 'end',
      run: scripted([spawn(1)], [log('restarting'), { type: 'armTimer', timer: 'poll', dueMs: 2000 }, spawn(2)]),
    });
    supervisor.start(host);
    host.nowMs = 1500;
    expect(() => supervisor.tell({ type: 'POLL_DUE' })).not.toThrow();
    expect(host.logs).toEqual([
      `${LOG_ERR} invariant "one ssh at a time" broken by POLL_DUE at 1500 ms: ssh start 2 while another ssh is alive; ` +
        "none of that step's effects were applied; this supervisor stops its ssh and exits with status 1",
    ]);
    // no log line, no poll timer, no second ssh: only the driver's own stop
    expect(host.calls).toEqual(['spawn 1', ...TIMER_CANCELS, 'signal SIGTERM', 'arm kill 6500']);
    expect(supervisor.done).toBe(false);

    // the machine hears nothing more: timers and tests change nothing now
    supervisor.tell({ type: 'POLL_DUE' });
    supervisor.tell({ type: 'PROBE_PASSED', probeId: 1 });
    expect(host.calls).toHaveLength(2 + TIMER_CANCELS.length + 1);

    supervisor.tell({ type: 'SSH_EXITED', end: { signal: 'SIGTERM' } });
    expect(host.calls.slice(-3)).toEqual(['removePidFile', 'closeMonitorListener', 'exit 1']);
    expect(supervisor.done).toBe(true);
    expect(supervisor.exitCode).toBe(1);
  });

  it('an ssh that ignores SIGTERM is killed at AUTOSSH_KILLTIME, or at once on a second signal to exit (D4)', () => {
    for (const news of [{ type: 'KILL_DUE' }, { type: 'SIGNAL.TERM' }] as const) {
      const host = recordingHost();
      const supervisor = new Supervisor(config(), { onBreach: 'end', run: scripted([spawn(1)], [spawn(2)]) });
      supervisor.start(host);
      supervisor.tell({ type: 'SIGNAL.USR1' });
      supervisor.tell(news);
      expect(host.calls.at(-1)).toBe('signal SIGKILL');
      supervisor.tell({ type: 'SSH_EXITED', end: { signal: 'SIGKILL' } });
      expect(host.calls.at(-1)).toBe('exit 1');
    }
  });

  it('with no ssh alive, exits 1 at once', () => {
    const host = recordingHost();
    const supervisor = new Supervisor(config(), { onBreach: 'end', run: scripted([{ type: 'armTimer', timer: 'backoff', dueMs: 1000 + 60_001 }]) });
    supervisor.start(host);
    expect(host.logs[0]).toMatch(/^3 invariant "a backoff wait within POLL" broken by START at 1000 ms: a backoff wait of 60001 ms/);
    expect(host.calls).toEqual([...TIMER_CANCELS, 'removePidFile', 'closeMonitorListener', 'exit 1']);
  });

  it('an action that throws ends the run the same way: ssh stopped, then exit 1', () => {
    const host = recordingHost();
    const supervisor = new Supervisor(config(), { onBreach: 'end', run: scripted([spawn(1)], new Error('a guard read nothing')) });
    supervisor.start(host);
    supervisor.tell({ type: 'POLL_DUE' });
    expect(host.logs[0]).toMatch(/^3 internal error: Error: a guard read nothing; this supervisor stops its ssh/);
    expect(host.calls.slice(-2)).toEqual(['signal SIGTERM', 'arm kill 6000']);
    supervisor.tell({ type: 'SSH_EXITED', end: { signal: 'SIGTERM' } });
    expect(host.calls.at(-1)).toBe('exit 1');
  });
});

describe('the real machine, held to a lowered bound (invariantConfig)', () => {
  // an echo-form monitor and a 1 s POLL: the first connection test is due 1 s after the start,
  // with the 500 ms net timeout the config gives; the invariants are told 1 ms
  const real = (): ReturnType<typeof config> => config({ AUTOSSH_POLL: '1', AUTOSSH_FIRST_POLL: '1', AUTOSSH_GATETIME: '0' }, ['-M', '20000:7', 'host']);
  const lowered = (): ReturnType<typeof config> => ({ ...real(), netTimeoutMs: 1 });

  it("throws, in 'throw' mode, at the first connection test: run as an actor or in a fleet's scope", () => {
    for (const run of [runAsActor, new FleetScope().run]) {
      const host = recordingHost();
      const supervisor = new Supervisor(real(), { invariantConfig: lowered(), run });
      supervisor.start(host);
      expect(host.calls).toContain('spawn 1');
      host.nowMs = 2000;
      const before = host.calls.length;
      expect(() => supervisor.tell({ type: 'POLL_DUE' }))
        .toThrow(/^invariant "a connection test within the net timeout" broken by POLL_DUE at 2000 ms: a connection test with a time limit of 500 ms, longer than the net timeout of 1 ms/);
      expect(host.calls).toHaveLength(before);
    }
  });

  it("stops ssh and exits 1, in 'end' mode", () => {
    const host = recordingHost();
    const supervisor = new Supervisor(real(), { invariantConfig: lowered(), onBreach: 'end' });
    supervisor.start(host);
    host.nowMs = 2000;
    supervisor.tell({ type: 'POLL_DUE' });
    expect(host.calls).not.toContain('probe');
    expect(host.calls.at(-2)).toBe('signal SIGTERM');
    supervisor.tell({ type: 'SSH_EXITED', end: { signal: 'SIGTERM' } });
    expect(host.calls.at(-1)).toBe('exit 1');
  });

  it('keeps every invariant with the bounds of its own config', () => {
    const host = recordingHost();
    const supervisor = new Supervisor(real(), { onBreach: 'end' });
    supervisor.start(host);
    host.nowMs = 2000;
    supervisor.tell({ type: 'POLL_DUE' });
    expect(host.calls).toContain('probe');
    expect(host.logs.filter((line) => line.startsWith(`${LOG_ERR} `))).toEqual([]);
  });
});
