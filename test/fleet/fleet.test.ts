import { describe, expect, it } from 'vitest';
import { runFleet, DEFAULT_FLEET_CONFIG, FleetError } from '../../sim/fleet/run-fleet.js';
import { builtinModel, BUILTIN_MODELS } from '../../sim/fleet/builtin-models.js';
import { fleetJson } from '../../sim/fleet/format.js';
import { parseFaultModel, FaultModelError } from '../../sim/fleet/fault-model.js';
import { Prng, streamSeed } from '../../sim/fleet/prng.js';
import { percentilesOf } from '../../sim/fleet/stats.js';

const DAY = 86_400_000;
const small = (seed: number, model = 'wifi-flaky', extra = {}) =>
  runFleet({ tunnels: 40, durationMs: 3 * DAY, model: builtinModel(model)!, seed, config: DEFAULT_FLEET_CONFIG, ...extra });

describe('PRNG', () => {
  it('is seeded and reproducible, and streams differ', () => {
    const a = new Prng(42);
    const b = new Prng(42);
    const xs = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(xs);
    expect(new Prng(43).next()).not.toBe(xs[0]);
    expect(streamSeed(1, 0)).not.toBe(streamSeed(1, 1));
    const c = new Prng(7);
    let sum = 0;
    for (let i = 0; i < 20_000; i++) sum += c.exponential(10);
    expect(sum / 20_000).toBeGreaterThan(9.5);
    expect(sum / 20_000).toBeLessThan(10.5);
  });
});

describe('fleet simulation', () => {
  it('same seed, same numbers, byte for byte; another seed differs', () => {
    const a = fleetJson(small(7));
    expect(fleetJson(small(7))).toBe(a);
    expect(fleetJson(small(8))).not.toBe(a);
  });
  it('reports downtime percentiles, ssh starts and faults', () => {
    const r = small(1);
    expect(r.faults.total).toBeGreaterThan(40 * 3 * 10);
    expect(r.downtimeMs.p50).toBeGreaterThan(0);
    expect(r.downtimeMs.p50).toBeLessThanOrEqual(r.downtimeMs.p90);
    expect(r.downtimeMs.p99).toBeLessThanOrEqual(r.downtimeMs.max);
    expect(r.sshStarts.total).toBeGreaterThan(40);
  });
  it('a datacenter is kinder than a mobile link', () => {
    expect(small(1, 'datacenter').downtimeMs.mean).toBeLessThan(small(1, 'mobile').downtimeMs.mean);
  });
  it('POLL=60 restarts ssh more often on a flaky wifi: its tests catch the short drops', () => {
    const poll60 = small(1, 'wifi-flaky', { config: { ...DEFAULT_FLEET_CONFIG, env: { AUTOSSH_POLL: '60' } } });
    expect(poll60.sshStarts.total).toBeGreaterThan(small(1).sshStarts.total * 1.5);
  });
  it('counts supervisors that gave up: a reset inside 1.4g\'s 30 s gate ends the first run', () => {
    const model = parseFaultModel({ name: 'resets', faults: [{ kind: 'outage', mode: 'reset', perDay: 10_000, duration: { dist: 'fixed', value: '1s' } }] }, 'm.json');
    const r = runFleet({ tunnels: 5, durationMs: DAY, model, seed: 1, config: DEFAULT_FLEET_CONFIG });
    expect(r.gaveUp).toBeGreaterThan(0);
    expect(r.exitCodes['1']).toBe(r.gaveUp);
  });
  it('correlated outages hit many tunnels at once', () => {
    const model = parseFaultModel({
      name: 'storm', faults: [],
      correlated: [{ kind: 'outage', perDay: 2, fraction: 1, duration: { dist: 'fixed', value: '20m' } }],
    }, 'm.json');
    const r = runFleet({ tunnels: 20, durationMs: 2 * DAY, model, seed: 5, config: DEFAULT_FLEET_CONFIG });
    expect(r.faults.correlatedEvents).toBeGreaterThan(0);
    expect(r.faults.total).toBe(20 * r.faults.correlatedEvents);
    // fraction 1: every tunnel down for the same outages, the same way
    expect(r.downtimeMs.p50).toBe(r.downtimeMs.max);
  });
  it('rejects bad models and bounds', () => {
    expect(() => parseFaultModel({ name: 'x', faults: [{ kind: 'outage', perDay: 'often' }] }, 'm.json')).toThrow(FaultModelError);
    expect(() => parseFaultModel({ name: 'x', faults: [{ kind: 'outage', perDay: 1, duration: { dist: 'pareto' } }] }, 'm.json'))
      .toThrow('m.json: $.faults[0].duration.dist: expected one of fixed');
    expect(() => small(1, 'wifi-flaky', { tunnels: 0 })).toThrow(FleetError);
    for (const name of Object.keys(BUILTIN_MODELS)) expect(builtinModel(name)!.source.length).toBeGreaterThan(50);
  });
  it('nearest-rank percentiles', () => {
    expect(percentilesOf([5, 1, 4, 2, 3, 6, 7, 8, 9, 10])).toEqual({ p50: 5, p90: 9, p99: 10, max: 10, mean: 5.5 });
  });
});
