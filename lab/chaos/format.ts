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

/**
 * What each column of the table means, one line each, printed under it: the table's words
 * ("faultEnd 1", "max rtt -") are not explained anywhere else on the terminal.
 */
export const COLUMN_LEGEND: ReadonlyArray<readonly [string, string]> = [
  ['fault', 'the schedule\'s step, numbered in start order; "flap#2" is its second repeat'],
  ['supervisor', 'the one under test first (autossh-ts unless --supervisor), then each --compare'],
  ['duration', 'how long the fault was on'],
  ['detect', 'from the fault\'s start until the ssh running then was gone; "never": it outlived the window (to the next fault, or the end)'],
  ['recover', 'from the fault\'s end until the first canary sent after it was answered; "NOT RECOVERED": none was, in the window'],
  ['canaries lost', 'echo lines through the tunnel (one every 100 ms) from the fault\'s start until that answer, never answered'],
  ['ssh starts', 'ssh processes the supervisor started in the window'],
  ['max rtt', 'the slowest canary answered while the fault was on; "-": none was answered then'],
  ['ended by', 'what ended the ssh running at the fault\'s start: serverAlive, connectionTest (autossh\'s -M), supervisorRule (which rule), '
    + 'faultEnd, sshError, unknown, none (docs/chaos.md)'],
  ['then', 'how each later ssh in the window ended ("faultEnd 1": one, closed by the fault\'s end), and in brackets the supervisor\'s '
    + 'rule lines ("[connectTimeExceeded 2]": that rule fired twice); "-": none'],
];

export function formatLegend(): string {
  const width = Math.max(...COLUMN_LEGEND.map(([name]) => name.length));
  return `${COLUMN_LEGEND.map(([name, meaning]) => `  ${name.padEnd(width)}  ${meaning}`).join('\n')}\n`;
}

/** One row per fault per supervisor, then what each column means. */
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
  const out = [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line), '', 'columns:', formatLegend().trimEnd()];
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

/** The faults (their index and label) a supervisor never recovered from. */
function notRecovered(result: ChaosResult, supervisor: ChaosResult['supervisors'][number]): string[] {
  return supervisor.measurements.flatMap((m, i) => (m.recoverMs === null ? [`${result.faults[i]!.index}. ${result.faults[i]!.label}`] : []));
}

/**
 * The run's answer, and its exit status: did the supervisor under test (the first) carry
 * traffic again after every fault, as a schedule expects? What the --compare supervisors did is
 * what they are there to show (1.4g not recovering, say); it never changes the answer.
 */
export function underTestRecovered(result: ChaosResult): boolean {
  const [underTest] = result.supervisors;
  return underTest !== undefined && notRecovered(result, underTest).length === 0;
}

/** One line saying the answer and the exit status that follows from it. */
export function formatVerdict(result: ChaosResult): string {
  const [underTest, ...compared] = result.supervisors;
  if (!underTest) return 'no supervisor ran: exit status 1\n';
  const missed = notRecovered(result, underTest);
  const others = compared.length === 0 ? ''
    : ` (the compared: ${compared.map((s) => {
      const theirs = notRecovered(result, s);
      return `${s.label} ${theirs.length === 0 ? 'recovered from every fault' : `did not recover from ${theirs.join(', ')}`}`;
    }).join('; ')}; they do not change the exit status)`;
  return missed.length === 0
    ? `${underTest.label}, the supervisor under test, recovered from every fault: exit status 0${others}\n`
    : `${underTest.label}, the supervisor under test, did not recover from ${missed.join(', ')}: exit status 1${others}\n`;
}

/**
 * The --json document: the whole result, plus the format's version (2: probe fields renamed
 * canary; 3: the world, who ended ssh, stderr, -R forwards; docs/chaos.md lists the changes).
 */
export function chaosJson(result: ChaosResult): string {
  return `${JSON.stringify({ format: 'autossh-lab-chaos/3', ...result }, null, 1)}\n`;
}
