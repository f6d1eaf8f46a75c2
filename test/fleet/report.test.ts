// The fleet HTML report must say what the fleet result says: the report is read back into
// numbers (durations parsed, bars measured) and compared with the FleetResult it was drawn from.
import { describe, expect, it } from 'vitest';
import { runFleet, DEFAULT_FLEET_CONFIG } from '../../sim/fleet/run-fleet.js';
import { builtinModel } from '../../sim/fleet/builtin-models.js';
import { fleetReportHtml } from '../../sim/report/fleet-report.js';
import { parseDurationMs } from '../../sim/schema/duration.js';
import { roundingUnitMs } from '../../sim/fleet/rounded-duration.js';

const DAY_MS = 86_400_000;
const BIN_COUNT = 40;
/** The histogram's drawing height: the fullest bin's bar is this tall. */
const BAR_AREA_HEIGHT = 200;

// A flaky fleet with a small MAXSTART: downtimes spread over the whole day, all four percentiles
// differ, and some supervisors give up, so no two figures the report shows can be confused.
const result = runFleet({
  tunnels: 100,
  durationMs: DAY_MS,
  model: builtinModel('wifi-flaky')!,
  seed: 3,
  config: { ...DEFAULT_FLEET_CONFIG, env: { AUTOSSH_GATETIME: '30', AUTOSSH_MAXSTART: '3' } },
});
const html = fleetReportHtml(result);

function durationMs(text: string): number {
  const ms = parseDurationMs(text, 'seconds');
  if (ms === null) throw new Error(`the report shows ${JSON.stringify(text)} where a duration belongs`);
  return ms;
}

/** A figure as the report rounds it: to the second past a minute, to the minute past a day (never to the ms). */
function shown(ms: number): number {
  const unit = roundingUnitMs(ms);
  return Math.round(ms / unit) * unit;
}

function match(pattern: RegExp, page = html): RegExpExecArray {
  const m = pattern.exec(page);
  if (!m) throw new Error(`the report has nothing matching ${pattern}`);
  return m;
}

interface Bar {
  heightPx: number;
  fromMs: number;
  toMs: number;
  tunnels: number;
}

function bars(): Bar[] {
  const bar = /<rect [^>]*height="([\d.]+)"[^>]*><title>([^<]*)\.\.([^<]*): (\d+) tunnels<\/title><\/rect>/g;
  return [...html.matchAll(bar)].map((m) => ({
    heightPx: Number(m[1]),
    fromMs: durationMs(m[2]!),
    toMs: durationMs(m[3]!),
    tunnels: Number(m[4]),
  }));
}

describe('fleet HTML report', () => {
  it('names the fleet it shows: tunnel count, fault model, seed and simulated time', () => {
    const heading = `fleet: ${result.tunnels} tunnels on ${result.model}`;
    expect(match(/<title>([^<]*)<\/title>/)[1]).toBe(heading);
    expect(match(/<h1>([^<]*)<\/h1>/)[1]).toBe(heading);
    const [, seed, simulated] = match(/<p>seed (\d+), ([^;]+);/);
    expect(Number(seed)).toBe(result.seed);
    expect(durationMs(simulated!)).toBe(result.durationMs);
  });

  it('states the downtime percentiles, ssh starts, the busiest second and give-ups of the result', () => {
    const d = result.downtimeMs;
    // Distinct figures, so a report that swapped two of them would fail below.
    expect(new Set([d.p50, d.p90, d.p99, d.max]).size).toBe(4);
    expect(result.gaveUp).toBeGreaterThan(0);
    expect(result.gaveUp).toBeLessThan(result.tunnels);

    const [, p50, p90, p99, max, starts, peak, gaveUp] = match(
      /downtime p50 ([^,]+), p90 ([^,]+), p99 ([^,]+), max ([^;]+); ssh starts (\d+), at most (\d+) restarts in one second; gave up (\d+)<\/p>/,
    );
    expect({ p50: durationMs(p50!), p90: durationMs(p90!), p99: durationMs(p99!), max: durationMs(max!) })
      .toEqual({ p50: shown(d.p50), p90: shown(d.p90), p99: shown(d.p99), max: shown(d.max) });
    // downtimes of hours are given to the second: no ms in them
    expect(d.p90).toBeGreaterThan(3_600_000);
    expect(p90).toMatch(/^\d+h(\d+m)?(\d+s)?$/);
    expect(Number(starts)).toBe(result.sshStarts.total);
    expect(Number(peak)).toBe(result.sshStarts.peakRestartsPerSecond);
    expect(result.sshStarts.peakRestartsPerSecond).toBeGreaterThan(1);
    expect(Number(gaveUp)).toBe(result.gaveUp);
  });

  it('draws every tunnel once, in the downtime bin it belongs to', () => {
    const drawn = bars();
    expect(drawn).toHaveLength(BIN_COUNT);
    expect(drawn.reduce((sum, b) => sum + b.tunnels, 0)).toBe(result.tunnels);
    // Adjacent bins from 0 to the longest downtime; the axis is labelled with that maximum.
    expect(drawn[0]!.fromMs).toBe(0);
    expect(drawn.at(-1)!.toMs).toBe(shown(result.downtimeMs.max));
    drawn.slice(1).forEach((b, i) => expect(b.fromMs).toBe(drawn[i]!.toMs));
    expect(durationMs(match(/>([^<]+)<\/text><text [^>]*>tunnels per/)[1]!)).toBe(shown(result.downtimeMs.max));

    const downtimes = [...result.downtimesMs];
    drawn.forEach((b, i) => {
      const last = i === drawn.length - 1;
      // Bin edges are shown rounded (half a unit either way), so a downtime that close to an edge may sit either side.
      const halfFrom = roundingUnitMs(b.fromMs) / 2;
      const halfTo = roundingUnitMs(b.toMs) / 2;
      const surely = downtimes.filter((ms) => ms > b.fromMs + halfFrom && (ms < b.toMs - halfTo || (last && ms >= b.toMs - halfTo))).length;
      const atMost = downtimes.filter((ms) => ms >= b.fromMs - halfFrom && ms <= b.toMs + halfTo).length;
      expect(b.tunnels, `bin ${i}, ${b.fromMs}..${b.toMs} ms`).toBeGreaterThanOrEqual(surely);
      expect(b.tunnels, `bin ${i}, ${b.fromMs}..${b.toMs} ms`).toBeLessThanOrEqual(atMost);
    });
  });

  it('scales the bars to the fullest bin, whose count the caption gives', () => {
    const drawn = bars();
    const fullest = Math.max(...drawn.map((b) => b.tunnels));
    expect(Number(match(/tunnels per downtime bin \(max (\d+)\)/)[1])).toBe(fullest);
    for (const b of drawn) expect(b.heightPx).toBeCloseTo((b.tunnels / fullest) * BAR_AREA_HEIGHT, 6);
  });

  it('is one self-contained page', () => {
    expect(html).toMatch(/<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    // its one inline script reports script errors into the page; nothing is fetched
    expect(html).not.toMatch(/\ssrc=|\shref=/);
  });
});

describe('fleet HTML report with --compare', () => {
  // the same fleet with POLL 60, and with no start limit (nobody gives up: a shorter worst case)
  const envs: Array<Record<string, string>> = [{ ...result.config.env, AUTOSSH_POLL: '60' }, { AUTOSSH_GATETIME: '30' }];
  const compared = envs.map((env) => runFleet({
    tunnels: 100, durationMs: DAY_MS, model: builtinModel('wifi-flaky')!, seed: 3, config: { ...DEFAULT_FLEET_CONFIG, env },
  }));
  const all = [result, ...compared];
  const page = fleetReportHtml(result, builtinModel('wifi-flaky'), compared);
  /** each configuration's plot: its label, its bars (heights and counts), the end of its x axis */
  const plots = [...page.matchAll(/<svg [^>]*class="fleet configuration"[^>]*>([\s\S]*?)<\/svg>/g)].map((m) => ({
    label: /class="configuration-label">([^<]*)</.exec(m[1]!)![1]!,
    bars: [...m[1]!.matchAll(/<rect [^>]*height="([\d.]+)"[^>]*><title>[^<]*: (\d+) tunnels<\/title>/g)].map((b) => ({ heightPx: Number(b[1]), tunnels: Number(b[2]) })),
    axisEnd: durationMs(/>([^<]+)<\/text><text [^>]*>tunnels per/.exec(m[1]!)![1]!),
  }));

  it('draws every configuration, each named, the fleet\'s own first', () => {
    expect(plots).toHaveLength(3);
    expect(plots.map((p) => p.label)).toEqual([
      '1. AUTOSSH_GATETIME=30 AUTOSSH_MAXSTART=3 -M 20000 -N -R 2222:localhost:22 tunnel@relay.example.net',
      '2. AUTOSSH_GATETIME=30 AUTOSSH_MAXSTART=3 AUTOSSH_POLL=60 -M 20000 -N -R 2222:localhost:22 tunnel@relay.example.net',
      '3. AUTOSSH_GATETIME=30 -M 20000 -N -R 2222:localhost:22 tunnel@relay.example.net',
    ]);
    plots.forEach((p) => expect(p.bars.reduce((n, b) => n + b.tunnels, 0)).toBe(result.tunnels));
  });

  it('on shared axes: one downtime scale (the longest of all) and one tunnel scale (the fullest bin of all)', () => {
    const longest = Math.max(...all.map((r) => r.downtimeMs.max));
    expect(new Set(all.map((r) => r.downtimeMs.max)).size).toBeGreaterThan(1);
    plots.forEach((p) => expect(p.axisEnd).toBe(shown(longest)));
    const fullest = Math.max(...plots.flatMap((p) => p.bars.map((b) => b.tunnels)));
    const pxPerTunnel = plots.flatMap((p) => p.bars.filter((b) => b.tunnels > 0).map((b) => b.heightPx / b.tunnels));
    pxPerTunnel.forEach((px) => expect(px).toBeCloseTo(pxPerTunnel[0]!, 6));
    expect(fullest * pxPerTunnel[0]!).toBeCloseTo(130, 6);
  });

  it('has a summary table, one row per configuration with its percentiles, starts and give-ups', () => {
    const rows = [...match(/<table class="summary">([\s\S]*?)<\/table>/, page)[1]!.matchAll(/<tr><td>[\s\S]*?<\/tr>/g)].map((m) => m[0]);
    expect(rows).toHaveLength(3);
    rows.forEach((row, k) => {
      const r = all[k]!;
      const cells = [...row.matchAll(/<td class="n">([^<]*)<\/td>/g)].map((m) => m[1]!);
      expect(cells.slice(0, 5).map(durationMs)).toEqual(['p50', 'p90', 'p99', 'max', 'mean'].map((p) => shown(r.downtimeMs[p as 'p50'])));
      expect(cells.slice(5).map(Number)).toEqual([r.sshStarts.total, r.sshStarts.peakRestartsPerSecond, r.gaveUp]);
    });
    expect(new Set(all.map((r) => r.gaveUp)).size).toBeGreaterThan(1);
  });
});
