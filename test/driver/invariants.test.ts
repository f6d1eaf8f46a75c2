// The driver asserts the supervisor's invariants on every run, real or simulated. A machine that
// broke one is played here by a runner that emits a scripted list of effects for START.
import { describe, expect, it } from 'vitest';
import { InvariantBroken } from '../../src/driver/invariants.js';
import { Supervisor } from '../../src/driver/supervisor.js';
import type { Effect } from '../../src/machine/effects.js';
import { config, recordingHost, scripted, spawn } from '../support/driver-doubles.js';

describe('the driver asserts the invariants', () => {
  it('one ssh at a time: a second start while one is alive is refused, and the run stops loudly', () => {
    const host = recordingHost();
    const supervisor = new Supervisor(config(), { run: scripted([spawn(1), spawn(2)]) });
    expect(() => supervisor.start(host)).toThrow(InvariantBroken);
    expect(() => new Supervisor(config(), { run: scripted([spawn(1), spawn(2)]) }).start(recordingHost()))
      .toThrow(/^invariant "one ssh at a time" broken by START at 1000 ms: ssh start 2 while another ssh is alive; none of that step's effects were applied$/);
    // the whole step is refused: not even the first start, which alone was fine
    expect(host.calls).toEqual([]);
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

  it('a connection test has a time limit, within the net timeout', () => {
    const probe = (netTimeoutMs: number): Effect => ({ type: 'runProbe', probeId: 1, monitor: { form: 'echo', writePort: 20000, echoPort: 7 }, netTimeoutMs, testMessage: '' });
    const limit = config().netTimeoutMs;
    expect(() => new Supervisor(config(), { run: scripted([probe(limit)]) }).start(recordingHost())).not.toThrow();
    expect(() => new Supervisor(config(), { run: scripted([probe(0)]) }).start(recordingHost())).toThrow(/a connection test with no time limit/);
    expect(() => new Supervisor(config(), { run: scripted([probe(limit + 1)]) }).start(recordingHost()))
      .toThrow(new RegExp(`a connection test with a time limit of ${limit + 1} ms, longer than the net timeout of ${limit} ms`));
  });

  it('no exit while ssh is alive, and nothing after the exit', () => {
    const alive = new Supervisor(config(), { run: scripted([spawn(1), { type: 'exit', code: 0 }]) });
    expect(() => alive.start(recordingHost())).toThrow(/exit 0 while ssh is alive/);
    const host = recordingHost();
    const after = new Supervisor(config(), { run: scripted([{ type: 'exit', code: 0 }]) });
    after.start(host);
    expect(host.calls).toEqual(['removePidFile', 'closeMonitorListener', 'exit 0']);
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
