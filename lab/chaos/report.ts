// The --report page: a summary across supervisors, then per supervisor one inline SVG timeline
// (faults with who noticed them, every ssh life however short, its decisions: restarts and
// backoff waits, canary latency on a log scale, lost canaries) and the measurement table.
// Self-contained: no script, font or style from the network, so it opens anywhere, offline;
// its one inline script only reports script errors into the page.
import { formatSeconds } from './schedule/duration.js';
import { describeAttribution, formatAggregate } from './format.js';
import { esc, PAGE_SCRIPT } from '../../sim/report/svg.js';
import { medianAndWorst } from './measure.js';
import type { TimedLine } from './supervisor.js';
import type { ChaosResult, SupervisorResult } from './result.js';

const WIDTH = 1000;
const LEFT = 70;
const RIGHT = 20;
const ROW_FAULTS = { top: 22, height: 24 };
const ROW_SSH = { top: 56, height: 40 };
const ROW_DECISIONS = { top: 102, height: 16 };
const ROW_RTT = { top: 128, height: 130 };
const ROW_LOST = { top: 266, height: 12 };
const HEIGHT = 310;
/** The narrowest an ssh life is drawn, so a life of a few ms still shows on a long run. */
const MIN_LIFE_PX = 1.5;
/** Decisions drawn per supervisor: a restart loop logs thousands, a pixel holds many anyway. */
const MAX_DECISION_MARKS = 5_000;

const fmt = (n: number): string => n.toFixed(1);

export function chaosReportHtml(result: ChaosResult): string {
  const sections = result.supervisors.map((sup) => section(result, sup)).join('\n');
  const data = JSON.stringify({
    schedule: result.schedule,
    faults: result.faults,
    supervisors: result.supervisors.map((s) => ({ label: s.label, measurements: s.measurements, sshLives: s.sshLives })),
  }).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>chaos: ${esc(result.schedule.name)}</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222;max-width:${WIDTH + 40}px}
h1{font-size:20px}h2{font-size:16px;margin-top:28px}
table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}
td:first-child,th:first-child{text-align:left}.bad{color:#b00;font-weight:bold}
svg{background:#fafafa;border:1px solid #ddd}svg text{font:11px sans-serif;fill:#333}
.legend span{display:inline-block;margin-right:14px}.sw{display:inline-block;width:12px;height:10px;margin-right:4px;vertical-align:middle}
code{font-size:12px;word-break:break-all}
</style>
${PAGE_SCRIPT}
</head><body>
<h1>Chaos run: ${esc(result.schedule.name)}</h1>
<p>${esc(result.schedule.description)}</p>
<p>Started ${esc(result.startedAt)}; ${worldSentence(result)};
sshd ${esc(result.sshd.host)}:${result.sshd.port}${result.sshd.own ? ' (the lab\'s own)' : ''}; ${result.forward === 'remote' ? '-R' : '-L'} forward${envSentence(result.scheduleEnv)}.
Times are seconds from the start of the setup; the schedule started at ${formatSeconds(result.scheduleStartMs, 1)}.</p>
<p class="legend"><span><i class="sw" style="background:#f5a623"></i>fault</span><span><i class="sw" style="background:#4a90d9"></i>ssh process (first to last seen)</span>
<span><i class="sw" style="background:#7b3fa0"></i>restart decision</span><span><i class="sw" style="background:#c9b3e0"></i>backoff wait</span>
<span><i class="sw" style="background:#2e7d32"></i>answered canary (round trip, log scale)</span><span><i class="sw" style="background:#d0021b"></i>lost canary</span></p>
${summaryTables(result)}
${sections}
<script type="application/json" id="chaos-data">${data}</script>
</body></html>
`;
}

function section(result: ChaosResult, sup: SupervisorResult): string {
  const rows = result.faults
    .map((f, i) => {
      const m = sup.measurements[i]!;
      const who = describeAttribution(m.attribution);
      const evidence = m.attribution.evidence === null ? '' : ` title="${esc(m.attribution.evidence)}"`;
      return `<tr><td>${f.index}. ${esc(f.label)}</td><td>${formatSeconds(f.endMs - f.startMs, 1)}</td><td>${m.detectMs === null ? 'never' : formatSeconds(m.detectMs)}</td><td${m.recoverMs === null ? ' class="bad"' : ''}>${m.recoverMs === null ? 'not recovered' : formatSeconds(m.recoverMs)}</td><td>${m.canariesLost}</td><td>${m.sshStarts}</td><td>${m.maxRttMs === null ? '-' : `${m.maxRttMs} ms`}</td><td class="ended-by"${evidence}>${esc(who.endedBy)}</td><td class="then">${esc(who.then)}</td></tr>`;
    })
    .join('\n');
  return `<section class="supervisor">
<h2>${esc(sup.label)}</h2>
<p><code>${esc(sup.argv.join(' '))}</code></p>
${timeline(result, sup)}
<table><tr><th>fault</th><th>duration</th><th>detect</th><th>recover</th><th>canaries lost</th><th>ssh starts</th><th>max rtt</th><th>ended by</th><th>then</th></tr>
${rows}</table>
${evidenceList(result, sup)}
<p>${esc(formatAggregate(sup.label, sup.measurements))}</p>
${sup.exited ? `<p class="bad">${esc(sup.exited)}</p>` : ''}
</section>`;
}

function worldSentence(result: ChaosResult): string {
  if (result.netns) {
    const n = result.netns;
    return `network namespace ${esc(n.namespace)} (${esc(n.serverAddress)}, reached over ${esc(n.rootDevice)} ${esc(n.rootAddress)})`;
  }
  return result.toxiproxy ? `Toxiproxy ${esc(result.toxiproxy.url)}${result.toxiproxy.embedded ? ' (embedded)' : ''}` : 'no Toxiproxy';
}

function envSentence(env: Record<string, string>): string {
  const pairs = Object.entries(env).map(([k, v]) => `${k}=${v}`);
  return pairs.length > 0 ? `; the schedule sets <code>${esc(pairs.join(' '))}</code> for every supervisor` : '';
}

/** Each ssh's evidence line, so a reader can check the "ended by" column. */
function evidenceList(result: ChaosResult, sup: SupervisorResult): string {
  const items = result.faults
    .map((f, i) => ({ f, a: sup.measurements[i]!.attribution }))
    .filter(({ a }) => a.evidence !== null)
    .map(({ f, a }) => `<li>${f.index}. ${esc(f.label)}: ${esc(a.endedBy)}: <code>${esc(a.evidence!)}</code></li>`);
  return items.length > 0 ? `<ul class="evidence">${items.join('')}</ul>` : '';
}

function timeline(result: ChaosResult, sup: SupervisorResult): string {
  const endMs = Math.max(result.runEndMs, 1);
  const x = (ms: number): number => LEFT + (Math.min(Math.max(ms, 0), endMs) / endMs) * (WIDTH - LEFT - RIGHT);
  const answered = sup.canaries.filter((p) => p.answeredMs !== null);
  const maxRtt = Math.max(10, ...answered.map((p) => p.answeredMs! - p.sentMs));
  const lo = Math.log10(0.5);
  const hi = Math.log10(maxRtt * 1.5);
  const y = (rtt: number): number => ROW_RTT.top + ROW_RTT.height - ((Math.log10(Math.max(rtt, 0.5)) - lo) / (hi - lo)) * ROW_RTT.height;
  const parts: string[] = [];

  // Time axis and fault shading across every row.
  const stepS = niceStep(endMs / 1000);
  for (let s = 0; s * 1000 <= endMs; s += stepS) {
    parts.push(`<line x1="${fmt(x(s * 1000))}" x2="${fmt(x(s * 1000))}" y1="${ROW_FAULTS.top}" y2="${ROW_LOST.top + ROW_LOST.height}" stroke="#e4e4e4"/>`);
    parts.push(`<text class="tick-label" x="${fmt(x(s * 1000))}" y="${HEIGHT - 12}" text-anchor="middle">${s}s</text>`);
  }
  result.faults.forEach((f, i) => {
    const who = sup.measurements[i] ? describeAttribution(sup.measurements[i]!.attribution).endedBy : 'none';
    const w = Math.max(1, x(f.endMs) - x(f.startMs));
    parts.push(`<rect class="fault-span" x="${fmt(x(f.startMs))}" y="${ROW_FAULTS.top}" width="${fmt(w)}" height="${ROW_LOST.top + ROW_LOST.height - ROW_FAULTS.top}" fill="#f5a623" fill-opacity="0.12"/>`);
    parts.push(`<rect class="fault" data-start-ms="${f.startMs}" data-end-ms="${f.endMs}" x="${fmt(x(f.startMs))}" y="${ROW_FAULTS.top}" width="${fmt(w)}" height="${ROW_FAULTS.height}" fill="#f5a623"><title>${esc(f.label)} (${esc(f.type)}) ${formatSeconds(f.startMs, 1)}-${formatSeconds(f.endMs, 1)}; ssh ended by ${esc(who)}</title></rect>`);
    parts.push(`<text class="who-noticed" x="${fmt(x(f.startMs) + 3)}" y="${ROW_FAULTS.top + 16}">${esc(f.label)}: ${esc(who)}</text>`);
  });
  parts.push(`<line x1="${fmt(x(result.scheduleStartMs))}" x2="${fmt(x(result.scheduleStartMs))}" y1="${ROW_FAULTS.top}" y2="${ROW_LOST.top + ROW_LOST.height}" stroke="#999" stroke-dasharray="3,3"/>`);

  // ssh lifetimes, on two alternating lanes so back-to-back processes stay distinct.
  const laneH = ROW_SSH.height / 2 - 2;
  sup.sshLives.forEach((life, i) => {
    const end = life.endMs ?? result.runEndMs;
    const top = ROW_SSH.top + (i % 2) * (laneH + 4);
    parts.push(`<rect class="ssh" data-pid="${life.pid}" data-start-ms="${life.startMs}" data-end-ms="${end}" x="${fmt(x(life.startMs))}" y="${top}" width="${fmt(Math.max(MIN_LIFE_PX, x(end) - x(life.startMs)))}" height="${laneH}" fill="#4a90d9"><title>ssh pid ${life.pid}: ${formatSeconds(life.startMs)} - ${life.endMs === null ? 'end of run' : formatSeconds(life.endMs)}</title></rect>`);
  });

  // Decisions from its log: restarts as marks, backoff waits as spans from the line on.
  for (const d of decisionsOf(sup.log).slice(0, MAX_DECISION_MARKS)) {
    const title = `<title>${formatSeconds(d.ms)} ${esc(d.text)}</title>`;
    if (d.kind === 'wait') {
      parts.push(`<rect class="decision wait" x="${fmt(x(d.ms))}" y="${ROW_DECISIONS.top + 4}" width="${fmt(Math.max(2, x(d.ms + d.waitMs) - x(d.ms)))}" height="${ROW_DECISIONS.height - 8}" fill="#c9b3e0">${title}</rect>`);
    } else {
      parts.push(`<path class="decision restart" d="M${fmt(x(d.ms))} ${ROW_DECISIONS.top}l-4 ${ROW_DECISIONS.height}h8z" fill="#7b3fa0">${title}</path>`);
    }
  }

  // Canary round trips (log scale) and lost canaries.
  for (const p of sup.canaries) {
    if (p.answeredMs !== null) {
      const rtt = p.answeredMs - p.sentMs;
      parts.push(`<circle class="canary answered" cx="${fmt(x(p.sentMs))}" cy="${fmt(y(rtt))}" r="1.6" fill="#2e7d32"><title>#${p.seq} at ${formatSeconds(p.sentMs)}: ${rtt} ms</title></circle>`);
    } else if (p.outcome !== 'pending') {
      parts.push(`<rect class="canary lost" x="${fmt(x(p.sentMs) - 0.8)}" y="${ROW_LOST.top}" width="1.6" height="${ROW_LOST.height}" fill="#d0021b"><title>#${p.seq} at ${formatSeconds(p.sentMs)}: ${p.outcome}</title></rect>`);
    }
  }
  for (const tick of [1, 10, 100, 1000, 10000].filter((t) => t <= maxRtt * 1.5)) {
    parts.push(`<line x1="${LEFT - 4}" x2="${WIDTH - RIGHT}" y1="${fmt(y(tick))}" y2="${fmt(y(tick))}" stroke="#eee"/><text x="${LEFT - 6}" y="${fmt(y(tick) + 4)}" text-anchor="end">${tick >= 1000 ? `${tick / 1000}s` : `${tick}ms`}</text>`);
  }
  const label = (text: string, top: number, h: number): string => `<text x="4" y="${fmt(top + h / 2 + 4)}">${text}</text>`;
  parts.push(label('faults', ROW_FAULTS.top, ROW_FAULTS.height), label('ssh', ROW_SSH.top, ROW_SSH.height), label('decisions', ROW_DECISIONS.top, ROW_DECISIONS.height), label('lost', ROW_LOST.top, ROW_LOST.height));
  parts.push(`<text x="4" y="${ROW_RTT.top + 10}">rtt</text>`);
  return `<svg xmlns="http://www.w3.org/2000/svg" class="timeline" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label="timeline of ${esc(sup.label)}">\n${parts.join('\n')}\n</svg>`;
}

function niceStep(totalS: number): number {
  for (const step of [1, 2, 5, 10, 15, 30, 60, 120, 300, 600]) if (totalS / step <= 20) return step;
  return 1200;
}

export interface LoggedDecision {
  ms: number;
  text: string;
  kind: 'restart' | 'wait';
  /** for waits: how long the line says it waits */
  waitMs: number;
}

/** A wait a supervisor's line announces, in ms: 1.4g's grace sleep, autossh-ts's backoff, jitter and retry waits. */
function waitMsOf(text: string): number | null {
  const m = /sleeping for grace time (\d+) secs|wait (\d+(?:\.\d+)?) s\b|retry(?:ing the remote forward)? in (\d+(?:\.\d+)?) s\b|wait(?:ing)? (\d+) ms\b/.exec(text);
  if (!m) return null;
  const seconds = m[1] ?? m[2] ?? m[3];
  return seconds !== undefined ? Number(seconds) * 1000 : Number(m[4]);
}

/** The decisions a supervisor's log records: restarts of ssh and the waits before them. */
export function decisionsOf(log: readonly TimedLine[]): LoggedDecision[] {
  const out: LoggedDecision[] = [];
  for (const line of log) {
    const waitMs = waitMsOf(line.text);
    if (waitMs !== null) out.push({ ms: line.ms, text: line.text, kind: 'wait', waitMs });
    else if (/restart(ing)? ssh/.test(line.text)) out.push({ ms: line.ms, text: line.text, kind: 'restart', waitMs: 0 });
  }
  return out;
}

/** Across supervisors: one row each with its aggregates, then each fault side by side. */
function summaryTables(result: ChaosResult): string {
  const sec = (ms: number | null): string => (ms === null ? '-' : formatSeconds(ms));
  const rows = result.supervisors.map((sup) => {
    const detect = medianAndWorst(sup.measurements.map((m) => m.detectMs));
    const recover = medianAndWorst(sup.measurements.map((m) => m.recoverMs));
    const noticed = new Map<string, number>();
    for (const m of sup.measurements) {
      const who = describeAttribution(m.attribution).endedBy;
      noticed.set(who, (noticed.get(who) ?? 0) + 1);
    }
    const decisions = decisionsOf(sup.log);
    return `<tr><td>${esc(sup.label)}</td><td>${sec(detect.median)} / ${sec(detect.worst)}${detect.missing > 0 ? ` (${detect.missing} never)` : ''}</td>`
      + `<td${recover.missing > 0 ? ' class="bad"' : ''}>${sec(recover.median)} / ${sec(recover.worst)}${recover.missing > 0 ? ` (${recover.missing} not recovered)` : ''}</td>`
      + `<td>${sup.measurements.reduce((n, m) => n + m.canariesLost, 0)}</td><td>${sup.sshLives.length}</td>`
      + `<td>${decisions.filter((d) => d.kind === 'restart').length}</td><td>${decisions.filter((d) => d.kind === 'wait').length}</td>`
      + `<td class="who">${esc([...noticed].map(([who, n]) => `${who} ${n}`).join(', ') || '-')}</td>`
      + `<td${sup.exited ? ' class="bad"' : ''}>${sup.exited ? esc(sup.exited) : 'no'}</td></tr>`;
  }).join('\n');
  const headers = result.supervisors.map((s) => `<th>${esc(s.label)}<br>detect / recover / ended by</th>`).join('');
  const perFault = result.faults.map((f, i) => `<tr><td>${f.index}. ${esc(f.label)}</td><td>${formatSeconds(f.endMs - f.startMs, 1)}</td>${result.supervisors.map((sup) => {
    const m = sup.measurements[i];
    if (!m) return '<td>-</td>';
    return `<td${m.recoverMs === null ? ' class="bad"' : ''}>${m.detectMs === null ? 'never' : formatSeconds(m.detectMs)} / ${m.recoverMs === null ? 'not recovered' : formatSeconds(m.recoverMs)} / ${esc(describeAttribution(m.attribution).endedBy)}</td>`;
  }).join('')}</tr>`).join('\n');
  return `<h2>Summary across supervisors</h2>
<table class="summary"><tr><th>supervisor</th><th>detect median / worst</th><th>recover median / worst</th><th>canaries lost</th><th>ssh lives</th><th>restarts logged</th><th>waits logged</th><th>who noticed (ended the ssh at each fault)</th><th>exited by itself</th></tr>
${rows}</table>
<table class="per-fault"><tr><th>fault</th><th>duration</th>${headers}</tr>
${perFault}</table>`;
}
