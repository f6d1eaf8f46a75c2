// A run persisted mid-way and restored continues exactly as the uninterrupted run does.
import { describe, expect, it } from 'vitest';
import { Supervisor } from '../../src/driver/supervisor.js';
import { parseCommandLine } from '../../src/machine/config/parse.js';
import type { Config } from '../../src/machine/config/types.js';
import { Prng } from '../../sim/fleet/prng.js';
import { RandomWorld, type RandomWorldOptions } from '../../sim/random-world.js';
import { VirtualClock } from '../../sim/virtual-clock.js';

const WORLD: RandomWorldOptions = {
  meanRunMs: 20_000, signalDeathChance: 0.2, exitStatuses: [255, 255, 1, 2], ignoreSigtermChance: 0.2,
  spawnFailChance: 0, probeFailChance: 0.3, maxProbeMs: 4000, recordSteps: true,
};

function config(): Config {
  const outcome = parseCommandLine(['-M', '20000', '-N', 'host'], {
    AUTOSSH_PATH: 'ssh', AUTOSSH_GATETIME: '0', AUTOSSH_POLL: '10', AUTOSSH_FIRST_POLL: '3', AUTOSSH_MAXLIFETIME: '3600',
  });
  if (outcome.kind !== 'run') throw new Error('bad config');
  return outcome.config;
}

function runTo(world: RandomWorld, clock: VirtualClock, ms: number): void {
  clock.runUntil(ms);
}

describe('snapshots', () => {
  it('a restored snapshot continues identically', () => {
    const endMs = 3_600_000 + 10_000;
    const splitMs = 1_234_567;

    const clockA = new VirtualClock();
    const worldA = new RandomWorld(clockA, new Prng(7), config(), WORLD);
    worldA.start();
    runTo(worldA, clockA, endMs);

    // the same run, persisted at splitMs and continued by a fresh actor
    const clockB = new VirtualClock();
    const worldB = new RandomWorld(clockB, new Prng(7), config(), WORLD);
    worldB.start();
    runTo(worldB, clockB, splitMs);
    const persisted = JSON.parse(JSON.stringify(worldB.supervisor!.snapshot()));
    const stateAtSplit = worldB.supervisor!.machineSnapshot().value;
    // drop the live actor's timers: the restored one must re-arm them from the snapshot
    for (const timer of ['poll', 'backoff', 'lifetime', 'kill'] as const) worldB.cancelTimer(timer);
    worldB.supervisor = Supervisor.resume(worldB, config(), persisted);
    expect(worldB.supervisor.machineSnapshot().value).toEqual(stateAtSplit);
    runTo(worldB, clockB, endMs);

    expect(worldA.steps.length).toBeGreaterThan(50);
    expect(worldB.steps).toEqual(worldA.steps);
    expect(worldB.exitCode).toBe(worldA.exitCode);
  });
});
