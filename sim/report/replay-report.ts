// The replay as one self-contained page: an inline SVG with the world's facts on top and, for
// each configuration, its ssh lifetimes, working-tunnel spans and decisions below.
import { formatDuration, formatOffset } from '../timeline/duration.js';
import { factEndMs, type Timeline } from '../timeline/types.js';
import type { ReplayResult } from '../replay/run-replay.js';
import { describeFact } from '../replay/describe.js';
import { esc, page, rect, text } from './svg.js';

const LEFT = 220;
const WIDTH = 1000;
const ROW = 22;
const FACT_COLOURS: Record<string, string> = {
  outage: '#d62728', serverRestart: '#9467bd', authFailure: '#8c564b', remotePortBound: '#e377c2',
  latency: '#bcbd22', sshCrash: '#000000', signal: '#1f77b4',
};

export function replayReportHtml(timeline: Timeline, results: readonly ReplayResult[]): string {
  const x = (ms: number): number => LEFT + (ms / timeline.durationMs) * WIDTH;
  const parts: string[] = [];
  let y = 20;
  parts.push(text(LEFT, 12, `0 = ${new Date(timeline.startEpochMs).toISOString()}; width = ${formatDuration(timeline.durationMs)}`));
  parts.push(text(4, y + 14, 'world facts', 'font-weight="bold"'));
  for (const fact of timeline.facts) {
    if (fact.atMs > timeline.durationMs) continue;
    const w = x(Math.min(factEndMs(fact), timeline.durationMs)) - x(fact.atMs);
    parts.push(rect(x(fact.atMs), y + 2, Math.max(w, 2), ROW - 4, FACT_COLOURS[fact.kind] ?? '#777', `${formatOffset(fact.atMs)} ${describeFact(fact)}`));
  }
  y += ROW + 10;
  for (const result of results) {
    parts.push(text(4, y + 14, result.config.name.slice(0, 34), 'font-weight="bold"'));
    // working tunnel (green) over a red "down" background
    parts.push(rect(x(0), y, WIDTH, 6, '#f4a6a6', 'tunnel down'));
    for (const [a, b] of result.workingSpans) parts.push(rect(x(a), y, x(b) - x(a), 6, '#2ca02c', `working ${formatOffset(a)}..${formatOffset(b)}`));
    // ssh lifetimes: connecting light, connected dark
    for (const run of result.sshRuns) {
      const end = run.endMs ?? timeline.durationMs;
      const up = run.upMs ?? end;
      parts.push(rect(x(run.startMs), y + 8, x(up) - x(run.startMs), 8, '#aec7e8', `ssh #${run.n} connecting from ${formatOffset(run.startMs)}`));
      if (run.upMs !== null) parts.push(rect(x(up), y + 8, x(end) - x(up), 8, '#1f77b4', `ssh #${run.n} up ${formatOffset(up)}..${formatOffset(end)} ${run.end ?? ''}`));
    }
    for (const d of result.decisions) {
      parts.push(`<line x1="${x(d.atMs).toFixed(1)}" x2="${x(d.atMs).toFixed(1)}" y1="${y + 17}" y2="${y + 24}" stroke="#ff7f0e"><title>${esc(`${formatOffset(d.atMs)} ${d.rule}: ${d.detail}`)}</title></line>`);
    }
    y += ROW + 14;
  }
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${LEFT + WIDTH + 20}" height="${y + 10}">${parts.join('')}</svg>`;
  const rows = results.map((r) => `<tr><td>${esc(r.config.name)}</td><td>${r.summary.sshStarts}</td><td>${r.summary.exitCode ?? 'running'}</td>`
    + `<td>${formatDuration(r.summary.downtimeMs)}</td><td>${(r.summary.downFraction * 100).toFixed(3)}%</td></tr>`).join('\n');
  return page(`replay: ${timeline.name}`, `${svg}\n<p>Top: world facts. Per configuration: tunnel working (green) or down (red); ssh connecting (light) and up (dark); decisions (orange ticks). Hover for details.</p>\n`
    + `<table><tr><th>configuration</th><th>ssh starts</th><th>exit</th><th>downtime</th><th>down</th></tr>\n${rows}</table>`);
}
