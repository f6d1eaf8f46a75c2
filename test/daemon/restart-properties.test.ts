// The daemon's restart policy on the simulator (sim/restart-fleet.ts): a fleet of daemon tunnels,
// each the daemon's own restart loop whose runs are the real machine over a random world (ssh
// exiting 0, 1, 2, 255 or by a signal, failing to start, ignoring SIGTERM; AUTOSSH_MAXSTART and
// lifetimes ending runs), with operators' SIGUSR1 at random moments and a SIGTERM for some.
// Whatever happens: never two ssh of one tunnel at once, never a restart inside restart_sec,
// never more than start_limit_burst starts in start_limit_interval_sec, a tunnel that was
// stopped starts nothing more, and the same seed makes the same run.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { RestartPolicy } from '../../src/daemon/restart-policy.js';
import { parseCommandLine } from '../../src/machine/config/parse.js';
import type { Config } from '../../src/machine/config/types.js';
import { Prng, streamSeed } from '../../sim/fleet/prng.js';
import type { RandomWorldOptions } from '../../sim/random-world.js';
import { SimulatedDaemonTunnel } from '../../sim/restart-fleet.js';
import { VirtualClock } from '../../sim/virtual-clock.js';

const HORIZON_MS = 40 * 60_000;
const MAX_CALLBACKS = 2_000_000;

const policyArb: fc.Arbitrary<RestartPolicy> = fc
  .record({
    mode: fc.constantFrom('always', 'always', 'on-failure', 'no'),
    restartMs: fc.integer({ min: 100, max: 30_000 }),
    startLimitBurst: fc.integer({ min: 1, max: 6 }),
    startLimitIntervalMs: fc.constantFrom(0, 5_000, 60_000, 600_000),
    extraDelayMs: fc.integer({ min: 0, max: 600_000 }),
  })
  .map(({ extraDelayMs, ...p }) => ({ ...p, maxDelayMs: p.restartMs + extraDelayMs }) as RestartPolicy);

/** A run's machine that ends often: few starts, short gates and lifetimes, exits of every kind. */
const configArb: fc.Arbitrary<Config> = fc
  .record({
    monitor: fc.constantFrom(['-M', '0'], ['-M', '20000']),
    gate: fc.constantFrom(0, 0, 5, 30),
    maxStart: fc.integer({ min: -1, max: 6 }),
    lifetime: fc.option(fc.integer({ min: 1, max: 3600 }), { nil: undefined }),
    killTime: fc.integer({ min: 0, max: 5 }),
    poll: fc.integer({ min: 5, max: 600 }),
  })
  .map((c) => {
    const env: Record<string, string> = {
      AUTOSSH_PATH: 'ssh', AUTOSSH_GATETIME: String(c.gate), AUTOSSH_MAXSTART: String(c.maxStart),
      AUTOSSH_KILLTIME: String(c.killTime), AUTOSSH_POLL: String(c.poll),
    };
    if (c.lifetime !== undefined) env.AUTOSSH_MAXLIFETIME = String(c.lifetime);
    const outcome = parseCommandLine([...c.monitor, '-N', 'host'], env);
    if (outcome.kind !== 'run') throw new Error(`bad generated config: ${JSON.stringify(outcome)}`);
    return outcome.config;
  });

const worldArb: fc.Arbitrary<RandomWorldOptions> = fc.record({
  meanRunMs: fc.constantFrom(200, 5_000, 60_000, 900_000),
  signalDeathChance: fc.double({ min: 0, max: 0.3, noNaN: true }),
  exitStatuses: fc.constantFrom([0], [255], [0, 1, 2, 255], [1], [255, 255, 0]),
  ignoreSigtermChance: fc.double({ min: 0, max: 0.3, noNaN: true }),
  spawnFailChance: fc.constantFrom(0, 0.2, 1),
  probeFailChance: fc.double({ min: 0, max: 0.5, noNaN: true }),
  maxProbeMs: fc.integer({ min: 0, max: 5_000 }),
  recordSteps: fc.constant(false),
});

const tunnelArb = fc.record({ policy: policyArb, config: configArb, world: worldArb });

/** SIGUSR1s to random tunnels at random times; a SIGTERM to some tunnels */
const operatorArb = fc.record({
  usr1: fc.array(fc.record({ atMs: fc.integer({ min: 0, max: HORIZON_MS }), tunnel: fc.nat() }), { maxLength: 8 }),
  term: fc.array(fc.record({ atMs: fc.integer({ min: 0, max: HORIZON_MS }), tunnel: fc.nat() }), { maxLength: 2 }),
});

interface TunnelSpec {
  policy: RestartPolicy;
  config: Config;
  world: RandomWorldOptions;
}
type Operator = Record<'usr1' | 'term', Array<{ atMs: number; tunnel: number }>>;

function simulate(specs: readonly TunnelSpec[], seed: number, operator: Operator) {
  const clock = new VirtualClock();
  const tunnels = specs.map(
    (spec, i) => new SimulatedDaemonTunnel(`t${i}`, clock, new Prng(streamSeed(seed, i)), spec.config, spec.policy, spec.world, streamSeed(seed, 1000 + i)),
  );
  const stoppedAt = new Map<SimulatedDaemonTunnel, number>();
  for (const { atMs, tunnel } of operator.usr1) clock.at(atMs, () => tunnels[tunnel % tunnels.length]!.signal('SIGUSR1'));
  for (const { atMs, tunnel } of operator.term) {
    clock.at(atMs, () => {
      const t = tunnels[tunnel % tunnels.length]!;
      if (!stoppedAt.has(t)) stoppedAt.set(t, atMs);
      t.signal('SIGTERM');
    });
  }
  for (const tunnel of tunnels) tunnel.start();
  clock.runUntil(HORIZON_MS, MAX_CALLBACKS);
  return { tunnels, stoppedAt };
}

describe('the restart policy over simulated daemon tunnels', { timeout: 180_000 }, () => {
  it('never two ssh of one tunnel, never inside restart_sec, never past the burst; a stop is final', () => {
    let restarts = 0;
    let grownOrLimited = 0;
    fc.assert(
      fc.property(fc.array(tunnelArb, { minLength: 1, maxLength: 4 }), fc.integer(), operatorArb, (specs, seed, operator) => {
        const { tunnels, stoppedAt } = simulate(specs, seed, operator);
        for (const tunnel of tunnels) {
          const { policy, runs } = tunnel;
          expect(tunnel.twoSshAt, `${tunnel.name}: two ssh at once`).toBeNull();
          for (let i = 1; i < runs.length; i++) {
            const run = runs[i]!;
            const before = runs[i - 1]!;
            // a run starts only after the one before ended
            expect(before.end, `${tunnel.name}: run ${run.run} started while run ${before.run} ran`).not.toBeNull();
            restarts++;
            if (run.startedAtMs - before.end!.atMs > policy.restartMs) grownOrLimited++;
            if (run.early) continue; // an operator's SIGUSR1 is not the policy's to hold back
            expect(run.startedAtMs - before.end!.atMs, `${tunnel.name}: run ${run.run} inside restart_sec`).toBeGreaterThanOrEqual(policy.restartMs);
            if (policy.startLimitIntervalMs > 0) {
              const inWindow = runs.slice(0, i + 1).filter((r) => r.startedAtMs > run.startedAtMs - policy.startLimitIntervalMs).length;
              expect(inWindow, `${tunnel.name}: run ${run.run} past the start limit`).toBeLessThanOrEqual(policy.startLimitBurst);
            }
            // "no" never restarts; "on-failure" only after status 1
            expect(policy.mode).not.toBe('no');
            if (policy.mode === 'on-failure') expect(before.end!.code).toBe(1);
          }
          const stopped = stoppedAt.get(tunnel);
          if (stopped !== undefined) {
            expect(runs.filter((r) => r.startedAtMs > stopped), `${tunnel.name}: started after its SIGTERM`).toEqual([]);
          }
          if (tunnel.done) expect(tunnel.sshAlive).toBe(false);
        }
      }),
      { numRuns: 50, endOnFailure: true },
    );
    // the random runs do restart, and do reach the limit and the grown waits
    expect(restarts).toBeGreaterThan(500);
    expect(grownOrLimited).toBeGreaterThan(50);
  });

  it('same seed, same runs', () => {
    fc.assert(
      fc.property(fc.array(tunnelArb, { minLength: 1, maxLength: 3 }), fc.integer(), operatorArb, (specs, seed, operator) => {
        const a = simulate(specs, seed, operator).tunnels.map((t) => t.runs);
        const b = simulate(specs, seed, operator).tunnels.map((t) => t.runs);
        expect(b).toEqual(a);
      }),
      { numRuns: 15 },
    );
  });
});
