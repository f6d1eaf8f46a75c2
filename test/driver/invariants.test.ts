// The driver asserts the supervisor's invariants on every run, real or simulated. A machine that
// broke one is played here by a runner that emits a scripted list of effects for START.
import { describe, expect, it } from 'vitest';
import type { SupervisorHost } from '../../src/driver/host.js';
import { InvariantBroken } from '../../src/driver/invariants.js';
import type { MachineRunner, RunMachine } from '../../src/driver/machine-runner.js';
import { Supervisor } from '../../src/driver/supervisor.js';
import { parseCommandLine } from '../../src/machine/config/parse.js';
import type { Config } from '../../src/machine/config/types.js';
import type { Effect } from '../../src/machine/effects.js';
import type { MachineEvent } from '../../src/machine/events.js';

function config(env: Record<string, string> = {}): Config {
  const outcome = parseCommandLine(['-M', '0', 'host'], { AUTOSSH_PATH: 'ssh', AUTOSSH_POLL: '60', ...env });
  if (outcome.kind !== 'run') throw new Error('bad config');
  return outcome.config;
}

/** A stand-in machine: each event it is sent plays the next scripted list of effects. */
function scripted(...steps: Effect[][]): RunMachine {
  return (_input, _persisted, callbacks): MachineRunner => ({
    send(_event: MachineEvent) {
      for (const effect of steps.shift() ?? []) callbacks.onEffect(effect);
    },
    getSnapshot: () => { throw new Error('not used'); },
    getPersistedSnapshot: () => { throw new Error('not used'); },
  });
}

/** A host that records what the driver asked of it. */
function recordingHost(): SupervisorHost & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    now: () => 1000,
    log: () => {},
    startFailed: (message) => calls.push(`startFailed ${message}`),
    openMonitorListener: (_port, done) => done(null),
    closeMonitorListener: () => {},
    writePidFile: () => null,
    removePidFile: () => {},
    spawnSsh: (n) => calls.push(`spawn ${n}`),
    signalSsh: (signal) => calls.push(`signal ${signal}`),
    runProbe: () => calls.push('probe'),
    cancelProbe: () => {},
    awaitEstablished: () => calls.push('awaitEstablished'),
    watchNetwork: () => calls.push('watchNetwork'),
    unwatchNetwork: () => calls.push('unwatchNetwork'),
    armTimer: (timer, dueMs) => calls.push(`arm ${timer} ${dueMs}`),
    cancelTimer: () => {},
    exit: (code) => calls.push(`exit ${code}`),
  };
}

const spawn = (n: number): Effect => ({ type: 'spawnSsh', n, argv: ['ssh', 'host'] });

describe('the driver asserts the invariants', () => {
  it('one ssh at a time: a second start while one is alive is refused, and the run stops loudly', () => {
    const host = recordingHost();
    const supervisor = new Supervisor(config(), { run: scripted([spawn(1), spawn(2)]) });
    expect(() => supervisor.start(host)).toThrow(InvariantBroken);
    expect(() => new Supervisor(config(), { run: scripted([spawn(1), spawn(2)]) }).start(recordingHost()))
      .toThrow(/ssh start 2 while another ssh is alive/);
    expect(host.calls).toEqual(['spawn 1']);
  });

  it('a new start is fine once the world reported the old ssh gone', () => {
    const host = recordingHost();
    const supervisor = new Supervisor(config(), { run: scripted([spawn(1)], [spawn(2)]) });
    supervisor.start(host);
    supervisor.tell({ type: 'SSH_EXITED', end: { code: 255 } });
    expect(host.calls).toEqual(['spawn 1', 'spawn 2']);
  });

  it('starts stay within AUTOSSH_MAXSTART', () => {
    const supervisor = new Supervisor(config({ AUTOSSH_MAXSTART: '1' }), { run: scripted([spawn(2)]) });
    expect(() => supervisor.start(recordingHost())).toThrow(/ssh start 2 beyond AUTOSSH_MAXSTART=1/);
  });

  it('a backoff wait never exceeds POLL', () => {
    const ok = new Supervisor(config(), { run: scripted([{ type: 'armTimer', timer: 'backoff', dueMs: 1000 + 60_000 }]) });
    expect(() => ok.start(recordingHost())).not.toThrow();
    const tooLong = new Supervisor(config(), { run: scripted([{ type: 'armTimer', timer: 'backoff', dueMs: 1000 + 60_001 }]) });
    expect(() => tooLong.start(recordingHost())).toThrow(/backoff wait of 60001 ms, longer than POLL=60 s/);
  });

  it('no exit while ssh is alive, and nothing after the exit', () => {
    const alive = new Supervisor(config(), { run: scripted([spawn(1), { type: 'exit', code: 0 }]) });
    expect(() => alive.start(recordingHost())).toThrow(/exit 0 while ssh is alive/);
    const host = recordingHost();
    const after = new Supervisor(config(), { run: scripted([{ type: 'exit', code: 0 }]) });
    after.start(host);
    expect(host.calls).toEqual(['exit 0']);
  });

  it('a host cannot tell news before it was started', () => {
    const supervisor = new Supervisor(config());
    expect(() => supervisor.tell({ type: 'SSH_EXITED', end: { code: 0 } })).toThrow(/before start-up/);
  });

  it('the real machine keeps them: a run through restarts and a backoff breaks none', () => {
    const host = recordingHost();
    const supervisor = new Supervisor(config({ AUTOSSH_GATETIME: '0', AUTOSSH_MAXSTART: '8' }));
    supervisor.start(host);
    for (let i = 0; i < 8; i++) {
      supervisor.tell({ type: 'SSH_EXITED', end: { code: 255 } });
      supervisor.tell({ type: 'BACKOFF_DUE' });
    }
    expect(host.calls.filter((c) => c.startsWith('spawn'))).toHaveLength(8);
    expect(host.calls.at(-1)).toBe('exit 0');
  });
});
