// What "up" means (src/driver/tunnel-state.ts), driven event by event through the real machine:
// with D9 on, a connection test that POLL starts before the session was shown (a POLL shorter
// than AUTOSSH_CONNECTTIME) does not make the tunnel up; a test that passes, or the session's
// evidence, does, for this ssh's life only. With D9 off a running ssh is up from its start.
import { describe, expect, it } from 'vitest';
import { runAsActor } from '../../src/driver/machine-runner.js';
import { tunnelStateOf } from '../../src/driver/tunnel-state.js';
import { parseCommandLine } from '../../src/machine/config/parse.js';
import type { Effect } from '../../src/machine/effects.js';
import type { MachineEvent, WorldEvent } from '../../src/machine/events.js';

function machine(args: string[], env: Record<string, string>) {
  const outcome = parseCommandLine(args, { AUTOSSH_PATH: 'ssh', AUTOSSH_GATETIME: '0', ...env });
  if (outcome.kind !== 'run') throw new Error(`bad config: ${JSON.stringify(outcome)}`);
  const effects: Effect[] = [];
  const actor = runAsActor({ config: outcome.config }, undefined, {
    onEffect: (effect) => effects.push(effect),
    onError: (error) => { throw error; },
  });
  const send = (atMs: number, event: WorldEvent): void => actor.send({ ...event, atMs } as MachineEvent);
  send(0, { type: 'START' });
  const lastProbeId = (): number => {
    const probe = effects.filter((e) => e.type === 'runProbe').at(-1);
    if (probe?.type !== 'runProbe') throw new Error('no connection test was started');
    return probe.probeId;
  };
  return { send, state: () => tunnelStateOf(actor.getSnapshot()), lastProbeId };
}

// a loop monitor tested every 10 s (first at 5 s), D9 waiting up to 60 s for the -L listener
const MONITORED_FORWARD = ['-M', '20000', '-N', '-L', '127.0.0.1:5432:db:5432', 'host'];
const SHORT_POLL = { AUTOSSH_CONNECTTIME: '60', AUTOSSH_POLL: '10', AUTOSSH_FIRST_POLL: '5' };

describe('what "up" means with D9 on and a POLL shorter than CONNECTTIME', () => {
  it('a test started before any evidence is not up; the test passing is', () => {
    const m = machine(MONITORED_FORWARD, SHORT_POLL);
    expect(m.state()).toMatchObject({ phase: 'connecting', up: false });
    m.send(5_000, { type: 'POLL_DUE' }); // connecting -> testing: a test, no evidence yet
    expect(m.state()).toMatchObject({ phase: 'connecting', up: false });
    m.send(5_300, { type: 'PROBE_PASSED', probeId: m.lastProbeId() });
    expect(m.state()).toMatchObject({ phase: 'up', up: true });
    m.send(15_300, { type: 'POLL_DUE' }); // the next test: this ssh was shown up already
    expect(m.state()).toMatchObject({ phase: 'testing', up: true });
  });

  it('evidence arriving while that early test runs makes it up', () => {
    const m = machine(MONITORED_FORWARD, SHORT_POLL);
    m.send(5_000, { type: 'POLL_DUE' });
    m.send(5_100, { type: 'SSH_ESTABLISHED', n: 1 });
    expect(m.state()).toMatchObject({ phase: 'testing', up: true });
  });

  it('a new ssh must show its session again', () => {
    const m = machine(MONITORED_FORWARD, SHORT_POLL);
    m.send(1_000, { type: 'SSH_ESTABLISHED', n: 1 });
    expect(m.state()).toMatchObject({ phase: 'up', up: true });
    m.send(8_000, { type: 'SSH_EXITED', end: { code: 255 } }); // restarted at once
    expect(m.state()).toMatchObject({ phase: 'connecting', up: false, startCount: 2 });
    m.send(13_000, { type: 'POLL_DUE' });
    expect(m.state()).toMatchObject({ phase: 'connecting', up: false });
  });

  it('without D9 a running ssh (and its tests) count as up, as 1.4g assumes', () => {
    const m = machine(['-M', '20000', '-N', 'host'], { AUTOSSH_POLL: '10', AUTOSSH_FIRST_POLL: '5' });
    expect(m.state()).toMatchObject({ phase: 'up', up: true });
    m.send(5_000, { type: 'POLL_DUE' });
    expect(m.state()).toMatchObject({ phase: 'testing', up: true });
  });
});
