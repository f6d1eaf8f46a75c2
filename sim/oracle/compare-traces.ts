// When two oracle traces (test/fixtures/oracle/README.md) say the same thing: the same events,
// identified by their keys, with the same compared fields, each within a time tolerance. The
// simulator's traces and the real runner's are both judged by it.
import type { TraceEvent } from './trace.js';

/** The oracle's tolerance for real processes; the simulator is held to 0.5 s. */
export const DEFAULT_TOLERANCE_S = 1.2;

/** Per kind, the fields that must be equal; a kind not listed is compared by key and time only. */
const COMPARED_FIELDS: Readonly<Record<string, readonly string[]>> = {
  child_spawn: ['argv'],
  child_exit: ['code', 'signal', 'cause'],
  child_signal: ['signal', 'action'],
  signal_sent: ['signal', 'target'],
  supervisor_exit: ['code', 'signal'],
  daemon_exit: ['code', 'signal'],
  pidfile_created: ['owner'],
  listen_error: ['error'],
};

/** Informational only: the fake's forwarding switches. */
const NEVER_COMPARED = new Set(['forward_mode']);

export interface TraceProblem {
  kind: 'MISSING' | 'EXTRA' | 'DIFFERENT' | 'TIME';
  key: string;
  text: string;
}

/** What identifies an event: ssh's number for its own events, else the order of its kind. */
function keysOf(events: readonly TraceEvent[]): Map<string, TraceEvent> {
  const keyed = new Map<string, TraceEvent>();
  const seen = new Map<string, number>();
  for (const event of events) {
    if (NEVER_COMPARED.has(event.kind)) continue;
    let key: string;
    switch (event.kind) {
      case 'child_spawn': case 'child_exit': case 'child_orphaned': key = `${event.kind} ${String(event['n'])}`; break;
      case 'child_signal': key = `${event.kind} ${String(event['n'])} ${String(event['k'])}`; break;
      case 'probe': key = `${event.kind} ${String(event['n'])} ${String(event['i'])}`; break;
      case 'signal_sent': key = `${event.kind} ${String(event['i'])}`; break;
      case 'listen_error': key = `${event.kind} ${String(event['n'])} ${String(event['port'])}`; break;
      default: {
        const occurrence = (seen.get(event.kind) ?? 0) + 1;
        seen.set(event.kind, occurrence);
        key = `${event.kind} ${occurrence}`;
      }
    }
    // a key twice is a malformed trace: keep both, so it shows as a difference
    while (keyed.has(key)) key += "'";
    keyed.set(key, event);
  }
  return keyed;
}

/** `t=  4.0 child_exit n=2 cause="sigterm" code=255` */
export function formatEvent(event: TraceEvent): string {
  const fields = Object.entries(event).filter(([name]) => name !== 't' && name !== 'kind' && name !== 'data')
    .map(([name, value]) => `${name}=${typeof value === 'number' ? value : JSON.stringify(value)}`);
  return `t=${event.t.toFixed(1).padStart(5)} ${event.kind.padEnd(16)} ${fields.join(' ')}`;
}

/** Every way `actual` differs from `expected`; none: they are equivalent. */
export function compareTraces(expected: readonly TraceEvent[], actual: readonly TraceEvent[], toleranceS = DEFAULT_TOLERANCE_S): TraceProblem[] {
  const want = keysOf(expected);
  const got = keysOf(actual);
  const problems: TraceProblem[] = [];
  for (const [key, e] of want) {
    const a = got.get(key);
    if (!a) {
      problems.push({ kind: 'MISSING', key, text: `MISSING   ${formatEvent(e)}` });
      continue;
    }
    for (const field of COMPARED_FIELDS[e.kind] ?? []) {
      if (JSON.stringify(e[field]) !== JSON.stringify(a[field])) {
        problems.push({ kind: 'DIFFERENT', key, text: `DIFFERENT ${key}: ${field} expected ${JSON.stringify(e[field]) ?? 'nothing'}, got ${JSON.stringify(a[field]) ?? 'nothing'}` });
      }
    }
    const dt = a.t - e.t;
    // traces hold tenths of a second: 1e-9 keeps 1.2 - 0.0 == 1.2 inside a 1.2 s tolerance
    if (Math.abs(dt) > toleranceS + 1e-9) {
      problems.push({ kind: 'TIME', key, text: `TIME      ${key}: expected t=${e.t.toFixed(1)}, got t=${a.t.toFixed(1)} (${dt >= 0 ? '+' : ''}${dt.toFixed(1)} s, tolerance ${toleranceS} s)` });
    }
  }
  for (const [key, a] of got) if (!want.has(key)) problems.push({ kind: 'EXTRA', key, text: `EXTRA     ${formatEvent(a)}` });
  return problems;
}

/** The differences and both event lists, for a failure message; '' when equivalent. */
export function describeDifferences(expected: readonly TraceEvent[], actual: readonly TraceEvent[], toleranceS = DEFAULT_TOLERANCE_S): string {
  const problems = compareTraces(expected, actual, toleranceS);
  if (problems.length === 0) return '';
  return [
    `${problems.length} difference(s):`,
    ...problems.map((p) => `  ${p.text}`),
    'expected events:', ...expected.map((e) => `    ${formatEvent(e)}`),
    'actual events:', ...actual.map((e) => `    ${formatEvent(e)}`),
  ].join('\n');
}
