// Replay results as text (the decision trace and a summary) and as JSON. Pure functions of the
// results: the same input gives the same bytes.
import { formatDuration, formatOffset } from '../timeline/duration.js';
import type { Timeline } from '../timeline/types.js';
import type { ReplayResult } from './run-replay.js';
import { writeJson, type Write } from './stream-text.js';

export const REPLAY_FORMAT = 'autossh-replay/1';

function instant(timeline: Timeline, atMs: number): string {
  return new Date(timeline.startEpochMs + atMs).toISOString();
}

function commandOf(result: ReplayResult): string {
  const env = Object.entries(result.config.env).filter(([k]) => k.startsWith('AUTOSSH_')).map(([k, v]) => `${k}=${v}`);
  return [...env, 'autossh', ...result.config.args].join(' ');
}

export function formatTrace(timeline: Timeline, result: ReplayResult): string {
  const pieces: string[] = [];
  writeTrace(timeline, result, (chunk) => pieces.push(chunk));
  return pieces.join('');
}

/** formatTrace's text, written a few thousand lines at a time. */
export function writeTrace(timeline: Timeline, result: ReplayResult, write: Write): void {
  let lines = [`== ${result.config.name}: ${commandOf(result)}`];
  for (const entry of result.trace) {
    const head = `${instant(timeline, entry.atMs)} ${formatOffset(entry.atMs)}`;
    if (entry.kind === 'decision') lines.push(`${head}  decision  ${entry.rule}: ${entry.detail}`);
    else lines.push(`${head}  ${entry.kind.padEnd(8)}  ${entry.detail}`);
    if (lines.length >= 4096) {
      write(`${lines.join('\n')}\n`);
      lines = [];
    }
  }
  if (lines.length > 0) write(`${lines.join('\n')}\n`);
}

export function formatSummary(timeline: Timeline, result: ReplayResult): string {
  const s = result.summary;
  const lines = [
    `summary (${result.config.name})`,
    `  replayed         ${formatDuration(s.durationMs)} from ${instant(timeline, 0)}`,
    `  ssh starts       ${s.sshStarts}`,
    `  exit code        ${s.exitCode === null ? 'none (still running at the end)' : `${s.exitCode} at ${formatOffset(s.exitAtMs ?? 0)}`}`,
    `  tunnel downtime  ${formatDuration(s.downtimeMs)} (${(s.downFraction * 100).toFixed(3)}%${s.countedUntilMs < s.durationMs
      ? ` of the ${formatDuration(s.countedUntilMs)} until autossh exited on purpose` : ''})`,
  ];
  if (s.recoveries.length > 0) {
    lines.push('  recovery after each disruption (from its end to a working tunnel):');
    for (const r of s.recoveries) {
      const how = !r.brokeTunnel ? 'no effect on the tunnel'
        : r.recoverMs === null ? 'never recovered' : `recovered ${formatDuration(r.recoverMs)} after`;
      lines.push(`    ${formatOffset(r.atMs)}  ${r.fact}: ${how}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

export function formatComparison(results: readonly ReplayResult[]): string {
  const rows = [['configuration', 'ssh starts', 'exit', 'downtime', 'down %', 'worst recovery']];
  for (const r of results) {
    const s = r.summary;
    const worst = s.recoveries.filter((x) => x.brokeTunnel).reduce<number | null>(
      (max, x) => (x.recoverMs === null || max === -1 ? -1 : Math.max(max ?? 0, x.recoverMs)), null);
    rows.push([
      r.config.name,
      String(s.sshStarts),
      s.exitCode === null ? 'running' : String(s.exitCode),
      formatDuration(s.downtimeMs),
      (s.downFraction * 100).toFixed(3),
      worst === null ? '-' : worst === -1 ? 'never' : formatDuration(worst),
    ]);
  }
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((row) => row[c]!.length)));
  return `${rows.map((row) => row.map((cell, c) => cell.padEnd(widths[c]!)).join('  ').trimEnd()).join('\n')}\n`;
}

export function replayJson(timeline: Timeline, results: readonly ReplayResult[]): string {
  return `${JSON.stringify(replayJsonValue(timeline, results), null, 1)}\n`;
}

/** replayJson's bytes, written piece by piece. */
export function writeReplayJson(timeline: Timeline, results: readonly ReplayResult[], write: Write): void {
  writeJson(replayJsonValue(timeline, results), write);
  write('\n');
}

function replayJsonValue(timeline: Timeline, results: readonly ReplayResult[]): unknown {
  const runs = results.map((r) => ({
    config: r.config,
    setupError: r.setupError,
    decisions: r.decisions.map((d) => ({ at: instant(timeline, d.atMs), atMs: d.atMs, rule: d.rule, detail: d.detail })),
    sshRuns: r.sshRuns,
    summary: r.summary,
    logCheck: 'logCheck' in r ? r.logCheck : null,
  }));
  const first = runs[0]!;
  return {
    format: REPLAY_FORMAT,
    timeline: { name: timeline.name, start: instant(timeline, 0), durationMs: timeline.durationMs, unknowns: timeline.unknowns },
    source: timeline.source === null ? null : { kind: timeline.source.kind, file: timeline.source.file, inferences: timeline.source.inferences },
    decisions: first.decisions,
    summary: first.summary,
    logCheck: first.logCheck,
    runs,
  };
}
