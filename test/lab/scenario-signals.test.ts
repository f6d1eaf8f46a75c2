// A scenario's signal outside the set autossh-ts handles does to the simulated supervisor what it
// does to a real Node process without a handler: nothing (SIGWINCH, SIGPIPE...), a stop until
// SIGCONT (SIGSTOP, SIGTSTP...), or death (SIGALRM, SIGKILL...). Whatever the signal and moment,
// the trace is one a real run could give: nothing from the supervisor after its exit.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseScenario, ScenarioError } from '../../sim/oracle/scenario.js';
import { simulateScenario } from '../../sim/oracle/run-scenario.js';
import { SIGNAL_NAMES } from '../../sim/oracle/signal-disposition.js';
import type { TraceEvent } from '../../sim/oracle/trace.js';

function run(scenario: Record<string, unknown>): TraceEvent[] {
  return simulateScenario(parseScenario({ name: 't', cap: 30, ...scenario }, 'test')).events;
}
const kinds = (events: TraceEvent[], kind: string): TraceEvent[] => events.filter((e) => e.kind === kind);
/** ssh fails every 2 s, the gate is off: a restart every 2 s while the supervisor runs */
const restarting = { env: { AUTOSSH_GATETIME: '0' }, args: ['-M', '0', '-N', 'h'], ssh: [{ exit: 255, after: 2 }] };

/** what only a live supervisor (or its harness before the end) can cause */
const SUPERVISOR_DOINGS = new Set(['child_spawn', 'child_signal', 'probe', 'pidfile_created', 'pidfile_removed', 'signal_sent', 'supervisor_exit']);

/** The trace could come from a real run: after the supervisor's exit, only its ssh's own end. */
function expectPossible(events: TraceEvent[]): void {
  const exit = events.findIndex((e) => e.kind === 'supervisor_exit');
  if (exit === -1) return;
  const after = events.slice(exit + 1).filter((e) => SUPERVISOR_DOINGS.has(e.kind));
  expect(after, JSON.stringify(events)).toEqual([]);
}

describe('signals a Node process ignores', () => {
  it.each(['SIGWINCH', 'SIGCHLD', 'SIGURG', 'SIGPIPE', 'SIGXFSZ', 'SIGCONT', 'WINCH'])('%s changes nothing', (signal) => {
    const quiet = run(restarting);
    const signalled = run({ ...restarting, signals: [{ at: 3, signal }] });
    expect(kinds(signalled, 'signal_sent')).toEqual([{ t: 3, kind: 'signal_sent', i: 1, signal: signal.startsWith('SIG') ? signal : `SIG${signal}`, target: 'supervisor' }]);
    expect(signalled.filter((e) => e.kind !== 'signal_sent')).toEqual(quiet);
    expect(kinds(signalled, 'child_spawn').length).toBeGreaterThan(5);
  });
});

describe('signals that kill a Node process', () => {
  it.each(['SIGALRM', 'SIGVTALRM', 'SIGPROF', 'SIGXCPU', 'SIGIO', 'SIGKILL', 'SIGSEGV', 'SIGSYS'])('%s: the supervisor dies of it, its ssh with it', (signal) => {
    const events = run({ ...restarting, signals: [{ at: 3, signal }] });
    expectPossible(events);
    expect(events.at(-1)).toEqual({ t: 3, kind: 'supervisor_exit', signal });
    // ssh #2 (spawned at 2) is killed by PR_SET_PDEATHSIG: no exit the fake could report, no orphan
    expect(kinds(events, 'child_spawn').map((e) => e.t)).toEqual([0, 2]);
    expect(kinds(events, 'child_orphaned')).toEqual([]);
    expect(kinds(events, 'timeout')).toEqual([]);
  });

  it('a fatal signal at the instant ssh exits leaves no restart behind', () => {
    const events = run({ ...restarting, signals: [{ after: { child_exit: 1 }, signal: 'SIGALRM' }] });
    expectPossible(events);
    expect(kinds(events, 'child_spawn')).toHaveLength(1);
    expect(events.at(-1)).toMatchObject({ t: 2, kind: 'supervisor_exit', signal: 'SIGALRM' });
  });

  it('kills a stopped supervisor too', () => {
    const events = run({ ...restarting, signals: [{ at: 1, signal: 'SIGSTOP' }, { at: 5, signal: 'SIGPROF' }] });
    expectPossible(events);
    expect(events.at(-1)).toEqual({ t: 5, kind: 'supervisor_exit', signal: 'SIGPROF' });
    expect(kinds(events, 'child_spawn')).toHaveLength(1);
  });
});

describe('signals that stop a Node process', () => {
  it.each(['SIGSTOP', 'SIGTSTP', 'SIGTTIN', 'SIGTTOU'])('%s: nothing happens until SIGCONT, then what was missed', (signal) => {
    const events = run({ ...restarting, signals: [{ at: 1, signal }, { at: 9, signal: 'SIGCONT' }], cap: 12 });
    expectPossible(events);
    // ssh #1 ends at 2 on its own; the stopped supervisor hears of it at 9
    expect(kinds(events, 'child_exit').map((e) => e.t)).toEqual([2, 11]);
    expect(kinds(events, 'child_spawn').map((e) => e.t)).toEqual([0, 9, 11]);
    expect(events.at(-1)).toMatchObject({ t: 12, kind: 'timeout' });
  });

  it('never continued, it never restarts ssh', () => {
    const events = run({ ...restarting, signals: [{ at: 1, signal: 'SIGSTOP' }], cap: 20 });
    expect(kinds(events, 'child_spawn')).toHaveLength(1);
    expect(events.at(-1)).toMatchObject({ t: 20, kind: 'timeout' });
  });

  it('holds a SIGTERM until SIGCONT, then stops ssh and exits', () => {
    const events = run({
      args: ['-M', '0', '-N', 'h'], ssh: [{}],
      signals: [{ at: 1, signal: 'SIGSTOP' }, { at: 2, signal: 'SIGTERM' }, { at: 3, signal: 'SIGTERM' }, { at: 6, signal: 'SIGCONT' }],
    });
    expectPossible(events);
    expect(kinds(events, 'child_signal')).toEqual([{ t: 6, kind: 'child_signal', n: 1, k: 1, signal: 'SIGTERM', action: 'exit' }]);
    expect(events.at(-1)).toMatchObject({ t: 6, kind: 'supervisor_exit', code: 1 });
  });

  it('misses its poll while stopped and tests the connection once continued', () => {
    const events = run({
      env: { AUTOSSH_POLL: '10', AUTOSSH_GATETIME: '0' }, args: ['-M', '{{MPORT}}', '-N', 'h'], ssh: [{}],
      signals: [{ at: 5, signal: 'SIGTSTP' }, { at: 25, signal: 'SIGCONT' }],
    });
    expect(kinds(events, 'probe').map((e) => e.t)).toEqual([25]);
  });
});

describe('any signal at any moment', () => {
  it('gives a possible trace', () => {
    fc.assert(fc.property(
      fc.array(fc.record({ at: fc.integer({ min: 0, max: 200 }).map((n) => n / 10), signal: fc.constantFrom(...SIGNAL_NAMES) }), { maxLength: 6 }),
      fc.boolean(),
      (signals, monitored) => {
        const events = run({
          env: { AUTOSSH_GATETIME: '0', AUTOSSH_POLL: '5' },
          args: monitored ? ['-M', '{{MPORT}}', '-N', 'h'] : ['-M', '0', '-N', 'h'],
          ssh: [{ exit: 255, after: 1.5 }, {}, { exit: 1, after: 3, onSigterm: 'ignore' }],
          signals, cap: 25,
        });
        expectPossible(events);
      },
    ), { numRuns: 300 });
  });
});

describe('scenario fields', () => {
  const base = { name: 't', args: ['-M', '0', 'h'] };
  it.each([
    [{ signals: [{ at: 1, signal: 'SIGFOO' }] }, '$.signals[0].signal: expected a Linux signal name (SIGHUP, SIGINT,'],
    [{ signals: [{ at: 1, signal: 15 }] }, '$.signals[0].signal: expected a signal name like "SIGHUP", got 15'],
    [{ signals: [{ signal: 'SIGHUP' }] }, '$.signals[0].at: give either "at" (seconds from launch) or "after" (a trigger), exactly one'],
    [{ signals: [{ at: 1, after: { child_spawn: 1 }, signal: 'SIGHUP' }] }, '$.signals[0].at: give either'],
    [{ signals: [{ at: 1, delay: 2, signal: 'SIGHUP' }] }, '$.signals[0].delay: "delay" goes with "after"'],
    [{ signals: [{ at: -1, signal: 'SIGHUP' }] }, '$.signals[0].at: expected a number of seconds >= 0, got -1'],
    [{ signals: [{ after: { child_spwn: 1 }, signal: 'SIGHUP' }] }, '$.signals[0].after: expected one of {"child_spawn": n}'],
    [{ signals: [{ at: 1, signal: 'SIGHUP', target: 'ssh' }] }, '$.signals[0].target: unknown field (known: signal, at, after, delay)'],
    [{ ssh: [{ exit: 256 }] }, '$.ssh[0].exit: expected a whole number from 0 to 255, got 256'],
    [{ ssh: [{ exit: 1, kill: 'SIGKILL' }] }, '$.ssh[0].kill: give "exit" or "kill", not both'],
    [{ ssh: [{ kill: 'SIGWINCH', after: 1 }] }, '$.ssh[0].kill: expected a signal that kills the fake ssh'],
    [{ ssh: [{ onSigterm: 'exit:300' }] }, '$.ssh[0].onSigterm: expected "exit255", "die", "ignore" or "exit:N" with N from 0 to 255, got "exit:300"'],
    [{ ssh: [{ forward: 'down' }] }, '$.ssh[0].forward: expected one of healthy, blackhole, refuse, slow, got "down"'],
    [{ ssh: [{ onSigTerm: 'die' }] }, '$.ssh[0].onSigTerm: unknown field'],
    [{ cap: 0 }, '$.cap: expected a number of seconds > 0, got 0'],
    [{ cap: '60' }, '$.cap: expected a number of seconds > 0, got "60"'],
    [{ occupyPorts: [70000] }, '$.occupyPorts[0]: expected a whole number from 1 to 65535, got 70000'],
    [{ env: { AUTOSSH_POLL: 30 } }, '$.env.AUTOSSH_POLL: expected a string, got 30'],
    [{ args: 'h' }, '$.args: expected an array, got "h"'],
    [{ name: '' }, '$.name: expected a non-empty string, got ""'],
    [{ signal: [] }, '$.signal: unknown field'],
    [{ description: 5 }, '$.description: expected a string, got 5'],
    [{ ssh: [{ breakAfter: 2, breakMode: 'gone' }] }, '$.ssh[0].breakMode: expected one of healthy, blackhole, refuse, slow, got "gone"'],
    [{ ssh: [{ forward: 'slow', slowDelay: -1 }] }, '$.ssh[0].slowDelay: expected a number of seconds >= 0, got -1'],
    [{ ssh: [{ exit: 1, after: 'soon' }] }, '$.ssh[0].after: expected a number of seconds >= 0, got "soon"'],
    [{ ssh: {} }, '$.ssh: expected an array, got an object'],
    [{ signals: [{ after: { probe: [1] }, signal: 'SIGHUP' }] }, '$.signals[0].after: expected one of'],
    [{ signals: [{ after: { child_exit: 0 }, signal: 'SIGHUP' }] }, '$.signals[0].after.child_exit: expected a whole number from 1 to 1000000, got 0'],
    [{ signals: [{ after: { child_spawn: 1 }, delay: -2, signal: 'SIGHUP' }] }, '$.signals[0].delay: expected a number of seconds >= 0, got -2'],
    [{ env: { 'BAD=NAME': 'x' } }, '$.env.BAD=NAME: expected an environment variable name, got "BAD=NAME"'],
    [{ cap: 1e12 }, '$.cap: expected a number of seconds <='],
  ])('%j is refused', (fields, message) => {
    expect(() => parseScenario({ ...base, ...fields }, 's.json')).toThrow(ScenarioError);
    expect(() => parseScenario({ ...base, ...fields }, 's.json')).toThrow(`s.json: ${message}`);
  });

  it('takes placeholders where numbers go and the harness\'s short signal names', () => {
    const scenario = parseScenario({ ...base, occupyPorts: ['{{MPORT+1}}'], signals: [{ at: 1, signal: 'HUP' }] }, 's.json');
    expect(scenario.occupyPorts).toEqual([41001]);
    expect(scenario.signals[0]!.signal).toBe('SIGHUP');
  });
});
