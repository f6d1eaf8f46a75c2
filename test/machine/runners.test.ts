// The fleet's shared scope must run the machine exactly as an actor does: same steps for the
// same world, with many tunnels interleaved on one clock, and across a persisted snapshot. The
// steps include every decision by rule, the liveness rules' (D9-D12) among them.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FleetScope, runAsActor, type RunMachine } from '../../src/driver/machine-runner.js';
import type { Config } from '../../src/machine/config/types.js';
import type { SupervisorSignal } from '../../src/machine/signals.js';
import { Prng } from '../../sim/fleet/prng.js';
import { SupervisedRandomWorld, type RandomWorldOptions } from '../../sim/random-world.js';
import { VirtualClock } from '../../sim/virtual-clock.js';
import { configArb, freezesArb, HORIZON_MS, signalsArb, worldArb } from '../support/machine-arbitraries.js';

const MAX_CALLBACKS = 10_000_000;
const LIVENESS_DECISION = / decision (connectTimeExceeded|remoteForwardFailed|forwardRetry|networkChanged|jitter)$/;

interface TunnelCase {
  config: Config;
  options: RandomWorldOptions;
  seed: number;
  signals: Array<{ atMs: number; signal: SupervisorSignal }>;
  freezes: Array<{ atMs: number; forMs: number }>;
}

const tunnelArb = fc.record({ config: configArb, options: worldArb, seed: fc.integer(), signals: signalsArb, freezes: freezesArb });

/** Run the tunnels side by side on one clock, each supervisor made by `run`; their steps. */
function runTogether(tunnels: readonly TunnelCase[], run: (i: number) => RunMachine): string[][] {
  const clock = new VirtualClock();
  const runs = tunnels.map((t, i) => new SupervisedRandomWorld(clock, new Prng(t.seed), t.config, t.options, run(i)));
  tunnels.forEach((t, i) => {
    const { world } = runs[i]!;
    for (const s of t.signals) clock.at(s.atMs, () => world.signal(s.signal));
    for (const f of t.freezes) clock.at(f.atMs, () => world.freeze(f.forMs));
  });
  for (const r of runs) r.start();
  clock.runUntil(HORIZON_MS, MAX_CALLBACKS);
  return runs.map((r) => r.world.steps);
}

describe('machine runners', () => {
  it('a fleet scope makes the same steps as an actor per tunnel, tunnels interleaved', () => {
    let livenessDecisions = 0;
    fc.assert(
      fc.property(fc.array(tunnelArb, { minLength: 1, maxLength: 6 }), (tunnels) => {
        const byActors = runTogether(tunnels, () => runAsActor);
        const scope = new FleetScope();
        const byScope = runTogether(tunnels, () => scope.run);
        expect(byScope).toEqual(byActors);
        livenessDecisions += byActors.flat().filter((step) => LIVENESS_DECISION.test(step)).length;
      }),
      { numRuns: 60 },
    );
    // the runs compared did take the liveness rules' paths
    expect(livenessDecisions).toBeGreaterThan(20);
  });

  it('a snapshot persisted by an actor continues identically in a fleet scope, and back', () => {
    fc.assert(
      fc.property(tunnelArb, fc.integer({ min: 1, max: HORIZON_MS - 1 }), (tunnel, splitMs) => {
        const whole = runTogether([tunnel], () => runAsActor)[0]!;
        for (const [first, second] of [[runAsActor, new FleetScope().run], [new FleetScope().run, runAsActor]] as const) {
          const clock = new VirtualClock();
          const run = new SupervisedRandomWorld(clock, new Prng(tunnel.seed), tunnel.config, tunnel.options, first);
          const { world } = run;
          for (const s of tunnel.signals) clock.at(s.atMs, () => world.signal(s.signal));
          for (const f of tunnel.freezes) clock.at(f.atMs, () => world.freeze(f.forMs));
          run.start();
          clock.runUntil(splitMs, MAX_CALLBACKS);
          // a frozen supervisor cannot persist anything: snapshots are taken while it runs
          if (world.exitCode === null && !world.frozen) {
            run.restore(JSON.parse(JSON.stringify(run.supervisor.snapshot())), second);
          }
          clock.runUntil(HORIZON_MS, MAX_CALLBACKS);
          expect(world.steps).toEqual(whole);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('a throwing step puts that tunnel in error, once, and leaves its neighbours running', () => {
    for (const run of [runAsActor, new FleetScope().run]) {
      const errors: unknown[] = [];
      const effects: string[] = [];
      // no configuration: the first decision that reads it throws
      const broken = run({ config: undefined as unknown as Config }, undefined, { onEffect: () => {}, onError: (e) => errors.push(e) });
      const healthy = run({ config: sampleConfig() }, undefined, { onEffect: (e) => effects.push(e.type), onError: (e) => errors.push(e) });
      broken.send({ type: 'START', atMs: 0 });
      broken.send({ type: 'START', atMs: 1 });
      healthy.send({ type: 'START', atMs: 0 });
      expect(errors).toHaveLength(1);
      expect(errors[0]).toBeInstanceOf(Error); // a guard reading the missing config throws first
      expect(broken.getSnapshot().status).toBe('error');
      expect(healthy.getSnapshot().status).toBe('active');
      expect(effects).toContain('spawnSsh');
    }
  });
});

function sampleConfig(): Config {
  // no gate, no monitor: START spawns ssh at once
  return { ...fc.sample(configArb, { numRuns: 1, seed: 1 })[0]!, gateSeconds: 0, monitor: null };
}
