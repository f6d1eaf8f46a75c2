// The replay as one self-contained page: an inline SVG on one shared time axis (wall clock when
// the timeline knows its start) with the world's facts as bands and, per configuration, the
// tunnel's working spans, each ssh's life and every decision; then the tables an incident
// review quotes: the configurations side by side, recovery per disruption, the decisions.
// The axis spans the incident: up to the last thing that happened (a fact's end, a decision, an
// ssh's start or end, autossh's exit) and a little more, not the quiet tail a timeline runs on
// for (an imported log adds minutes of it); `wholeAxis` draws the whole replayed time. A
// configuration's "down" band stops where its downtime stops being counted: at autossh's exit
// when it exited on purpose, as the summary table counts it.
import { formatDuration, formatOffset } from '../timeline/duration.js';
import { factEndMs, type Timeline } from '../timeline/types.js';
import type { ReplayResult } from '../replay/run-replay.js';
import { describeFact } from '../replay/describe.js';
import { esc, legend, offsetLabeller, page, rect, text, timeAxis } from './svg.js';

const LEFT = 220;
const WIDTH = 1000;
const ROW = 22;
/** Decisions listed per configuration; the rest are in --json (a year's replay has millions). */
const MAX_DECISION_ROWS = 300;
/** ssh lives and decisions drawn per configuration: past this, one pixel holds many anyway. */
const MAX_MARKS = 20_000;
/** The narrowest an ssh life is drawn, so a 0.1 s life on a day's axis still shows. */
const MIN_LIFE_PX = 1.5;
const FACT_COLOURS: Record<string, string> = {
  outage: '#d62728', serverRestart: '#9467bd', authFailure: '#8c564b', remotePortBound: '#e377c2',
  latency: '#bcbd22', sshCrash: '#000000', signal: '#1f77b4',
};
const COLOURS = { working: '#2ca02c', down: '#f4a6a6', afterExit: '#e6e6e6', connecting: '#aec7e8', up: '#1f77b4', decision: '#ff7f0e' };

/** The timeline's start as a wall clock, or null when it has none (epoch 0). */
function startOf(timeline: Timeline): number | null {
  return timeline.startEpochMs > 0 ? timeline.startEpochMs : null;
}

export interface ReplayReportOptions {
  /** draw the whole replayed time, the quiet tail after the incident included */
  wholeAxis?: boolean;
}

/** Room after the incident's last event, as a share of its length (at least a second). */
const MARGIN_SHARE = 0.05;
const MIN_MARGIN_MS = 1000;

/**
 * Where the plot ends: a little after the last thing any configuration did or the world did
 * (never past the replayed time); the whole replayed time when nothing happened at all.
 */
export function incidentEndMs(timeline: Timeline, results: readonly ReplayResult[]): number {
  let last = 0;
  for (const fact of timeline.facts) if (fact.atMs <= timeline.durationMs) last = Math.max(last, Math.min(factEndMs(fact), timeline.durationMs));
  for (const r of results) {
    last = Math.max(last, r.trace.at(-1)?.atMs ?? 0, r.summary.exitAtMs ?? 0);
  }
  if (last === 0) return timeline.durationMs;
  // on a whole second (a tenth under 10 s): the end is named in the page
  const unit = last < 10_000 ? 100 : 1000;
  return Math.min(timeline.durationMs, Math.ceil((last + Math.max(MIN_MARGIN_MS, last * MARGIN_SHARE)) / unit) * unit);
}

export function replayReportHtml(timeline: Timeline, results: readonly ReplayResult[], options: ReplayReportOptions = {}): string {
  const start = startOf(timeline);
  const axisEndMs = options.wholeAxis ? timeline.durationMs : incidentEndMs(timeline, results);
  const at = (ms: number): string => (start === null ? formatOffset(ms) : `${new Date(start + ms).toISOString().slice(0, 19).replace('T', ' ')} (${formatOffset(ms)})`);
  const kinds = [...new Set(timeline.facts.map((f) => f.kind))];
  const head = `<p>${esc(start === null ? 'No wall-clock start: times are h:mm:ss from the start.' : `Starts ${new Date(start).toISOString()} (UTC); the axis shows UTC.`)} `
    + `${esc(formatDuration(timeline.durationMs))} replayed; ${results.length} configuration${results.length === 1 ? '' : 's'}.`
    + `${axisEndMs < timeline.durationMs ? esc(` The plot shows the incident, its first ${formatDuration(axisEndMs)}; nothing changes after it until the end (--report-tail draws the rest).`) : ''}</p>`
    + (timeline.unknowns.length > 0 ? `<p>Not known from the source: ${esc(timeline.unknowns.join('; '))}</p>` : '');
  const legendHtml = legend([
    ...kinds.map((k) => [FACT_COLOURS[k] ?? '#777', `world fact: ${k}`] as const),
    [COLOURS.working, 'tunnel working'], [COLOURS.down, 'tunnel down'],
    ...(results.some((r) => r.summary.countedUntilMs < timeline.durationMs) ? [[COLOURS.afterExit, 'after autossh exited on purpose (not counted as down)'] as const] : []),
    [COLOURS.connecting, 'ssh connecting'], [COLOURS.up, 'ssh up'], [COLOURS.decision, 'decision (hover: rule)'],
    ...(results.some((r) => r.summary.exitAtMs !== null) ? [['#000', 'autossh exited'] as const] : []),
  ]);
  return page(`replay: ${timeline.name}`, [head, legendHtml, plot(timeline, results, axisEndMs),
    summaryTable(results), recoveryTable(results, at), ...results.map((r, i) => decisionTable(r, i, at))].join('\n'));
}

function plot(timeline: Timeline, results: readonly ReplayResult[], axisEndMs: number): string {
  const span = Math.max(1, axisEndMs);
  const x = (ms: number): number => LEFT + (Math.min(Math.max(ms, 0), span) / span) * WIDTH;
  const parts: string[] = [];
  const factsTop = 10;
  const rowsTop = factsTop + ROW + 10;
  const bottom = rowsTop + results.length * (ROW + 20);

  // World facts: a solid bar in their own row, and a faint band through every configuration.
  parts.push(text(4, factsTop + 15, 'world facts', 'font-weight="bold"'));
  timeline.facts.forEach((fact, i) => {
    if (fact.atMs > span) return;
    const w = Math.max(x(Math.min(factEndMs(fact), span)) - x(fact.atMs), 2);
    const colour = FACT_COLOURS[fact.kind] ?? '#777';
    parts.push(`<rect class="band" x="${x(fact.atMs).toFixed(1)}" y="${factsTop}" width="${w.toFixed(1)}" height="${bottom - factsTop}" fill="${colour}" fill-opacity="0.08"/>`);
    parts.push(rect(x(fact.atMs), factsTop + 2, w, ROW - 4, colour, `${formatOffset(fact.atMs)} ${describeFact(fact)}`, 'fact').replace('<rect ', `<rect id="fact-${i}" `));
  });

  results.forEach((result, k) => {
    const y = rowsTop + k * (ROW + 20);
    parts.push(text(4, y + 14, result.config.name.slice(0, 34), 'font-weight="bold"'));
    // down until the books close (autossh's exit, when it exited on purpose); working spans drawn over it
    const countedUntil = Math.min(result.summary.countedUntilMs, span);
    if (countedUntil > 0) parts.push(rect(x(0), y, x(countedUntil) - x(0), 6, COLOURS.down, `tunnel down (unless working) until ${formatOffset(countedUntil)}`, 'down'));
    if (countedUntil < span) {
      parts.push(rect(x(countedUntil), y, x(span) - x(countedUntil), 6, COLOURS.afterExit,
        `${formatOffset(countedUntil)}: autossh exited on purpose (exit ${result.summary.exitCode}); downtime is not counted after it`, 'after-exit'));
    }
    for (const [a, b] of result.workingSpans.slice(0, MAX_MARKS)) {
      if (a >= span) break;
      parts.push(rect(x(a), y, x(Math.min(b, span)) - x(a), 6, COLOURS.working, `working ${formatOffset(a)}..${formatOffset(b)}`, 'working'));
    }
    // two alternating lanes, so back-to-back ssh processes stay distinct
    result.sshRuns.slice(0, MAX_MARKS).forEach((run, i) => {
      const lane = y + 8 + (i % 2) * 6;
      if (run.startMs > span) return;
      const end = Math.min(run.endMs ?? timeline.durationMs, span);
      const up = run.upMs ?? end;
      const connectingW = Math.max(MIN_LIFE_PX, x(up) - x(run.startMs));
      parts.push(rect(x(run.startMs), lane, connectingW, 5, COLOURS.connecting, `ssh #${run.n} connecting from ${formatOffset(run.startMs)}${run.upMs === null ? ` until ${formatOffset(end)} ${run.end ?? '(still running)'}` : ''}`, 'ssh-life'));
      if (run.upMs !== null) parts.push(rect(x(up), lane, Math.max(MIN_LIFE_PX, x(end) - x(up)), 5, COLOURS.up, `ssh #${run.n} up ${formatOffset(up)}..${formatOffset(end)} ${run.end ?? '(still running)'}`, 'ssh-up'));
    });
    result.decisions.slice(0, MAX_MARKS).forEach((d, i) => {
      const dx = x(d.atMs);
      parts.push(`<path id="d-${k}-${i}" class="decision" d="M${dx.toFixed(1)} ${y + 20}l-3.5 6h7z" fill="${COLOURS.decision}"><title>${esc(`${formatOffset(d.atMs)} ${d.rule}: ${d.detail}`)}</title></path>`);
    });
    if (result.summary.exitAtMs !== null && result.summary.exitCode !== null) {
      const ex = x(result.summary.exitAtMs);
      parts.push(`<line class="exit" x1="${ex.toFixed(1)}" x2="${ex.toFixed(1)}" y1="${y - 2}" y2="${y + 28}" stroke="#000" stroke-width="2"><title>${esc(`${formatOffset(result.summary.exitAtMs)} autossh exited ${result.summary.exitCode}`)}</title></line>`);
    }
  });
  parts.push(timeAxis({ x, fromMs: 0, toMs: span, top: factsTop, bottom, label: offsetLabeller(startOf(timeline)), maxTicks: 8 }));
  return `<svg xmlns="http://www.w3.org/2000/svg" class="replay" width="${LEFT + WIDTH + 60}" height="${bottom + 24}">${parts.join('')}</svg>`;
}

function summaryTable(results: readonly ReplayResult[]): string {
  const rows = results.map((r) => `<tr><td>${esc(r.config.name)}</td><td><code>${esc([...r.config.args, ...Object.entries(r.config.env).map(([k, v]) => `${k}=${v}`)].join(' '))}</code></td>`
    + `<td class="n">${r.summary.sshStarts}</td><td class="n">${r.summary.exitCode ?? 'running'}</td><td class="n">${r.summary.exitAtMs === null ? '-' : formatOffset(r.summary.exitAtMs)}</td>`
    + `<td class="n">${formatDuration(r.summary.downtimeMs)}</td><td class="n">${(r.summary.downFraction * 100).toFixed(3)}%</td>`
    + `<td class="n">${r.decisions.length}</td></tr>`).join('\n');
  return `<h2>Configurations</h2>\n<table class="summary"><tr><th>configuration</th><th>arguments and settings</th><th class="n">ssh starts</th><th class="n">exit</th><th class="n">exit at</th><th class="n">downtime</th><th class="n">down</th><th class="n">decisions</th></tr>\n${rows}</table>`
    + (results.some((r) => r.setupError) ? results.filter((r) => r.setupError).map((r) => `<p class="bad">${esc(`${r.config.name}: autossh refused the configuration: ${r.setupError}`)}</p>`).join('') : '');
}

/** One row per disruptive fact: did it break the tunnel, and how long after its end it worked again, per configuration. */
function recoveryTable(results: readonly ReplayResult[], at: (ms: number) => string): string {
  const first = results[0];
  if (!first || first.summary.recoveries.length === 0) return '<h2>Recovery per disruption</h2>\n<p>No disruptive fact in this timeline.</p>';
  const header = results.map((r) => `<th class="n">${esc(r.config.name)}</th>`).join('');
  const rows = first.summary.recoveries.slice(0, MAX_DECISION_ROWS).map((rec, i) => {
    const cells = results.map((r) => {
      const c = r.summary.recoveries[i];
      if (!c) return '<td>-</td>';
      if (!c.brokeTunnel) return '<td class="n">not broken</td>';
      return c.recoverMs === null ? '<td class="n bad">never</td>' : `<td class="n">${formatDuration(c.recoverMs)}</td>`;
    }).join('');
    return `<tr><td>${esc(at(rec.atMs))}</td><td>${esc(rec.fact)}</td><td class="n">${formatDuration(rec.endMs - rec.atMs)}</td>${cells}</tr>`;
  }).join('\n');
  return `<h2>Recovery per disruption</h2>\n<p>Time from the fact's end to a working tunnel.</p>\n<table class="recovery"><tr><th>at</th><th>fact</th><th class="n">lasted</th>${header}</tr>\n${rows}</table>`;
}

function decisionTable(result: ReplayResult, k: number, at: (ms: number) => string): string {
  const shown = result.decisions.slice(0, MAX_DECISION_ROWS);
  const rows = shown.map((d, i) => `<tr data-mark="d-${k}-${i}"><td>${esc(at(d.atMs))}</td><td>${esc(d.rule)}</td><td>${esc(d.detail)}</td></tr>`).join('\n');
  const more = result.decisions.length > shown.length ? `<p>${result.decisions.length - shown.length} more decisions: see --json.</p>` : '';
  return `<h2>Decisions: ${esc(result.config.name)}</h2>\n<table class="decisions"><tr><th>at</th><th>rule</th><th>detail</th></tr>\n${rows}</table>${more}`;
}
