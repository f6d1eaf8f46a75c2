// N tunnels, each in its own world drawn from one fault model, all on ONE virtual clock, plus
// the correlated outages that hit many of them at once. Same seed, same numbers.
import { FleetScope } from '../../src/driver/machine-runner.js';
import { parseCommandLine } from '../../src/machine/config/parse.js';
import { VirtualClock } from '../virtual-clock.js';
import { readSshOptions } from '../openssh/ssh-options.js';
import { DEFAULT_WORLD, type RunConfig } from '../timeline/types.js';
import { sampleMs } from './distributions.js';
import type { CorrelatedSpec, FaultModel } from './fault-model.js';
import { Prng, streamSeed } from './prng.js';
import { PeakStartRate } from './start-rate.js';
import { percentilesOf, type Percentiles } from './stats.js';
import { factOf, Tunnel } from './tunnel.js';

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

export function runFleet(options: FleetOptions): FleetResult {
  const { tunnels: count, durationMs, model, seed } = options;
  if (!Number.isInteger(count) || count < 1 || count > MAX_TUNNELS) throw new FleetError(`--tunnels: expected 1..${MAX_TUNNELS}, got ${count}`);
  if (durationMs <= 0 || durationMs > MAX_FLEET_DURATION_MS) throw new FleetError('--duration: expected more than 0 and at most 400d');
  const parsed = parseCommandLine(options.config.args, options.config.env);
  if (parsed.kind !== 'run') {
    throw new FleetError(`autossh would not run with this configuration: ${parsed.kind === 'error' ? parsed.message : parsed.kind}`);
  }
  const config = parsed.config;
  const sshOptions = readSshOptions(config.sshArgv);
  const perDay = model.faults.reduce((sum, f) => sum + f.perDay, 0);
  const clock = new VirtualClock(0);

  // one scope runs every tunnel's machine: a snapshot per tunnel rather than an actor each
  const scope = new FleetScope();
  const startRate = new PeakStartRate();
  const tunnels: Tunnel[] = [];
  for (let i = 0; i < count; i++) {
    const tunnelSeed = streamSeed(seed, i);
    // AUTOSSH_JITTER spreads restarts only if each supervisor draws its own: each tunnel's seed
    // is its PRNG stream's, what parseCommandLine(args, env, tunnelSeed) would give. Without
    // jitter the seed changes nothing, and the tunnels share one config.
    const tunnelConfig = config.jitterSeconds > 0 ? { ...config, jitterSeed: tunnelSeed } : config;
    tunnels.push(new Tunnel(clock, model, perDay, tunnelSeed, tunnelConfig, DEFAULT_WORLD, sshOptions, scope.run, startRate));
  }
  for (const tunnel of tunnels) tunnel.start();
  let correlatedEvents = 0;
  model.correlated.forEach((spec, k) => {
    // stream indexes past the tunnels' keep the correlated draws independent of N's tunnels
    const prng = new Prng(streamSeed(seed, MAX_TUNNELS + k));
    scheduleCorrelated(clock, spec, prng, tunnels, () => correlatedEvents++);
  });

  const steps = 100;
  for (let step = 1; step <= steps; step++) {
    clock.runUntil(Math.round((durationMs * step) / steps), count * MAX_CALLBACKS_PER_TUNNEL_STEP);
    options.onProgress?.(step / steps);
  }

  const downtimesMs = new Float64Array(count);
  const starts = new Float64Array(count);
  const exitCodes: Record<string, number> = {};
  let gaveUp = 0;
  let faults = 0;
  tunnels.forEach((tunnel, i) => {
    tunnel.world.finish(durationMs);
    downtimesMs[i] = tunnel.world.downtimeMs;
    starts[i] = tunnel.world.sshStarts;
    faults += tunnel.faults;
    if (tunnel.world.exitCode !== null) {
      gaveUp++;
      exitCodes[String(tunnel.world.exitCode)] = (exitCodes[String(tunnel.world.exitCode)] ?? 0) + 1;
    }
  });
  let total = 0;
  for (const s of starts) total += s;
  return {
    model: model.name, seed, tunnels: count, durationMs, config: options.config,
    downtimeMs: percentilesOf(downtimesMs),
    sshStarts: { ...percentilesOf(starts), total, peakRestartsPerSecond: startRate.peakPerSecond, peakRestartsAtMs: startRate.peakAtMs },
    gaveUp, exitCodes,
    faults: { total: faults, correlatedEvents },
    downtimesMs,
  };
}

function scheduleCorrelated(clock: VirtualClock, spec: CorrelatedSpec, prng: Prng, tunnels: Tunnel[], counted: () => void): void {
  if (spec.perDay <= 0) return;
  const next = (): void => {
    clock.after(Math.max(1, Math.round(prng.exponential(DAY_MS / spec.perDay))), () => {
      counted();
      const forMs = sampleMs(spec.duration, prng);
      const fact = factOf(spec, clock.now(), forMs);
      for (const tunnel of tunnels) if (prng.next() < spec.fraction) tunnel.inflict(fact);
      next();
    });
  };
  next();
}
