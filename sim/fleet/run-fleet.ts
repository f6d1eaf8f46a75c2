// N tunnels, each in its own world drawn from one fault model, all on ONE virtual clock, plus
// the correlated outages that hit many of them at once. Same seed, same numbers.
import { FleetScope } from '../../src/driver/machine-runner.js';
import { parseCommandLine } from '../../src/machine/config/parse.js';
import { VirtualClock } from '../virtual-clock.js';
import { readSshOptions, type SshOptions } from '../openssh/ssh-options.js';
import type { Config } from '../../src/machine/config/types.js';
import { DEFAULT_WORLD, type Fact, type RunConfig } from '../timeline/types.js';
import { sampleMs } from './distributions.js';
import type { CorrelatedSpec, FaultModel } from './fault-model.js';
import { Prng, streamSeed } from './prng.js';
import { addStartCounts, peakOfStartCounts, StartCounts, type RestartCounts } from './start-rate.js';
import { percentilesOf, type Percentiles } from './stats.js';
import { factOf, FleetTunnel } from './tunnel.js';

const DAY_MS = 86_400_000;
/** bounds: a fleet is a product, not an accident */
export const MAX_TUNNELS = 100_000;
export const MAX_FLEET_DURATION_MS = 400 * DAY_MS;
/** A tunnel busier than this in one hundredth of the run is a runaway, not a fleet. */
const MAX_CALLBACKS_PER_TUNNEL_STEP = 1_000_000;

export const DEFAULT_FLEET_CONFIG: RunConfig = {
  name: 'fleet',
  args: ['-M', '20000', '-N', '-R', '2222:localhost:22', 'tunnel@relay.example.net'],
  env: {},
};

export interface FleetOptions {
  tunnels: number;
  durationMs: number;
  model: FaultModel;
  seed: number;
  config: RunConfig;
  /** called with 0..1 as virtual time passes */
  onProgress?: (fraction: number) => void;
}

export interface FleetResult {
  model: string;
  seed: number;
  tunnels: number;
  durationMs: number;
  config: RunConfig;
  downtimeMs: Percentiles;
  /**
   * per tunnel; the fleet's total; the most restarts (starts but each tunnel's first) in any one
   * second, and when that second began
   */
  sshStarts: Percentiles & { total: number; peakRestartsPerSecond: number; peakRestartsAtMs: number };
  gaveUp: number;
  exitCodes: Record<string, number>;
  /** faults inflicted (a correlated event counts once per tunnel it hits) */
  faults: { total: number; correlatedEvents: number };
  /** per tunnel, for histograms */
  downtimesMs: Float64Array;
}

export class FleetError extends Error {}

/** Tunnels [from, to) of a fleet of `tunnels`: what one worker or one machine runs. */
export interface TunnelRange {
  from: number;
  to: number;
}

/**
 * What a slice of the fleet measured, per tunnel where a figure is an order statistic, so
 * slices combine exactly (combinePartials) into the whole fleet's FleetResult (resultOf).
 */
export interface FleetPartial {
  model: FaultModel;
  seed: number;
  tunnels: number;
  durationMs: number;
  config: RunConfig;
  range: TunnelRange;
  /** the same in every slice: the correlated events are drawn from the seed alone */
  correlatedEvents: number;
  faults: number;
  gaveUp: number;
  exitCodes: Record<string, number>;
  /** per tunnel of the range, in index order */
  downtimesMs: Float64Array;
  sshStarts: Float64Array;
  /** restarts per ms, run-length (times ascending, counts) */
  restarts: RestartCounts;
}

/** The contiguous slice `index` of `count` (0-based) of a fleet of `tunnels`. */
export function sliceOf(tunnels: number, index: number, count: number): TunnelRange {
  return { from: Math.floor((index * tunnels) / count), to: Math.floor(((index + 1) * tunnels) / count) };
}

export function runFleet(options: FleetOptions): FleetResult {
  return resultOf(runFleetSlice(options, { from: 0, to: options.tunnels }));
}

/**
 * Tunnels [from, to) of the fleet, with the same numbers they have in a whole-fleet run: each
 * tunnel's randomness comes from (seed, its index), and every slice draws the same correlated
 * events (and which tunnels each hits) and applies them to its own tunnels.
 */
export function runFleetSlice(options: FleetOptions, range: TunnelRange, onFact?: (tunnel: number, fact: Fact) => void): FleetPartial {
  const { tunnels: count, durationMs, model, seed } = options;
  if (!Number.isInteger(count) || count < 1 || count > MAX_TUNNELS) throw new FleetError(`--tunnels: expected 1..${MAX_TUNNELS}, got ${count}`);
  if (durationMs <= 0 || durationMs > MAX_FLEET_DURATION_MS) throw new FleetError('--duration: expected more than 0 and at most 400d');
  const { from, to } = range;
  if (!Number.isInteger(from) || !Number.isInteger(to) || from < 0 || to > count || from > to) {
    throw new FleetError(`tunnel range ${from}..${to}: expected a slice of 0..${count}`);
  }
  const parsed = parseCommandLine(options.config.args, options.config.env);
  if (parsed.kind !== 'run') {
    throw new FleetError(`autossh would not run with this configuration: ${parsed.kind === 'error' ? parsed.message : parsed.kind}`);
  }
  const config = parsed.config;
  const ran = runTunnels(options, range, config, readSshOptions(config.sshArgv), onFact);
  // decoded only now: the tunnels, their clock and machines are garbage by this point
  return {
    model, seed, tunnels: count, durationMs, config: options.config, range: { from, to },
    correlatedEvents: ran.correlatedEvents, faults: ran.faults, gaveUp: ran.gaveUp, exitCodes: ran.exitCodes,
    downtimesMs: ran.downtimesMs, sshStarts: ran.sshStarts, restarts: ran.startCounts.finish(),
  };
}

type SliceFigures = Omit<FleetPartial, 'model' | 'seed' | 'tunnels' | 'durationMs' | 'config' | 'range' | 'restarts'> & { startCounts: StartCounts };

function runTunnels(options: FleetOptions, range: TunnelRange, config: Config, sshOptions: SshOptions, onFact?: (tunnel: number, fact: Fact) => void): SliceFigures {
  const { tunnels: count, durationMs, model, seed } = options;
  const { from, to } = range;
  const perDay = model.faults.reduce((sum, f) => sum + f.perDay, 0);
  const clock = new VirtualClock(0);

  // one scope runs every tunnel's machine: a snapshot per tunnel rather than an actor each
  const scope = new FleetScope();
  const startCounts = new StartCounts();
  const tunnels: FleetTunnel[] = [];
  for (let i = from; i < to; i++) {
    const tunnelSeed = streamSeed(seed, i);
    // AUTOSSH_JITTER spreads restarts only if each supervisor draws its own: each tunnel's seed
    // is its PRNG stream's, what parseCommandLine(args, env, tunnelSeed) would give. Without
    // jitter the seed changes nothing, and the tunnels share one config.
    const tunnelConfig = config.jitterSeconds > 0 ? { ...config, jitterSeed: tunnelSeed } : config;
    tunnels.push(new FleetTunnel(clock, model, perDay, tunnelSeed, tunnelConfig, DEFAULT_WORLD, sshOptions, scope.run, startCounts));
  }
  if (onFact) tunnels.forEach((tunnel, k) => { tunnel.onFact = (fact) => onFact(from + k, fact); });
  for (const tunnel of tunnels) tunnel.start();
  let correlatedEvents = 0;
  model.correlated.forEach((spec, k) => {
    // stream indexes past the tunnels' keep the correlated draws independent of N's tunnels
    const prng = new Prng(streamSeed(seed, MAX_TUNNELS + k));
    scheduleCorrelated(clock, spec, prng, count, range, tunnels, () => correlatedEvents++);
  });

  const steps = 100;
  const budget = Math.max(1, to - from) * MAX_CALLBACKS_PER_TUNNEL_STEP;
  for (let step = 1; step <= steps; step++) {
    clock.runUntil(Math.round((durationMs * step) / steps), budget);
    options.onProgress?.(step / steps);
  }

  const downtimesMs = new Float64Array(to - from);
  const sshStarts = new Float64Array(to - from);
  const exitCodes: Record<string, number> = {};
  let gaveUp = 0;
  let faults = 0;
  tunnels.forEach((tunnel, i) => {
    tunnel.world.finish(durationMs);
    downtimesMs[i] = tunnel.world.downtimeMs;
    sshStarts[i] = tunnel.world.sshStarts;
    faults += tunnel.faults;
    if (tunnel.world.exitCode !== null) {
      gaveUp++;
      exitCodes[String(tunnel.world.exitCode)] = (exitCodes[String(tunnel.world.exitCode)] ?? 0) + 1;
    }
  });
  return { correlatedEvents, faults, gaveUp, exitCodes, downtimesMs, sshStarts, startCounts };
}

/** Adjacent slices of one fleet as one slice; `a` ends where `b` begins. */
export function combinePartials(a: FleetPartial, b: FleetPartial): FleetPartial {
  if (a.range.to !== b.range.from) throw new FleetError(`tunnels ${a.range.from}..${a.range.to} and ${b.range.from}..${b.range.to} are not adjacent`);
  if (a.correlatedEvents !== b.correlatedEvents) {
    throw new FleetError(`the slices saw ${a.correlatedEvents} and ${b.correlatedEvents} correlated events: not the same run`);
  }
  const exitCodes = { ...a.exitCodes };
  for (const [code, n] of Object.entries(b.exitCodes)) exitCodes[code] = (exitCodes[code] ?? 0) + n;
  const join = (x: Float64Array, y: Float64Array): Float64Array => {
    const z = new Float64Array(x.length + y.length);
    z.set(x);
    z.set(y, x.length);
    return z;
  };
  return {
    ...a, range: { from: a.range.from, to: b.range.to },
    faults: a.faults + b.faults, gaveUp: a.gaveUp + b.gaveUp, exitCodes,
    downtimesMs: join(a.downtimesMs, b.downtimesMs), sshStarts: join(a.sshStarts, b.sshStarts),
    restarts: addStartCounts(a.restarts, b.restarts),
  };
}

/** The whole fleet's figures from a slice covering all of it. */
export function resultOf(p: FleetPartial): FleetResult {
  if (p.range.from !== 0 || p.range.to !== p.tunnels) {
    throw new FleetError(`tunnels ${p.range.from}..${p.range.to} are not the whole fleet of ${p.tunnels}`);
  }
  let total = 0;
  for (const s of p.sshStarts) total += s;
  const peak = peakOfStartCounts(p.restarts);
  return {
    model: p.model.name, seed: p.seed, tunnels: p.tunnels, durationMs: p.durationMs, config: p.config,
    downtimeMs: percentilesOf(p.downtimesMs),
    sshStarts: { ...percentilesOf(p.sshStarts), total, peakRestartsPerSecond: peak.peakPerSecond, peakRestartsAtMs: peak.peakAtMs },
    gaveUp: p.gaveUp, exitCodes: p.exitCodes,
    faults: { total: p.faults, correlatedEvents: p.correlatedEvents },
    downtimesMs: p.downtimesMs,
  };
}

function scheduleCorrelated(
  clock: VirtualClock, spec: CorrelatedSpec, prng: Prng, count: number, range: TunnelRange, tunnels: FleetTunnel[], counted: () => void,
): void {
  if (spec.perDay <= 0) return;
  const next = (): void => {
    clock.after(Math.max(1, Math.round(prng.exponential(DAY_MS / spec.perDay))), () => {
      counted();
      const forMs = sampleMs(spec.duration, prng);
      const fact = factOf(spec, clock.now(), forMs);
      // every slice draws for every tunnel of the fleet, in index order, and hits its own
      for (let i = 0; i < count; i++) {
        if (prng.next() < spec.fraction && i >= range.from && i < range.to) tunnels[i - range.from]!.inflict(fact);
      }
      next();
    });
  };
  next();
}
