// The judge every conformance check relies on (test/fixtures/oracle/README.md, "A trace"): the
// same keys, the compared fields equal, each time within the tolerance; nothing else matters.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compareTraces } from '../../sim/oracle/compare-traces.js';
import type { Trace, TraceEvent } from '../../sim/oracle/trace.js';

const golden = (name: string): TraceEvent[] => (JSON.parse(readFileSync(`test/fixtures/oracle/${name}.trace.json`, 'utf8')) as Trace).events;
const kinds = (events: TraceEvent[], tol?: number): string[] => compareTraces(golden('daemon_f_flag'), events, tol).map((p) => `${p.kind} ${p.key}`);

describe('compareTraces', () => {
  const events = golden('daemon_f_flag');
  const edit = (index: number, change: Partial<TraceEvent>): TraceEvent[] => events.map((e, i) => (i === index ? { ...e, ...change } : e));
  const at = (kind: string, n?: number): number => events.findIndex((e) => e.kind === kind && (n === undefined || e['n'] === n));

  it('a golden is equivalent to itself, and to itself in another order', () => {
    expect(compareTraces(events, events)).toEqual([]);
    expect(compareTraces(events, [...events].reverse())).toEqual([]);
  });

  it('times: within the tolerance (its edge included) pass, past it fail', () => {
    const spawn2 = at('child_spawn', 2);
    expect(kinds(edit(spawn2, { t: events[spawn2]!.t + 1.2 }))).toEqual([]);
    expect(kinds(edit(spawn2, { t: events[spawn2]!.t + 1.3 }))).toEqual(['TIME child_spawn 2']);
    expect(kinds(edit(spawn2, { t: events[spawn2]!.t + 0.6 }), 0.5)).toEqual(['TIME child_spawn 2']);
  });

  it('the compared fields of each kind: argv, exit code and cause, the signal and its target, the pid file owner', () => {
    expect(kinds(edit(at('child_spawn', 1), { argv: ['ssh', '-N', 'other'] }))).toEqual(['DIFFERENT child_spawn 1']);
    expect(kinds(edit(at('child_exit', 1), { code: 255 }))).toEqual(['DIFFERENT child_exit 1']);
    expect(kinds(edit(at('child_exit', 2), { cause: 'self' }))).toEqual(['DIFFERENT child_exit 2']);
    expect(kinds(edit(at('daemon_exit'), { code: undefined, signal: 'SIGTERM' }))).toEqual(['DIFFERENT daemon_exit 1', 'DIFFERENT daemon_exit 1']);
    expect(kinds(edit(at('signal_sent'), { signal: 'SIGHUP' }))).toEqual(['DIFFERENT signal_sent 1']);
    expect(kinds(edit(at('pidfile_created'), { owner: 'supervisor' }))).toEqual(['DIFFERENT pidfile_created 1']);
  });

  it('an event missing or one more is a difference; what is never compared is not', () => {
    expect(kinds(events.filter((e) => e.kind !== 'daemon_detached'))).toEqual(['MISSING daemon_detached 1']);
    expect(kinds([...events, { t: 9, kind: 'child_orphaned', n: 2 }])).toEqual(['EXTRA child_orphaned 2']);
    expect(kinds([...events, { t: 3, kind: 'forward_mode', n: 2, mode: 'blackhole' }])).toEqual([]);
    // a probe's payload is for people
    const probes = golden('monitor_first_poll');
    expect(compareTraces(probes, probes.map((e) => (e.kind === 'probe' ? { ...e, data: 'other' } : e)))).toEqual([]);
  });

  it('keys count occurrences of a kind, so a second supervisor_exit is one more', () => {
    const exit = golden('gate_exit1_fast');
    expect(compareTraces(exit, [...exit, { t: 1, kind: 'supervisor_exit', code: 1 }]).map((p) => `${p.kind} ${p.key}`)).toEqual(['EXTRA supervisor_exit 2']);
  });
});
