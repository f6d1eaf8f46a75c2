// A fleet's downtime per tunnel as a histogram with labelled axes and percentile markers, the
// configuration it ran, the fault kinds it suffered and the tunnels that gave up, in one
// self-contained page. With --compare, the same fleet under every configuration: one histogram
// each on the same two scales (downtime across, tunnels up), stacked so the eye compares them
// straight down, and a summary table with a row per configuration.
import { formatDuration } from '../timeline/duration.js';
import { formatRoundedDuration as rounded } from '../fleet/rounded-duration.js';
import type { FleetResult } from '../fleet/run-fleet.js';
import type { Distribution, FaultModel } from '../fleet/fault-model.js';
import { builtinModel } from '../fleet/builtin-models.js';
import { esc, niceStepMs, page, rect, text } from './svg.js';

const BINS = 40;
const BIN_PX = 20;
const LEFT = 60;
const TOP = 30;
/** The fullest bin's bar is this tall; stacked for --compare, a little less. */
const BAR_AREA_PX = 200;
const COMPARED_BAR_AREA_PX = 130;
const DAY_MS = 86_400_000;
/** Rows of the table of the tunnels down the longest. */
const WORST_TUNNELS = 10;
const PERCENTILE_COLOURS = { p50: '#2ca02c', p90: '#ff7f0e', p99: '#d62728' } as const;

/** Each configuration's colour, in --compare order (the first is the fleet's own). */
const CONFIG_COLOURS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#9467bd', '#8c564b', '#e377c2', '#17becf', '#7f7f7f'];

/** Both scales a histogram is drawn on: shared by every configuration of one report. */
interface Scales {
  /** the x axis ends here: the longest downtime of any configuration */
  maxMs: number;
  /** the fullest bin of any configuration is barAreaPx tall */
  topCount: number;
  barAreaPx: number;
}

/** A configuration as one line: its settings, then its arguments. */
export function configurationText(r: FleetResult): string {
  return [...Object.entries(r.config.env).map(([k, v]) => `${k}=${v}`), ...r.config.args].join(' ') || r.config.name;
}

function binCounts(r: FleetResult, maxMs: number): number[] {
  const max = Math.max(1, maxMs);
  const counts = new Array<number>(BINS).fill(0);
  for (const d of r.downtimesMs) counts[Math.min(BINS - 1, Math.floor((d / max) * BINS))]!++;
  return counts;
}

/**
 * `model` is the fault model the fleet ran; without it (merge of shards, say) a built-in model
 * is found by its name, and a model file's kinds are not shown. `compared`: the same fleet (its
 * tunnels, seed and faults) under each --compare configuration.
 */
export function fleetReportHtml(r: FleetResult, model: FaultModel | null = builtinModel(r.model), compared: readonly FleetResult[] = []): string {
  const d = r.downtimeMs;
  const title = `fleet: ${r.tunnels} tunnels on ${r.model}`;
  if (compared.length === 0) {
    const scales = { maxMs: r.downtimeMs.max, topCount: Math.max(1, ...binCounts(r, r.downtimeMs.max)), barAreaPx: BAR_AREA_PX };
    return page(title, [
      histogram(r, scales, 0, null),
      `<p>${esc(`seed ${r.seed}, ${formatDuration(r.durationMs)}; downtime p50 ${rounded(d.p50)}, p90 ${rounded(d.p90)}, p99 ${rounded(d.p99)}, max ${rounded(d.max)}; ssh starts ${r.sshStarts.total}, at most ${r.sshStarts.peakRestartsPerSecond} restarts in one second; gave up ${r.gaveUp}`)}</p>`,
      configuration(r, model),
      faultKinds(r, model),
      gaveUp(r),
      longestDown(r),
    ].join('\n'));
  }
  const all = [r, ...compared];
  const maxMs = Math.max(...all.map((x) => x.downtimeMs.max));
  const scales = { maxMs, topCount: Math.max(1, ...all.flatMap((x) => binCounts(x, maxMs))), barAreaPx: COMPARED_BAR_AREA_PX };
  return page(title, [
    `<p>${esc(`The same ${r.tunnels} tunnels, seed ${r.seed}, faults and ${formatDuration(r.durationMs)} under ${all.length} configurations: `
      + 'their histograms share both axes (downtime across, tunnels up), so compare them straight down.')}</p>`,
    ...all.map((x, k) => histogram(x, scales, k, `${k + 1}. ${configurationText(x)}`)),
    summaryTable(all),
    configuration(r, model, compared),
    faultKinds(r, model),
    ...all.map((x, k) => gaveUp(x, `${k + 1}. ${configurationText(x)}`)),
    ...all.map((x, k) => longestDown(x, `${k + 1}. ${configurationText(x)}`)),
  ].join('\n'));
}

/** One row per configuration: the figures an SRE compares first. */
function summaryTable(all: readonly FleetResult[]): string {
  const rows = all.map((x, k) => `<tr><td><i class="sw" style="background:${CONFIG_COLOURS[k % CONFIG_COLOURS.length]}"></i>${k + 1}. <code>${esc(configurationText(x))}</code></td>`
    + ['p50', 'p90', 'p99', 'max', 'mean'].map((p) => `<td class="n">${esc(rounded(x.downtimeMs[p as 'p50']))}</td>`).join('')
    + `<td class="n">${x.sshStarts.total}</td><td class="n">${x.sshStarts.peakRestartsPerSecond}</td><td class="n">${x.gaveUp}</td></tr>`).join('\n');
  return `<h2>Configurations</h2>\n<table class="summary"><tr><th>configuration</th><th class="n">downtime p50</th><th class="n">p90</th><th class="n">p99</th>`
    + `<th class="n">max</th><th class="n">mean</th><th class="n">ssh starts</th><th class="n">most restarts in a second</th><th class="n">gave up</th></tr>\n${rows}</table>`;
}

/**
 * The histogram of one configuration on the report's scales. `label`: its name above the plot
 * when several share the page (class "configuration" marks each such plot).
 */
function histogram(r: FleetResult, scales: Scales, k: number, label: string | null): string {
  const max = Math.max(1, scales.maxMs);
  const counts = binCounts(r, max);
  const top = scales.topCount;
  const barAreaPx = scales.barAreaPx;
  const colour = CONFIG_COLOURS[k % CONFIG_COLOURS.length]!;
  const labelPx = label === null ? 0 : 18;
  const top0 = TOP + labelPx;
  const baseY = top0 + barAreaPx;
  const x = (ms: number): number => LEFT + (ms / max) * BINS * BIN_PX;
  const parts = counts.map((c, i) => rect(LEFT + i * BIN_PX, baseY - (c / top) * barAreaPx, BIN_PX - 2, (c / top) * barAreaPx, colour,
    `${rounded(Math.round((i * max) / BINS))}..${rounded(Math.round(((i + 1) * max) / BINS))}: ${c} tunnels`, 'bar'));
  const rightX = LEFT + BINS * BIN_PX;
  if (label !== null) parts.push(text(4, 16, label, 'font-weight="bold" class="configuration-label"'));
  // y axis: tunnels, on whole-number ticks
  const yStep = niceCount(top);
  parts.push(`<line class="axis" x1="${LEFT - 2}" x2="${LEFT - 2}" y1="${top0}" y2="${baseY}" stroke="#555"/>`);
  for (let n = 0; n <= top; n += yStep) {
    const y = baseY - (n / top) * barAreaPx;
    parts.push(`<line class="tick" x1="${LEFT - 6}" x2="${LEFT - 2}" y1="${y.toFixed(1)}" y2="${y.toFixed(1)}" stroke="#555"/>`);
    parts.push(`<text class="tick-label" x="${LEFT - 8}" y="${(y + 4).toFixed(1)}" font-size="11" font-family="sans-serif" text-anchor="end">${n}</text>`);
  }
  parts.push(`<text x="14" y="${top0 + barAreaPx / 2}" font-size="11" font-family="sans-serif" text-anchor="middle" transform="rotate(-90 14 ${top0 + barAreaPx / 2})">tunnels (count)</text>`);
  // x axis: downtime per tunnel, as durations
  parts.push(`<line class="axis" x1="${LEFT}" x2="${rightX}" y1="${baseY + 1}" y2="${baseY + 1}" stroke="#555"/>`);
  const xStep = niceStepMs(max, 6);
  // bounded: niceStepMs gives at most 6 steps over 0..max
  for (let ms = 0; ms <= max; ms += xStep) {
    parts.push(`<line class="tick" x1="${x(ms).toFixed(1)}" x2="${x(ms).toFixed(1)}" y1="${baseY + 1}" y2="${baseY + 5}" stroke="#555"/>`);
    if (ms > 0 && x(max) - x(ms) > 60) parts.push(`<text class="tick-label" x="${x(ms).toFixed(1)}" y="${baseY + 17}" font-size="11" font-family="sans-serif" text-anchor="middle">${esc(formatDuration(ms))}</text>`);
  }
  parts.push(text(LEFT + (BINS * BIN_PX) / 2 - 120, baseY + 34, 'downtime per tunnel over the simulated time (d h m s)'));
  // percentile markers
  (['p50', 'p90', 'p99'] as const).forEach((p, j) => {
    const px = x(r.downtimeMs[p]).toFixed(1);
    parts.push(`<line class="percentile" x1="${px}" x2="${px}" y1="${top0 - 4}" y2="${baseY}" stroke="${PERCENTILE_COLOURS[p]}" stroke-width="1.5" stroke-dasharray="4,3"><title>${p} ${esc(rounded(r.downtimeMs[p]))}</title></line>`);
    const nearRight = Number(px) > rightX - 150;
    parts.push(`<text class="percentile-label" x="${(Number(px) + (nearRight ? -3 : 3)).toFixed(1)}" text-anchor="${nearRight ? 'end' : 'start'}" y="${top0 + 4 + j * 13}" font-size="11" font-family="sans-serif" fill="${PERCENTILE_COLOURS[p]}">${p} ${esc(rounded(r.downtimeMs[p]))}</text>`);
  });
  // the axis ends and the caption, in this order (test/fleet/report.test.ts reads them)
  parts.push(`<text class="tick-label" x="${LEFT}" y="${baseY + 17}" font-size="11" font-family="sans-serif" text-anchor="middle">0</text>`,
    `<text class="tick-label" x="${rightX}" y="${baseY + 17}" font-size="11" font-family="sans-serif" text-anchor="middle">${esc(rounded(max))}</text>`
    + text(LEFT, top0 - 16, `tunnels per downtime bin (max ${top})`));
  const cls = label === null ? 'fleet' : 'fleet configuration';
  return `<svg xmlns="http://www.w3.org/2000/svg" class="${cls}" width="${rightX + 60}" height="${baseY + 44}">${parts.join('')}</svg>`;
}

/** A tick step for 0..top tunnels: about five ticks, on 1, 2, 5, 10... */
function niceCount(top: number): number {
  for (let step = 1; ; step *= 10) {
    for (const m of [1, 2, 5]) if (top / (step * m) <= 6) return step * m;
  }
}

function row(name: string, value: string): string {
  return `<tr><th>${esc(name)}</th><td>${value}</td></tr>`;
}

function configuration(r: FleetResult, model: FaultModel | null, compared: readonly FleetResult[] = []): string {
  const settings = (x: FleetResult, k: number | null): string[] => {
    const env = Object.entries(x.config.env).map(([name, v]) => `${name}=${v}`);
    const which = k === null ? '' : ` (${k + 1})`;
    return [
      row(`autossh arguments${which}`, `<code>${esc(x.config.args.join(' '))}</code>`),
      row(`environment${which}`, env.length > 0 ? `<code>${esc(env.join(' '))}</code>` : 'none (autossh defaults)'),
    ];
  };
  return `<h2>Configuration</h2>\n<table class="config">${[
    row('tunnels', String(r.tunnels)),
    row('simulated time', esc(formatDuration(r.durationMs))),
    row('seed', String(r.seed)),
    row('fault model', esc(model ? `${r.model}: ${model.description}` : r.model)),
    ...(compared.length === 0 ? settings(r, null) : [r, ...compared].flatMap((x, k) => settings(x, k))),
  ].join('')}</table>`;
}

function law(d: Distribution): string {
  switch (d.dist) {
    case 'fixed': return formatDuration(d.valueMs);
    case 'exponential': return `exponential, mean ${formatDuration(d.meanMs)}`;
    case 'lognormal': return `lognormal, median ${formatDuration(d.medianMs)}, sigma ${d.sigma}, at most ${formatDuration(d.maxMs)}`;
    case 'uniform': return `uniform ${formatDuration(d.minMs)}..${formatDuration(d.maxMs)}`;
  }
}

/**
 * The fault kinds the model inflicts, with the count each would give this fleet on average. The
 * result counts faults only in total (r.faults), not per kind, so per kind is what was expected.
 */
function faultKinds(r: FleetResult, model: FaultModel | null): string {
  const intro = `<p>${r.faults.total} faults inflicted in all (a correlated event counts once per tunnel it hits); ${r.faults.correlatedEvents} correlated events.</p>`;
  if (!model) return `<h2>Faults by kind</h2>\n${intro}<p>The model ${esc(r.model)} is a file: its kinds are in that file.</p>`;
  const days = r.durationMs / DAY_MS;
  const rows = model.faults.map((f) => `<tr><td>${esc(f.kind)}${f.kind === 'outage' ? ` (${esc(f.mode)})` : ''}</td><td>per tunnel</td><td class="n">${f.perDay}</td>`
    + `<td class="n">${Math.round(f.perDay * days * r.tunnels)}</td><td>${f.kind === 'sshCrash' ? 'instant' : esc(law(f.duration))}</td></tr>`);
  const correlated = model.correlated.map((c) => `<tr><td>${esc(c.kind)}${c.kind === 'outage' ? ` (${esc(c.mode)})` : ''}</td><td>${Math.round(c.fraction * 100)}% of the fleet at once</td>`
    + `<td class="n">${c.perDay}</td><td class="n">${Math.round(c.perDay * days * c.fraction * r.tunnels)}</td><td>${c.kind === 'sshCrash' ? 'instant' : esc(law(c.duration))}</td></tr>`);
  return `<h2>Faults by kind</h2>\n${intro}<table class="fault-kinds"><tr><th>kind</th><th>hits</th><th class="n">per day</th><th class="n">expected over the run, all tunnels</th><th>duration</th></tr>\n`
    + `${[...rows, ...correlated].join('\n')}</table>`;
}

/** Exit codes as autossh gives them, with the settings in play that end it. */
function gaveUp(r: FleetResult, which: string | null = null): string {
  const heading = `<h2>Tunnels that gave up${which === null ? '' : `: ${esc(which)}`}</h2>`;
  if (r.gaveUp === 0) return `${heading}\n<p>None: every supervisor was still running at the end.</p>`;
  const limits = ['AUTOSSH_MAXSTART', 'AUTOSSH_MAXLIFETIME', 'AUTOSSH_GATETIME'].filter((k) => k in r.config.env).map((k) => `${k}=${r.config.env[k]}`);
  const why = (code: string): string => `autossh exited ${code}; ${limits.length > 0 ? `the limits set in this configuration: ${limits.join(', ')}` : 'no limit set (a first ssh failing inside the gate time ends autossh)'}`;
  const rows = Object.entries(r.exitCodes).sort(([a], [b]) => Number(a) - Number(b))
    .map(([code, n]) => `<tr><td class="n">${esc(code)}</td><td class="n">${n}</td><td>${esc(why(code))}</td></tr>`).join('\n');
  return `${heading}\n<p>${r.gaveUp} of ${r.tunnels} supervisors exited before the end and left their tunnel down.</p>\n`
    + `<table class="gave-up"><tr><th class="n">exit code</th><th class="n">tunnels</th><th>why</th></tr>\n${rows}</table>`;
}

/** The tunnels down the longest, by index (the order the fleet numbers them, from 0): the ones to replay. */
function longestDown(r: FleetResult, which: string | null = null): string {
  // one pass keeping the worst few: a fleet has up to 100 000 tunnels
  const worst: Array<{ index: number; ms: number }> = [];
  r.downtimesMs.forEach((ms, index) => {
    if (worst.length === WORST_TUNNELS && ms <= worst[worst.length - 1]!.ms) return;
    worst.push({ index, ms });
    worst.sort((a, b) => b.ms - a.ms || a.index - b.index);
    if (worst.length > WORST_TUNNELS) worst.pop();
  });
  const rows = worst.map((w) => `<tr><td class="n">${w.index}</td><td class="n">${esc(rounded(w.ms))}</td><td class="n">${((w.ms / r.durationMs) * 100).toFixed(2)}%</td></tr>`).join('\n');
  return `<h2>Tunnels down the longest${which === null ? '' : `: ${esc(which)}`}</h2>\n<table class="worst"><tr><th class="n">tunnel (from 0)</th><th class="n">downtime</th><th class="n">of the run</th></tr>\n${rows}</table>`;
}
