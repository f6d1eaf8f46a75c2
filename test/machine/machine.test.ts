// The divergences the public oracle does not exercise, as scenarios in the oracle's format run
// in the simulator: what autossh-ts does instead of 1.4g (DESIGN.md D1-D6); and orderings of
// events no scenario can produce, driven directly.
import { describe, expect, it } from 'vitest';
import { runAsActor } from '../../src/driver/machine-runner.js';
import { LOG_ERR } from '../../src/machine/config/log-levels.js';
import { parseCommandLine } from '../../src/machine/config/parse.js';
import type { Effect } from '../../src/machine/effects.js';
import { signalEvent } from '../../src/machine/events.js';
import { parseScenario } from '../../sim/oracle/scenario.js';
import { simulateScenario } from '../../sim/oracle/run-scenario.js';
import type { TraceEvent } from '../../sim/oracle/trace.js';

function run(scenario: Record<string, unknown>): TraceEvent[] {
  return simulateScenario(parseScenario({ name: 't', ssh: [{}], cap: 60, ...scenario }, 'test')).events;
}
const kinds = (events: TraceEvent[], kind: string): TraceEvent[] => events.filter((e) => e.kind === kind);
const fastFailures = Array.from({ length: 30 }, () => ({ exit: 255, after: 0.4 }));

describe('divergences from 1.4g', () => {
  it('D2: SIGHUP while ssh runs with monitoring tests the connection now', () => {
    const events = run({
      env: { AUTOSSH_GATETIME: '0', AUTOSSH_POLL: '10' }, args: ['-M', '{{MPORT}}', '-N', 'h'],
      signals: [{ at: 4, signal: 'SIGHUP' }], cap: 20,
    });
    // probes at 4 (the SIGHUP) and 14 (POLL from the end of that test), not at 10 and 20
    expect(kinds(events, 'probe').map((e) => e.t)).toEqual([4, 14]);
    expect(kinds(events, 'child_spawn')).toHaveLength(1);
  });

  it('D2: SIGHUP with -M 0 does nothing, as in 1.4g', () => {
    const events = run({ env: { AUTOSSH_GATETIME: '0' }, args: ['-M', '0', 'h'], signals: [{ at: 2, signal: 'SIGHUP' }], cap: 5 });
    expect(kinds(events, 'child_spawn')).toHaveLength(1);
    expect(kinds(events, 'timeout')).toHaveLength(1);
  });

  it('D1: SIGUSR1 during the backoff wait starts ssh now', () => {
    // POLL=30: start 10 waits 1 s (exit at 3.6), start 11 would wait 2 s (exit at 5.0, start at 7.0)
    const events = run({
      env: { AUTOSSH_GATETIME: '0', AUTOSSH_POLL: '30' }, args: ['-M', '0', 'h'],
      ssh: [...fastFailures.slice(0, 10), {}], signals: [{ at: 6.8, signal: 'SIGUSR1' }], cap: 10,
    });
    expect(kinds(events, 'child_spawn').find((e) => e.n === 10)!.t).toBe(4.6);
    expect(kinds(events, 'child_spawn').find((e) => e.n === 11)!.t).toBe(6.8);
    expect(kinds(events, 'supervisor_exit')).toHaveLength(0);
  });

  it('D5: the lifetime ends a backoff wait with exit 0, and no ssh starts after it', () => {
    const events = run({
      env: { AUTOSSH_GATETIME: '0', AUTOSSH_POLL: '30', AUTOSSH_MAXLIFETIME: '6' }, args: ['-M', '0', 'h'],
      ssh: fastFailures, cap: 30,
    });
    expect(kinds(events, 'supervisor_exit')).toEqual([{ t: 6, kind: 'supervisor_exit', code: 0 }]);
    expect(kinds(events, 'child_spawn').every((e) => e.t < 6)).toBe(true);
  });

  it.each(['SIGQUIT', 'SIGABRT'])('D6: %s stops ssh and exits 1, like SIGTERM', (signal) => {
    const events = run({ env: { AUTOSSH_GATETIME: '0' }, args: ['-M', '0', 'h'], signals: [{ at: 3, signal }], cap: 10 });
    expect(kinds(events, 'child_signal')).toEqual([{ t: 3, kind: 'child_signal', n: 1, k: 1, signal: 'SIGTERM', action: 'exit' }]);
    expect(kinds(events, 'supervisor_exit')).toEqual([{ t: 3, kind: 'supervisor_exit', code: 1 }]);
  });

  it('D4: an ssh that ignores SIGTERM is SIGKILLed after AUTOSSH_KILLTIME', () => {
    const events = run({
      env: { AUTOSSH_GATETIME: '0', AUTOSSH_KILLTIME: '2' }, args: ['-M', '0', 'h'],
      ssh: [{ onSigterm: 'ignore' }], signals: [{ at: 3, signal: 'SIGTERM' }], cap: 20,
    });
    expect(kinds(events, 'supervisor_exit')).toEqual([{ t: 5, kind: 'supervisor_exit', code: 1 }]);
    expect(kinds(events, 'child_orphaned')).toHaveLength(0);
  });

  it('D4: AUTOSSH_KILLTIME=0 waits forever, as 1.4g', () => {
    const events = run({
      env: { AUTOSSH_GATETIME: '0', AUTOSSH_KILLTIME: '0' }, args: ['-M', '0', 'h'],
      ssh: [{ onSigterm: 'ignore' }], signals: [{ at: 3, signal: 'SIGTERM' }], cap: 20,
    });
    expect(kinds(events, 'supervisor_exit')).toHaveLength(0);
    expect(kinds(events, 'timeout')).toHaveLength(1);
  });

  it('D3: an ssh exit during a connection test is classified by the normal rules', () => {
    // the slow test is in flight when ssh exits 0: autossh-ts exits 0 (1.4g would restart)
    const events = run({
      env: { AUTOSSH_GATETIME: '0', AUTOSSH_POLL: '10' }, args: ['-M', '{{MPORT}}', 'h'],
      ssh: [{ forward: 'slow', slowDelay: 4, exit: 0, after: 12 }], cap: 30,
    });
    expect(kinds(events, 'child_spawn')).toHaveLength(1);
    expect(kinds(events, 'supervisor_exit')).toEqual([{ t: 12, kind: 'supervisor_exit', code: 0 }]);
  });
});

describe('a failure to start reported after a signal', () => {
  // The host reports a failed start asynchronously, so a signal can come first and the machine
  // is already stopping an ssh that never ran. Found by the property test's time jumps.
  function drive(signal: 'SIGTERM' | 'SIGUSR1'): Effect[] {
    const effects: Effect[] = [];
    const outcome = parseCommandLine(['-M', '0', 'h'], { AUTOSSH_PATH: '/nonexistent/ssh', AUTOSSH_GATETIME: '0' });
    if (outcome.kind !== 'run') throw new Error('bad config');
    const machine = runAsActor({ config: outcome.config }, undefined, { onEffect: (e) => effects.push(e), onError: (e) => { throw e; } });
    machine.send({ type: 'START', atMs: 0 });
    machine.send({ type: signalEvent(signal), atMs: 1 });
    machine.send({ type: 'SSH_SPAWN_FAILED', error: 'No such file or directory', atMs: 1 });
    return effects;
  }

  it('SIGTERM first: the error is logged and autossh exits 1, rather than waiting for an ssh that never ran', () => {
    const effects = drive('SIGTERM');
    expect(effects).toContainEqual({ type: 'log', level: LOG_ERR, message: '/nonexistent/ssh: No such file or directory' });
    expect(effects.at(-1)).toEqual({ type: 'exit', code: 1 });
  });

  it('SIGUSR1 first: the restart goes ahead with a new start', () => {
    const spawns = drive('SIGUSR1').filter((e) => e.type === 'spawnSsh');
    expect(spawns.map((e) => (e as { n: number }).n)).toEqual([1, 2]);
  });
});
