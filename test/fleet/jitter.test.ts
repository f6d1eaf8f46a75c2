// D12 in a fleet: a relay restart cuts every tunnel at once. Without AUTOSSH_JITTER the
// supervisors, alike and cut at the same instant, retry in step: the server takes each wave of
// reconnects in the same second. With it each supervisor draws its own extra wait (its tunnel's
// seed), and the waves spread.
import { describe, expect, it } from 'vitest';
import { parseFaultModel } from '../../sim/fleet/fault-model.js';
import { fleetJson, formatFleet } from '../../sim/fleet/format.js';
import { DEFAULT_FLEET_CONFIG, runFleet, type FleetResult } from '../../sim/fleet/run-fleet.js';
import { PeakStartRate } from '../../sim/fleet/start-rate.js';

const HOUR_MS = 3_600_000;
/** the relay's sshd restarts, away for 1 min, cutting every tunnel (fraction 1) */
const relayRestart = parseFaultModel({
  name: 'relay-restart',
  faults: [],
  correlated: [{ kind: 'serverRestart', perDay: 12, fraction: 1, duration: { dist: 'fixed', value: '1m' } }],
}, 'relay-restart.json');

function herd(env: Record<string, string>, tunnels = 1000): FleetResult {
  // seed 4: one relay restart in the 2 h, at +01:47:31.873
  return runFleet({ tunnels, durationMs: 2 * HOUR_MS, model: relayRestart, seed: 4, config: { ...DEFAULT_FLEET_CONFIG, env } });
}

describe('fleet: a relay restart and AUTOSSH_JITTER', () => {
  const inStep = herd({});
  const jittered = herd({ AUTOSSH_JITTER: '30' });

  it('without jitter, 1000 tunnels restart in step: 6000 restarts in one second', () => {
    expect(inStep.faults).toEqual({ total: 1000, correlatedEvents: 1 });
    // each tunnel: its session cut, then 5 fast retries refused one RTT (40 ms) apart, all in 0.2 s
    expect(inStep.sshStarts).toMatchObject({ total: 11_000, p50: 11, max: 11, peakRestartsPerSecond: 6000 });
    // every tunnel down the same 61.24 s: the first connect's 0.44 s, then from the cut to the retry
    // 60.36 s later (the grace waits 2, 8, 18, 32 s) and its 0.44 s to a session
    expect(inStep.downtimeMs.p50).toBe(inStep.downtimeMs.max);
    expect(inStep.downtimeMs.max).toBe(61_240);
  });

  it('with AUTOSSH_JITTER=30 and a seed per tunnel, the busiest second has 95 restarts', () => {
    expect(jittered.faults).toEqual({ total: 1000, correlatedEvents: 1 });
    expect(jittered.sshStarts.peakRestartsPerSecond).toBe(95);
    expect(jittered.sshStarts.peakRestartsPerSecond * 60).toBeLessThan(inStep.sshStarts.peakRestartsPerSecond);
    // the spread needs a seed per tunnel: with one seed for all, they would all wait alike, in step
    expect(jittered.downtimeMs.p50).toBeLessThan(jittered.downtimeMs.max);
    // the price: the tunnels come back spread over the jitter, later than in step
    expect(jittered.downtimeMs.p50).toBe(70_160);
    expect(jittered.downtimeMs.max).toBe(96_091);
    // and fewer refused retries while the relay is away
    expect(jittered.sshStarts.total).toBe(5647);
  });

  it('says so in the text and the JSON, the same bytes for the same seed', () => {
    expect(formatFleet(inStep)).toContain('ssh starts: 11000 in all; per tunnel p50 11  p90 11  p99 11  max 11\n'
      + '  peak 6000 restarts in one second (from +01:47:31.873); each tunnel\'s first start aside\n');
    const json = JSON.parse(fleetJson(jittered)) as { sshStarts: Record<string, number> };
    expect(json.sshStarts).toMatchObject({ peakRestartsPerSecond: 95, peakRestartsAtMs: jittered.sshStarts.peakRestartsAtMs });
    expect(fleetJson(herd({ AUTOSSH_JITTER: '30' }, 100))).toBe(fleetJson(herd({ AUTOSSH_JITTER: '30' }, 100)));
  });
});

describe('peak restarts per second', () => {
  it('counts restarts in any window [t, t + 1 s), not each tunnel\'s first start', () => {
    const rate = new PeakStartRate();
    for (const [n, atMs] of [[1, 0], [1, 0], [2, 100], [2, 600], [3, 1099], [3, 1100], [4, 1599], [4, 3000]] as const) rate.sshStarted(n, atMs);
    // 600, 1099, 1100, 1599 fall in [600, 1600); 100 left the window at 1100
    expect(rate).toMatchObject({ peakPerSecond: 4, peakAtMs: 600 });
  });

  it('keeps the busiest second over a long run, its queue compacted', () => {
    const rate = new PeakStartRate();
    for (let i = 0; i < 50_000; i++) rate.sshStarted(2, i * 100); // 10 a second
    for (let i = 0; i < 25; i++) rate.sshStarted(2, 7_000_000 + i); // 25 in 25 ms
    for (let i = 0; i < 10_000; i++) rate.sshStarted(2, 8_000_000 + i * 250);
    expect(rate).toMatchObject({ peakPerSecond: 25, peakAtMs: 7_000_000 });
  });
});
