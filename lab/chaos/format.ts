// Text and JSON output of a chaos run.
import { formatSeconds } from './schedule/duration.js';
import { medianAndWorst } from './measure.js';
import type { Attribution } from './attribution.js';
import type { ChaosResult } from './result.js';

/** "who ended ssh" in two cells: the ssh running at the fault's start, and what came after it. */
export function describeAttribution(a: Attribution): { endedBy: string; then: string } {
  const endedBy = a.endedByRule ? `${a.endedBy} (${a.endedByRule})` : a.endedBy;
  const counts = (record: Partial<Record<string, number>>): string[] => Object.entries(record).map(([name, n]) => `${name} ${n}`);
  const later = counts(a.laterEnds);
  const rules = counts(a.rules);
  const then = [later.join(', '), rules.length > 0 ? `[${rules.join(', ')}]` : ''].filter(Boolean).join(' ');
  return { endedBy, then: then || '-' };
}

/** One row per fault per supervisor. */
export function formatSummary(result: ChaosResult): string {
  const header = ['fault', 'supervisor', 'duration', 'detect', 'recover', 'canaries lost', 'ssh starts', 'max rtt', 'ended by', 'then'];
  const rows: string[][] = [];
  for (const [i, fault] of result.faults.entries()) {
    for (const sup of result.supervisors) {
      const m = sup.measurements[i]!;
      rows.push([
        `${fault.index}. ${fault.label}`,
        sup.label,
        formatSeconds(fault.endMs - fault.startMs, 1),
        m.detectMs === null ? 'never' : formatSeconds(m.detectMs),
        m.recoverMs === null ? 'NOT RECOVERED' : formatSeconds(m.recoverMs),
        String(m.canariesLost),
        String(m.sshStarts),
        m.maxRttMs === null ? '-' : `${m.maxRttMs} ms`,
        describeAttribution(m.attribution).endedBy,
        describeAttribution(m.attribution).then,
      ]);
    }
  }
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const leftAligned = (c: number): boolean => c < 2 || c >= 8;
  const line = (cells: string[]): string => cells.map((cell, c) => (leftAligned(c) ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ').trimEnd();
  const out = [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
  if (result.supervisors.length > 1 || result.faults.length > 1) {
    out.push('');
    for (const sup of result.supervisors) out.push(formatAggregate(sup.label, sup.measurements));
  }
  for (const sup of result.supervisors) if (sup.exited) out.push(`\n${sup.exited}`);
  return `${out.join('\n')}\n`;
}

export function formatAggregate(label: string, measurements: ReadonlyArray<{ detectMs: number | null; recoverMs: number | null }>): string {
  const d = medianAndWorst(measurements.map((m) => m.detectMs));
  const r = medianAndWorst(measurements.map((m) => m.recoverMs));
  const never = (n: number, what: string): string => (n > 0 ? ` (${n} ${what})` : '');
  return (
    `${label}: detect median ${formatSeconds(d.median)}, worst ${formatSeconds(d.worst)}${never(d.missing, 'never')}; ` +
    `recover median ${formatSeconds(r.median)}, worst ${formatSeconds(r.worst)}${never(r.missing, 'not recovered')}`
  );
}

/** True when every supervisor carried traffic again after every fault. */
export function allRecovered(result: ChaosResult): boolean {
  return result.supervisors.every((s) => s.measurements.every((m) => m.recoverMs !== null));
}

/**
 * The --json document: the whole result, plus the format's version (2: probe fields renamed
 * canary; 3: the world, who ended ssh, stderr, -R forwards; docs/chaos.md lists the changes).
 */
export function chaosJson(result: ChaosResult): string {
  return `${JSON.stringify({ format: 'autossh-lab-chaos/3', ...result }, null, 1)}\n`;
}
