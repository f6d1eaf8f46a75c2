// A fleet run in slices (worker threads, or `simulate --shard I/N` on many machines) must give
// byte for byte the figures of one run: each tunnel's randomness is (seed, its index), every
// slice draws the same correlated events, and the slices' per-tunnel figures and restarts per
// ms combine exactly.
import { describe, expect, it } from 'vitest';
import { combinePartials, DEFAULT_FLEET_CONFIG, resultOf, runFleet, runFleetSlice, sliceOf, type FleetOptions } from '../../sim/fleet/run-fleet.js';
import { parseFaultModel } from '../../sim/fleet/fault-model.js';
import { builtinModel } from '../../sim/fleet/builtin-models.js';
import { fleetJson, formatFleet } from '../../sim/fleet/format.js';
import { mergeShards, parsePartial, partialJson, type ShardFile } from '../../sim/fleet/partial-format.js';
import { addStartCounts, peakOfStartCounts, PeakStartRate, StartCounts } from '../../sim/fleet/start-rate.js';
import { Prng } from '../../sim/fleet/prng.js';

const HOUR_MS = 3_600_000;
// own faults, and correlated ones that hit a part of the fleet (so which tunnels a storm hits
// depends on drawing for every tunnel, in every slice), and a herd of restarts for the peak
const storms = parseFaultModel({
  name: 'storms',
  faults: [
    { kind: 'outage', mode: 'blackhole', perDay: 40, duration: { dist: 'lognormal', median: '20s', sigma: 1, max: '10m' } },
    { kind: 'outage', mode: 'reset', perDay: 10, duration: { dist: 'fixed', value: '1s' } },
  ],
  correlated: [
    { kind: 'serverRestart', perDay: 24, fraction: 0.4, duration: { dist: 'fixed', value: '1m' } },
    { kind: 'outage', mode: 'blackhole', perDay: 12, fraction: 0.3, duration: { dist: 'exponential', mean: '3m' } },
  ],
}, 'storms.json');
const fleet: FleetOptions = { tunnels: 30, durationMs: 12 * HOUR_MS, model: storms, seed: 11, config: DEFAULT_FLEET_CONFIG };

function inSlices(options: FleetOptions, n: number) {
  const parts = Array.from({ length: n }, (_, k) => runFleetSlice(options, sliceOf(options.tunnels, k, n)));
  return parts;
}

describe('a fleet in slices', () => {
  const whole = runFleet(fleet);

  it('the model really exercises correlated events, restarts and a busy second', () => {
    expect(whole.faults.correlatedEvents).toBeGreaterThan(5);
    expect(whole.sshStarts.peakRestartsPerSecond).toBeGreaterThan(1);
  });

  it.each([1, 2, 3, 4, 7])('%i slices combine into the same JSON and text, byte for byte', (n) => {
    const merged = resultOf(inSlices(fleet, n).reduce((a, b) => combinePartials(a, b)));
    expect(fleetJson(merged)).toBe(fleetJson(whole));
    expect(formatFleet(merged)).toBe(formatFleet(whole));
  });

  it('also with AUTOSSH_JITTER (each tunnel a config of its own) and on a built-in model', () => {
    for (const options of [
      { ...fleet, config: { ...DEFAULT_FLEET_CONFIG, env: { AUTOSSH_JITTER: '20' } } },
      { ...fleet, model: builtinModel('mobile')!, durationMs: 2 * 24 * HOUR_MS },
    ]) {
      const merged = resultOf(inSlices(options, 3).reduce((a, b) => combinePartials(a, b)));
      expect(fleetJson(merged)).toBe(fleetJson(runFleet(options)));
    }
  });

  it('a slice alone is not the whole fleet', () => {
    expect(() => resultOf(runFleetSlice(fleet, { from: 0, to: 10 }))).toThrow('tunnels 0..10 are not the whole fleet of 30');
    expect(() => runFleetSlice(fleet, { from: 20, to: 31 })).toThrow('tunnel range 20..31: expected a slice of 0..30');
  });
});

describe('shard files', () => {
  const shardFiles = (n: number, options = fleet): ShardFile[] => inSlices(options, n)
    .map((p, index) => parsePartial(partialJson(p, { index, count: n }), `shard-${index}.json`));

  it('merge in any order gives the whole fleet\'s figures', () => {
    const files = shardFiles(3);
    expect(fleetJson(mergeShards([files[2]!, files[0]!, files[1]!]))).toBe(fleetJson(runFleet(fleet)));
  });

  it('refuses a missing shard, overlapping shards and shards of different runs, naming the file', () => {
    const files = shardFiles(3);
    expect(() => mergeShards([files[0]!, files[2]!])).toThrow('tunnels 10..20 are in no file (between shard-0.json and shard-2.json): a shard is missing (shard 1/3)');
    expect(() => mergeShards([files[0]!, files[1]!])).toThrow('tunnels 20..30 are in no file (after shard-1.json): a shard is missing (shard 2/3)');
    const halves = shardFiles(2);
    expect(() => mergeShards([...files, halves[1]!])).toThrow(/^shard-1\.json: tunnels 15\.\.30 overlap shard-1\.json's 10\.\.20/);
    const other = (options: FleetOptions) => parsePartial(partialJson(runFleetSlice(options, sliceOf(30, 1, 3)), { index: 1, count: 3 }), 'other.json');
    expect(() => mergeShards([files[0]!, other({ ...fleet, seed: 12 }), files[2]!]))
      .toThrow('other.json: seed 12, but shard-0.json has 11: shards of different runs cannot be merged');
    expect(() => mergeShards([files[0]!, other({ ...fleet, model: { ...storms, name: 'calm', correlated: [] } }), files[2]!]))
      .toThrow('other.json: fault model "calm", but shard-0.json has "storms"');
    expect(() => mergeShards([files[0]!, other({ ...fleet, config: { ...DEFAULT_FLEET_CONFIG, env: { AUTOSSH_POLL: '60' } } }), files[2]!]))
      .toThrow('other.json: autossh configuration');
    expect(() => parsePartial('{"format":"autossh-fleet/1"}', 'whole.json')).toThrow('whole.json: not a fleet shard');
    expect(() => parsePartial('{', 'cut.json')).toThrow('cut.json: not JSON');
  });
});

describe('restarts per ms', () => {
  it('added up and scanned give PeakStartRate\'s busiest second', () => {
    const prng = new Prng(5);
    const all = new PeakStartRate();
    const shards = [new StartCounts(), new StartCounts(), new StartCounts()];
    let t = 0;
    for (let i = 0; i < 20_000; i++) {
      t += Math.floor(prng.exponential(40));
      const n = 1 + Math.floor(prng.next() * 3); // some first starts, not counted
      all.sshStarted(n, t);
      shards[Math.floor(prng.next() * 3)]!.sshStarted(n, t);
    }
    const merged = shards.map((s) => s.finish()).reduce(addStartCounts);
    expect(peakOfStartCounts(merged)).toEqual({ peakPerSecond: all.peakPerSecond, peakAtMs: all.peakAtMs });
    expect(all.peakPerSecond).toBeGreaterThan(30);
  });
});
