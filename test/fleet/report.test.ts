// The fleet HTML report must say what the fleet result says: the report is read back into
// numbers (durations parsed, bars measured) and compared with the FleetResult it was drawn from.
import { describe, expect, it } from 'vitest';
import { runFleet, DEFAULT_FLEET_CONFIG } from '../../sim/fleet/run-fleet.js';
import { builtinModel } from '../../sim/fleet/builtin-models.js';
import { fleetReportHtml } from '../../sim/report/fleet-report.js';
import { parseDurationMs } from '../../sim/schema/duration.js';

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

function match(pattern: RegExp): RegExpExecArray {
  const m = pattern.exec(html);
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
      .toEqual({ p50: d.p50, p90: d.p90, p99: d.p99, max: d.max });
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
    expect(drawn.at(-1)!.toMs).toBe(result.downtimeMs.max);
    drawn.slice(1).forEach((b, i) => expect(b.fromMs).toBe(drawn[i]!.toMs));
    expect(durationMs(match(/>([^<]+)<\/text><text [^>]*>tunnels per/)[1]!)).toBe(result.downtimeMs.max);

    const downtimes = [...result.downtimesMs];
    drawn.forEach((b, i) => {
      const last = i === drawn.length - 1;
      // Bin edges are shown rounded to the ms, so a downtime exactly on an edge may sit either side.
      const surely = downtimes.filter((ms) => ms > b.fromMs && (ms < b.toMs || (last && ms === b.toMs))).length;
      const atMost = downtimes.filter((ms) => ms >= b.fromMs && ms <= b.toMs).length;
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
