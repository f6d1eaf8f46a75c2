// D13: with neither -M nor AUTOSSH_PORT, autossh-ts picks a free monitor pair p, p+1 (p random
// in 32768-65534) and ssh's argv opens with -L p:127.0.0.1:p -R p:127.0.0.1:p+1. An expected
// trace writes that pair as {{AUTOPORT}} and {{AUTOPORT+1}}; this writes a real trace's pair the
// same way, once it is checked: only the first ssh's pair, only in range, so a later ssh with
// another pair, a pair out of range or none at all still differs from the expected trace.
import type { Trace } from '../../sim/oracle/trace.js';

export const AUTO_PORT_RANGE = { low: 32768, high: 65534 } as const;

/** the pair's p in the first ssh's argv, or null (with why, for the report) */
export function autoPortOf(argv: readonly string[]): { port: number } | { why: string } {
  const [, l, local, r, remote] = argv;
  const m = local === undefined ? null : /^(\d+):127\.0\.0\.1:(\d+)$/.exec(local);
  if (l !== '-L' || r !== '-R' || !m || m[1] !== m[2]) return { why: 'the first ssh\'s argv does not open with -L p:127.0.0.1:p -R ...' };
  const port = Number(m[1]);
  if (remote !== `${port}:127.0.0.1:${port + 1}`) return { why: `-R ${remote ?? '(none)'} is not ${port}:127.0.0.1:${port + 1}` };
  if (port < AUTO_PORT_RANGE.low || port > AUTO_PORT_RANGE.high) return { why: `monitor port ${port} is outside ${AUTO_PORT_RANGE.low}-${AUTO_PORT_RANGE.high}` };
  return { port };
}

/** The trace with its automatic pair written as placeholders; the reason when there is none. */
export function withAutoPortPlaceholders(trace: Trace): { trace: Trace; problem: string | null } {
  const first = trace.events.find((e) => e.kind === 'child_spawn');
  if (!first) return { trace, problem: 'no ssh was started' };
  const found = autoPortOf(first['argv'] as string[]);
  if ('why' in found) return { trace, problem: found.why };
  const names = new Map([[String(found.port), '{{AUTOPORT}}'], [String(found.port + 1), '{{AUTOPORT+1}}']]);
  const events = trace.events.map((e) => (e.kind !== 'child_spawn' ? e : {
    ...e, argv: (e['argv'] as string[]).map((word) => word.replace(/\b\d+\b/g, (digits) => names.get(digits) ?? digits)),
  }));
  return { trace: { ...trace, events }, problem: null };
}
