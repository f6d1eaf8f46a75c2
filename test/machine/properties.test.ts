// Random configurations, random worlds (any exit status or signal, ssh that ignores SIGTERM,
// failed starts, failing and slow connection tests), every supervisor signal at random
// moments, and time jumps (the supervisor frozen, then everything due at once). The driver
// asserts the supervisor's invariants as each effect passes (src/driver/invariants.ts): a
// broken one throws out of the clock and fails the property; the rest are checked here.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCommandLine } from '../../src/machine/config/parse.js';
import type { SupervisorSignal } from '../../src/machine/signals.js';
import type { Config } from '../../src/machine/config/types.js';
import { Prng } from '../../sim/fleet/prng.js';
import { SupervisedRandomWorld, type RandomWorld, type RandomWorldOptions } from '../../sim/random-world.js';
import { VirtualClock } from '../../sim/virtual-clock.js';
import { configArb, freezesArb, HORIZON_MS, signalsArb, worldArb } from '../support/machine-arbitraries.js';

interface Run {
  world: RandomWorld;
  stuckAtMs: number | null;
}

type Freezes = ReadonlyArray<{ atMs: number; forMs: number }>;

function simulate(
  config: Config,
  options: RandomWorldOptions,
  seed: number,
  signals: Array<{ atMs: number; signal: SupervisorSignal }>,
  freezes: Freezes = [],
): Run {
  const clock = new VirtualClock();
  const run = new SupervisedRandomWorld(clock, new Prng(seed), config, options);
  const { world } = run;
  for (const s of signals) clock.at(s.atMs, () => world.signal(s.signal));
  for (const f of freezes) clock.at(f.atMs, () => world.freeze(f.forMs));
  run.start();
  let stuckAtMs: number | null = null;
  // step through the run, checking at each quiet point that something can still happen
  for (let guard = 0; guard < 200_000 && world.exitCode === null; guard++) {
    const next = clock.nextDueMs();
    if (!world.sshAlive && world.armedTimers === 0 && world.probesInFlight === 0 && world.eventsPending === 0 && stuckAtMs === null) {
      stuckAtMs = clock.now();
    }
    if (next === null || next > HORIZON_MS) break;
    clock.runUntil(next, 1_000_000);
  }
  return { world, stuckAtMs };
}

/** From each ssh's end to the next start, in ms: the backoff waits (0 when there was none). */
function waitsBeforeStarts(steps: readonly string[]): number[] {
  const waits: number[] = [];
  let endedAtMs: number | null = null;
  for (const step of steps) {
    const [at, ...words] = step.split(' ');
    const what = words.join(' ');
    if (what.startsWith('ssh ends')) endedAtMs = Number(at);
    else if (what.startsWith('spawn ') && endedAtMs !== null) waits.push(Number(at) - endedAtMs);
  }
  return waits;
}

describe('machine invariants under random worlds', () => {
  it('hold for every configuration, world and signal timing', () => {
    fc.assert(
      fc.property(configArb, worldArb, fc.integer(), signalsArb, freezesArb, (config, options, seed, signals, freezes) => {
        const { world, stuckAtMs } = simulate(config, options, seed, signals, freezes);
        // never stuck: until it exits, ssh runs, a timer is armed, a test is in flight or news
        // of ssh is on its way
        expect(stuckAtMs).toBeNull();
        if (config.maxStart >= 0) expect(world.starts).toBeLessThanOrEqual(config.maxStart);
        if (config.maxLifetimeSeconds > 0 && config.killSeconds > 0) {
          // nothing runs past the lifetime, plus the time to kill ssh and any time spent frozen
          const frozenMs = freezes.reduce((sum, f) => sum + f.forMs, 0);
          const limitMs = config.maxLifetimeSeconds * 1000 + config.killSeconds * 1000 + frozenMs;
          if (limitMs < HORIZON_MS) {
            expect(world.exitCode).not.toBeNull();
            expect(world.exitedAtMs!).toBeLessThanOrEqual(limitMs);
          }
        }
        if (world.exitCode !== null) expect(world.sshAlive).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  it('same seed, same run', () => {
    fc.assert(
      fc.property(configArb, worldArb, fc.integer(), signalsArb, freezesArb, (config, options, seed, signals, freezes) => {
        const a = simulate(config, options, seed, signals, freezes).world;
        const b = simulate(config, options, seed, signals, freezes).world;
        expect(b.steps).toEqual(a.steps);
      }),
      { numRuns: 60 },
    );
  });

  it('deep backoff is reached and capped at POLL (targeted: fast failures only)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 60 }), fc.integer(), (poll, seed) => {
        const outcome = parseCommandLine(['-M', '0', 'h'], { AUTOSSH_PATH: 'ssh', AUTOSSH_GATETIME: '0', AUTOSSH_POLL: String(poll), AUTOSSH_MAXSTART: '80' });
        if (outcome.kind !== 'run') throw new Error('bad config');
        const world = simulate(outcome.config, {
          meanRunMs: 100, signalDeathChance: 0, exitStatuses: [255], ignoreSigtermChance: 0,
          spawnFailChance: 0, probeFailChance: 0, maxProbeMs: 0, recordSteps: true,
        }, seed, []).world;
        expect(world.starts).toBe(80);
        expect(world.exitCode).toBe(0);
        // 79 fast tries: the quadratic wait passes POLL after 18 of them beyond the first 5, so
        // the deepest waits are POLL exactly: reached, and capped there
        const waits = waitsBeforeStarts(world.steps);
        expect(waits).toHaveLength(79);
        expect(Math.max(...waits)).toBe(poll * 1000);
        expect(waits.filter((ms) => ms === poll * 1000).length).toBeGreaterThan(40);
      }),
      { numRuns: 40 },
    );
  });
});
